"""The learner's side of the legacy import (first contact, claim links) and the owners' /kpi."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from dojobot.handlers.common import COMMANDS
from telegram_standin import BotApiStandIn
from tests.support.cli import GOOD_ROWS, Cli, one_error_line, write_export
from tests.support.db import fetchall, fetchone
from tests.support.dojo import Dojo, run_dojo

LINK = re.compile(r"^https://t\.me/DojoSandboxBot\?start=(claim-[A-Za-z0-9_-]+)$", re.MULTILINE)


@pytest.fixture
def cli(dojo: Dojo, standin: BotApiStandIn, monkeypatch: pytest.MonkeyPatch) -> Cli:
    return Cli(monkeypatch, dojo.database_path, database_url=dojo.database_url,
               bot_token=standin.token, api_base_url=standin.base_url)


async def import_fixture(cli: Cli, tmp_path: Path) -> None:
    export = write_export(tmp_path / "ps.csv", GOOD_ROWS)
    (tmp_path / "users.csv").write_text("u2,502\n")
    run = await cli.run_async("import-legacy", str(export), "--users", str(tmp_path / "users.csv"))
    assert run.code == 0, run.err


async def test_mapped_learner_gets_history_on_first_message(
    dojo: Dojo, standin: BotApiStandIn, cli: Cli, tmp_path: Path
) -> None:
    await import_fixture(cli, tmp_path)
    learner = await standin.user(502, "Ben")
    await standin.send_text(learner, "/start")
    menu = await standin.next_message(learner)
    for button in ("Math", "Arithmetic"):
        await standin.press(learner, button, message_id=menu.message_id)
        await standin.settle()
    topics = [b.text for b in standin.messages(learner)[-1].flat_buttons]
    assert "Subtraction · Ha 0/1000" in topics
    assert "Multiplication · Shu 0/1000" in topics
    assert "Division · Ri 0/1000" in topics
    row = await fetchone(
        dojo.db,
        "SELECT COUNT(*), SUM(total_reps), MIN(is_estimate) FROM session WHERE user_id = 502"
    )
    assert row is not None
    assert tuple(row) == (3, 60, 1)


async def test_claim_link_merges_once(
    dojo: Dojo, standin: BotApiStandIn, cli: Cli, tmp_path: Path
) -> None:
    await import_fixture(cli, tmp_path)
    run = await cli.run_async("legacy-link", "u3")
    assert run.code == 0, run.err
    match = LINK.search(run.out)
    assert match, run.out
    payload = match.group(1)
    assert len(payload) <= 64
    assert "legacy account u3: 3 sessions, 42 reps; the link works once" in run.out
    stored = await fetchone(dojo.db, "SELECT token_hash FROM legacy_claim_token")
    assert stored is not None
    assert payload.removeprefix("claim-") not in stored[0]

    claimer = await standin.user(503, "Chie")
    await standin.send_text(claimer, f"/start {payload}")
    reply = (await standin.next_message(claimer)).plain_text
    assert reply.startswith("Welcome back, Chie! I merged your history from the old dojo: "
                            "3 sessions, 42 reps.")
    for line in ("• Modulus: now at Shu", "• Exponents: now at Ha", "• Roots: now at Ri"):
        assert line in reply
    rows = await fetchall(
        dojo.db,
        "SELECT topic_id, stage_id FROM user_progress WHERE user_id = 503 ORDER BY topic_id"
    )
    assert [tuple(r) for r in rows] == [(5, 2), (6, 4), (7, 6)]

    thief = await standin.user(504, "Dan")
    await standin.send_text(thief, f"/start {payload}")
    assert "already used" in (await standin.next_message(thief)).plain_text
    assert await fetchone(dojo.db, "SELECT 1 FROM session WHERE user_id = 504") is None
    again = await cli.run_async("legacy-link", "u3")
    assert "already linked to Telegram user 503" in one_error_line(again)
    missing = await cli.run_async("legacy-link", "nobody")
    assert "no legacy account 'nobody'" in one_error_line(missing)

    await standin.send_text(thief, "/start claim-forged0000000000000000000000000")
    assert "not valid" in (await standin.next_message(thief)).plain_text


async def test_claim_link_expires_after_7_days(
    dojo: Dojo, standin: BotApiStandIn, cli: Cli, tmp_path: Path
) -> None:
    await import_fixture(cli, tmp_path)
    payload = LINK.search((await cli.run_async("legacy-link", "u4")).out)
    assert payload
    row = await fetchone(dojo.db, "SELECT created_at, expires_at FROM legacy_claim_token")
    assert row is not None
    assert row[1] - row[0] == 7 * 24 * 3600 * 1000
    dojo.clock.now_ms = row[1]
    late = await standin.user(505, "Eri")
    await standin.send_text(late, f"/start {payload.group(1)}")
    assert "expired" in (await standin.next_message(late)).plain_text
    assert await fetchone(dojo.db, "SELECT 1 FROM user_progress WHERE user_id = 505") is None


async def test_link_without_token_prints_the_payload(
    dojo: Dojo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, standin: BotApiStandIn,
) -> None:
    with_token = Cli(monkeypatch, dojo.database_path, database_url=dojo.database_url,
                     bot_token=standin.token, api_base_url=standin.base_url)
    await import_fixture(with_token, tmp_path)
    monkeypatch.delenv("DOJOBOT_BOT_TOKEN")
    run = await with_token.run_async("legacy-link", "u4")
    assert run.code == 0, run.err
    first, second = run.out.splitlines()[:2]
    assert re.fullmatch(r"/start claim-[A-Za-z0-9_-]{32}", first)
    assert second.startswith("(DOJOBOT_BOT_TOKEN is not set, so this is the /start payload")


async def test_link_with_a_rejected_token_never_prints_it(
    dojo: Dojo, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, standin: BotApiStandIn,
) -> None:
    wrong = "99999:SECRET-not-this-bots-token"
    cli = Cli(monkeypatch, dojo.database_path, database_url=dojo.database_url,
              bot_token=wrong, api_base_url=standin.base_url)
    await import_fixture(cli, tmp_path)
    run = await cli.run_async("legacy-link", "u4")
    assert run.code == 0, run.err
    assert "SECRET" not in run.out + run.err
    assert "(getMe failed (the Bot API rejected DOJOBOT_BOT_TOKEN (401/404))" in run.out


async def test_kpi_only_for_owners(
    standin: BotApiStandIn, tmp_path: Path, migrated_url: str
) -> None:
    path = tmp_path / "dojobot.sqlite3"
    async with run_dojo(standin, path, database_url=migrated_url, admin_ids="601"):
        owner = await standin.user(601, "Owner")
        other = await standin.user(602, "Learner")
        await standin.send_text(other, "/kpi")
        assert (await standin.next_message(other)).plain_text == (
            "I don't know /kpi. Send /help to see what I can do."
        )
        await standin.send_text(owner, "/kpi")
        text = (await standin.next_message(owner)).plain_text
        assert "DojoBot KPIs, last 24h" in text
        assert "DojoBot KPIs, all time" in text
        assert "Mean accuracy: no answers yet (over 0 answers)" in text
        assert "Learners per stage: hatsu 0 · shu 0 · kan 0 · ha 0 · toi 0 · ri 0 · ku 0" in text
        # The scheduler experiment, as `dojobot stats --by-flag scheduler --since 7d`.
        assert "DojoBot KPIs by scheduler arm, last 7d" in text
        assert "scheduler = leitner (control)" in text
        assert "scheduler = fsrs (treatment)" in text
        group = await standin.group(-100123, "Class")
        await standin.add_bot_to_group(group, owner)
        await standin.settle()  # the class welcome
        calls = len(standin.calls_of("sendMessage"))
        await standin.send_text(owner, "/kpi", chat=group)
        await standin.settle()
        assert len(standin.calls_of("sendMessage")) == calls  # never in a group
    assert "kpi" not in {c.command for c in COMMANDS}
