"""`dojobot flags`: list the feature flags, set a percentage (for all or for one class),
turn one off. Bad input is one line and exit 2, with nothing changed."""

from __future__ import annotations

import argparse
import asyncio
from datetime import UTC, datetime

from dojobot.cli.common import CliError, now_ms, open_current
from dojobot.config import Settings
from dojobot.engine.flags import FlagInputError, known_flag, parse_percent
from dojobot.storage import flags as store


def _when(ms: int | None) -> str:
    if ms is None:
        return "never (default)"
    return datetime.fromtimestamp(ms / 1000, UTC).strftime("%Y-%m-%d %H:%M UTC")


def flag_lines(states: dict[str, store.FlagState]) -> list[str]:
    """The table `dojobot flags` prints."""
    rows = [("flag", "arms (control / treatment)", "percent", "class overrides", "updated")]
    for state in states.values():
        percent = f"off (set to {state.percent}%)" if state.off else f"{state.percent}%"
        overrides = ", ".join(f"{chat}: {p}%" for chat, p in state.overrides.items()) or "-"
        rows.append((state.name, " / ".join(state.flag.arms), percent, overrides,
                     _when(state.updated_at)))
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return [
        "  ".join(cell.ljust(w) for cell, w in zip(r, widths, strict=False)) + "  " + r[-1]
        for r in rows
    ]


def _chat_id(text: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise CliError(f"--class {text!r}: give the class group's chat id, e.g. -1001234567890"
                       ) from None


async def _flags(settings: Settings, args: argparse.Namespace) -> None:
    action = args.action
    if action is None:
        async with open_current(settings, readonly=True) as db:
            print("\n".join(flag_lines(await store.read_flags(db))))
        return
    try:
        flag = known_flag(args.name)
        percent = parse_percent(args.percent) if action == "set" else None
    except FlagInputError as exc:
        raise CliError(str(exc)) from None
    chat_id = _chat_id(args.chat_id) if getattr(args, "chat_id", None) is not None else None
    now = now_ms()
    async with open_current(settings) as db:
        if action == "unset" or chat_id is not None:
            assert chat_id is not None
            if not await store.set_class_percent(db, flag, chat_id, percent, now):
                raise CliError(f"no class with chat id {chat_id}; the bot must be in the "
                               "group and the class set up there")
        elif action == "set":
            assert percent is not None
            await store.set_percent(db, flag, percent, now)
        else:
            await store.turn_off(db, flag, now)
        state = (await store.read_flags(db))[flag.name]
    print("\n".join(flag_lines({flag.name: state})))
    if state.off and action != "off":
        print(f"{flag.name} is off: everyone gets {flag.control} until "
              f"`dojobot flags set {flag.name} PERCENT`")
    print(f"running bots pick this up within {store.REFRESH_MS // 1000} s")


def cmd_flags(settings: Settings, args: argparse.Namespace) -> None:
    """List or change the feature flags."""
    asyncio.run(_flags(settings, args))


def add_parser(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Register `dojobot flags` on the `dojobot` parser."""
    flags = sub.add_parser(
        "flags", help="list and change feature flags (staged rollout)",
        description="Without an action: list every flag (arms, percentage, class overrides, "
        "when it last changed). A learner's arm comes from a stable hash of their id, so "
        "raising the percentage only moves learners from control to treatment. Running bots "
        "pick a change up within a minute, without a restart.",
    )
    flags.set_defaults(func=cmd_flags, action=None)
    actions = flags.add_subparsers(dest="action", metavar="ACTION")
    set_ = actions.add_parser(
        "set", help="give PERCENT of learners the treatment arm (turns an off flag on)",
        description="Give PERCENT (0 to 100) of learners the treatment arm. With --class, "
        "the members of that class group get PERCENT instead of the flag's percentage (a "
        "learner in several such classes gets the lowest).",
    )
    set_.add_argument("name")
    set_.add_argument("percent")
    set_.add_argument("--class", dest="chat_id", metavar="CHAT_ID",
                      help="the class group's chat id (negative, as Telegram gives it)")
    unset = actions.add_parser("unset", help="drop a class's own percentage",
                               description="The class's members follow the flag's "
                               "percentage again.")
    unset.add_argument("name")
    unset.add_argument("--class", dest="chat_id", metavar="CHAT_ID", required=True)
    off = actions.add_parser(
        "off", help="the fast way back: everyone gets the control arm now",
        description="Everyone gets the control arm from their next set (running bots within "
        "a minute). The percentages are kept; `flags set` turns the flag on again.",
    )
    off.add_argument("name")
