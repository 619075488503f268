"""Maintainer subcommands: import-legacy, legacy-link, backup, restore, stats."""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import re
import tempfile
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

from dojobot.cli.common import CliError, now_ms, open_current
from dojobot.cli.legacy_source import SourceError, SourceRows, read_source, read_user_map
from dojobot.cli.progress import copying, progress
from dojobot.config import Settings
from dojobot.engine.flags import FlagInputError, known_flag
from dojobot.ops.database import backup_first
from dojobot.ops.erasure_key import existing_erasure_key
from dojobot.ops.report import by_arm_json, by_arm_lines, kpis_json, kpis_lines
from dojobot.ops.startup import token_free_reason
from dojobot.storage import legacy as store
from dojobot.storage.arm_kpis import kpis_by_arm
from dojobot.storage.backup import backup_database, restore_database
from dojobot.storage.db import Database, StorageError
from dojobot.storage.kpis import compute_kpis, stage_distribution
from dojobot.storage.postgres import PostgresDatabase

CLAIM_TTL_MS = 7 * 24 * 3600 * 1000
WINDOW = re.compile(r"^(\d{1,5})([hd])$")


def cmd_import_legacy(settings: Settings, args: argparse.Namespace) -> None:
    """Import (or roll back) the old app's practice_sessions."""
    if args.rollback:
        if args.file or args.users or args.dry_run:
            raise CliError("--rollback takes no FILE, --users or --dry-run")
        asyncio.run(_rollback(settings))
        return
    if not args.file:
        raise CliError("import-legacy needs FILE (a CSV export or a SQLite file), or --rollback")
    path = Path(args.file)
    try:
        source, data = read_source(path, args.time_unit)
        user_map = read_user_map(Path(args.users)) if args.users else {}
    except SourceError as exc:
        raise CliError(str(exc)) from None
    asyncio.run(_import(settings, path, source, hashlib.sha256(data).hexdigest(), user_map, args))


async def _import(
    settings: Settings, path: Path, source: SourceRows, sha256: str, user_map: dict[str, int],
    args: argparse.Namespace,
) -> None:
    if not args.dry_run:
        async with open_current(settings) as db:
            report = await _import_into(db, settings, path, source, sha256, user_map, args)
    elif settings.uses_postgres:
        # One transaction, rolled back at the end: the live database is never changed. Its
        # writes hold their row locks meanwhile: a mapped learner's answer waits for it.
        async with open_current(settings) as db:
            assert isinstance(db, PostgresDatabase)
            async with db.rehearsal() as rehearsal:
                report = await _import_into(
                    rehearsal, settings, path, source, sha256, user_map, args
                )
    else:
        async with open_current(settings, readonly=True):
            pass  # refuse an out-of-date schema by the database's own name
        # Into a copy: the live file is never written, and a running bot never waits.
        with tempfile.TemporaryDirectory(prefix="dojobot-dry-run-") as folder:
            copy = Path(folder) / "copy.sqlite3"
            with copying("dry run: copy", settings.database_path, copy):
                backup_database(settings.database_path, copy)
            async with open_current(settings, path=copy) as db:
                report = await _import_into(
                    db, settings, path, source, sha256, user_map, args
                )
    print(report)


async def _import_into(
    db: Database, settings: Settings, path: Path, source: SourceRows, sha256: str,
    user_map: dict[str, int], args: argparse.Namespace,
) -> str:
    topics = await store.topic_ids(db)
    rows = [
        store.ImportRow(
            row_id=r.row_id, legacy_user_id=r.legacy_user_id, topic_id=topics[r.topic_code],
            stage_id=r.stage_id, total_reps=r.total_reps, avg_response_ms=r.avg_response_ms,
            start_ms=r.start_ms, end_ms=r.end_ms,
        )
        for r in source.rows
    ]
    before = await stage_distribution(db)
    if not args.dry_run and (saved := backup_first(settings, "before-import")):
        print(f"backup: {saved}")
    erasure_key = existing_erasure_key(settings)  # forgotten learners are skipped
    with progress("import-legacy", len(rows), "rows") as shown:

        async def on_progress(done: int, total: int) -> None:
            shown.update(done, total)

        try:
            outcome = await store.import_rows(
                db, rows, user_map, source=str(path), source_sha256=sha256,
                time_unit=args.time_unit, rows_read=source.read, now_ms=now_ms(),
                on_progress=on_progress,
                erasure_key=erasure_key,
            )
        except db.driver_error as exc:
            raise StorageError(
                f"import failed and was undone, nothing of it is left: {exc}"
            ) from None
    after = await stage_distribution(db)
    return _import_report(path, source, outcome, before, after, args)


def _import_report(
    path: Path, source: SourceRows, outcome: store.ImportOutcome,
    before: dict[str, int], after: dict[str, int], args: argparse.Namespace,
) -> str:
    held = outcome.imported - outcome.sessions_added
    lines = [
        f"{'dry run of ' if args.dry_run else ''}import-legacy {path} "
        f"(response times read as {args.time_unit})",
        f"rows read: {source.read}",
        f"imported: {outcome.imported} ({outcome.sessions_added} sessions for linked learners, "
        f"{held} held for legacy accounts)",
        f"already imported: {len(outcome.already_imported)}",
        f"not imported, their learner erased their data (/forgetme): {outcome.forgotten}",
        f"skipped: {len(source.skipped)}",
    ]
    for kind, count in sorted(Counter(s.kind for s in source.skipped).items()):
        lines.append(f"  {kind}: {count}")
    for s in source.skipped:
        lines.append(f"  {s.where}: {s.detail}")
    if outcome.accounts_created:
        lines.append(
            f"legacy accounts: {outcome.accounts_created} new ({outcome.linked_accounts} linked, "
            f"{outcome.pending_accounts} linked when the learner first writes, "
            f"{outcome.unlinked_accounts} unlinked: send them `dojobot legacy-link ID`)"
        )
    lines.append(f"progress rows raised: {outcome.progress_raised}")
    lines.append("learners per stage: before -> after")
    for code, learners in after.items():
        lines.append(f"  {code}: {before[code]} -> {learners}")
    if args.dry_run:
        lines.append("dry run: nothing was changed")
    elif outcome.batch_id is None:
        lines.append("nothing new to import")
    else:
        lines.append(
            f"import batch {outcome.batch_id}; undo with `dojobot import-legacy --rollback`"
        )
    return "\n".join(lines)


async def _rollback(settings: Settings) -> None:
    async with open_current(settings) as db:
        if not await store.has_live_import(db):
            print("nothing to roll back: no import is left")
            return
        saved = backup_first(settings, "before-rollback")
        async with db.transaction() as tx:
            done = await store.rollback_last(tx, now_ms())
    assert done is not None
    if saved:
        print(f"backup: {saved}")
    print(
        f"rolled back import batch {done.batch_id} ({done.source}): "
        f"{done.sessions_removed} sessions and {done.held_sessions_removed} held sessions "
        f"removed, {done.accounts_removed} legacy accounts removed, "
        f"{done.progress_restored} progress rows restored"
        + (f", {done.progress_kept} kept (learner advanced since)" if done.progress_kept else "")
    )


def cmd_legacy_link(settings: Settings, args: argparse.Namespace) -> None:
    """Print a one-time claim link for a legacy account."""
    asyncio.run(_legacy_link(settings, args.legacy_user_id))


async def _bot_username(settings: Settings) -> tuple[str | None, str]:
    if settings.bot_token is None or not settings.bot_token.get_secret_value().strip():
        return None, "DOJOBOT_BOT_TOKEN is not set"
    from telegram import Bot
    from telegram.error import TelegramError

    bot = Bot(settings.require_token(), base_url=settings.api_base_url)
    try:
        async with bot:
            return bot.username, ""
    except TelegramError as exc:
        return None, f"getMe failed ({token_free_reason(exc)})"


async def _legacy_link(settings: Settings, legacy_user_id: str) -> None:
    async with open_current(settings) as db:
        account = await store.find_account(db, legacy_user_id)
        if account is None:
            raise CliError(f"no legacy account {legacy_user_id!r}; import it first")
        if account.user_id is not None:
            raise CliError(
                f"legacy account {legacy_user_id} is already linked to Telegram user "
                f"{account.user_id}"
            )
        now = now_ms()
        token = await store.create_claim_token(
            db, account.legacy_account_id, now, now + CLAIM_TTL_MS
        )
    payload = f"{store.CLAIM_PREFIX}{token}"
    username, why = await _bot_username(settings)
    expires = datetime.fromtimestamp((now + CLAIM_TTL_MS) / 1000, UTC).strftime("%Y-%m-%d %H:%M")
    if username:
        print(f"https://t.me/{username}?start={payload}")
    else:
        print(f"/start {payload}")
        print(f"({why}, so this is the /start payload; the link is "
              f"https://t.me/<bot username>?start={payload})")
    print(
        f"legacy account {legacy_user_id}: {account.sessions} sessions, {account.reps} reps; "
        f"the link works once, until {expires} UTC"
    )


def _refuse_postgres(settings: Settings, command: str) -> None:
    if settings.uses_postgres:
        raise CliError(f"{command}: the database is PostgreSQL; use pg_dump and pg_restore")


def cmd_backup(settings: Settings, args: argparse.Namespace) -> None:
    """Copy the live database to FILE."""
    _refuse_postgres(settings, "backup")
    with copying("backup", settings.database_path, Path(args.file)):
        target = backup_database(settings.database_path, Path(args.file))
    print(f"backed up {settings.database_path} to {target} ({target.stat().st_size} bytes)")


def cmd_restore(settings: Settings, args: argparse.Namespace) -> None:
    """Put a backup back in place of the database."""
    _refuse_postgres(settings, "restore")
    version, saved = restore_database(Path(args.file), settings.database_path)
    print(f"restored {args.file} into {settings.database_path} (schema version {version})")
    if saved:
        print(f"the replaced database was saved to {saved}")
    print("run `dojobot migrate up` if this DojoBot is newer than the backup")


def window_ms(text: str) -> int | None:
    """'24h' -> ms, '7d' -> ms, 'all' -> None (argparse type)."""
    if text == "all":
        return None
    match = WINDOW.match(text)
    if not match or int(match.group(1)) == 0:
        raise argparse.ArgumentTypeError(f"{text!r}: use a window like 24h, 7d or all")
    hours = int(match.group(1)) * (24 if match.group(2) == "d" else 1)
    return hours * 3600 * 1000


def cmd_stats(settings: Settings, args: argparse.Namespace) -> None:
    """Print the KPIs, as text or JSON."""
    asyncio.run(_stats(settings, args))


async def _stats(settings: Settings, args: argparse.Namespace) -> None:
    try:
        span = window_ms(args.since)
    except argparse.ArgumentTypeError as exc:
        raise CliError(f"--since {exc}") from None
    since = None if span is None else now_ms() - span
    if args.by_flag is not None:
        try:
            flag = known_flag(args.by_flag)
        except FlagInputError as exc:
            raise CliError(f"--by-flag: {exc}") from None
        async with open_current(settings, readonly=True) as db:
            arms = await kpis_by_arm(db, flag, since)
        if args.json:
            print(json.dumps(by_arm_json(flag, arms, args.since), indent=2))
        else:
            print("\n".join(by_arm_lines(flag, arms, args.since)))
        return
    async with open_current(settings, readonly=True) as db:
        kpis = await compute_kpis(db, since)
    if args.json:
        print(json.dumps(kpis_json(kpis, args.since), indent=2))
    else:
        print("\n".join(kpis_lines(kpis, args.since)))


def add_parsers(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register the maintainer subcommands on the `dojobot` parser."""
    imp = sub.add_parser(
        "import-legacy", help="import the old app's practice_sessions (CSV or SQLite)",
        description="Import the old 3-level app's practice_sessions: shu/ha/ri become stages "
        "2/4/6, each row a session flagged as an estimate. One transaction; re-importing adds "
        "nothing; a backup is made first.",
    )
    imp.add_argument("file", nargs="?", help="CSV export (with header) or SQLite file")
    imp.add_argument("--users", help="CSV legacy_user_id,telegram_user_id")
    imp.add_argument("--dry-run", action="store_true", help="report only, change nothing")
    imp.add_argument("--time-unit", choices=("ms", "s"), default="ms",
                     help="unit of session_avg_response_time (the old app: ms)")
    imp.add_argument("--rollback", action="store_true",
                     help="remove exactly what the last import added")
    imp.set_defaults(func=cmd_import_legacy)

    link = sub.add_parser("legacy-link", help="print a one-time claim link for a legacy account",
                          description="Print a deep link that merges a legacy account into the "
                          "Telegram account that opens it (7 days, once).")
    link.add_argument("legacy_user_id")
    link.set_defaults(func=cmd_legacy_link)

    backup = sub.add_parser("backup", help="copy the live database to FILE (safe while running)")
    backup.add_argument("file")
    backup.set_defaults(func=cmd_backup)

    restore = sub.add_parser("restore", help="put a backup back (the bot must be stopped)")
    restore.add_argument("file")
    restore.set_defaults(func=cmd_restore)

    stats = sub.add_parser("stats", help="KPIs: active users, accuracy, p50, stages",
                           description="Print the KPIs. p50 is the median over answers; "
                           "imported estimate sessions count in sessions and reps only.")
    stats.add_argument("--since", default="24h", help="24h, 7d, ... or all (default 24h)")
    stats.add_argument("--json", action="store_true", help="JSON output")
    stats.add_argument("--by-flag", metavar="FLAG", default=None,
                       help="split the KPIs by the flag's arm (e.g. scheduler), with "
                       "next-day recall and its 95%% confidence interval")
    stats.set_defaults(func=cmd_stats)
