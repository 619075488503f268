"""Pure rules of class boards: ranking with ties, periods in a timezone, nicknames, CSV."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime
from zoneinfo import ZoneInfo

import pytest

from dojobot.display.charts import leaderboard_chart
from dojobot.display.formats import period as period_label
from dojobot.display.formats import week as week_label
from dojobot.engine.calendar import Period, period_bounds, weekly_post_due
from dojobot.engine.leaderboard import Entry, build_board, rank_entries
from dojobot.engine.names import NicknameRejected, clean_nickname
from dojobot.engine.zone_names import InvalidZone, parse_zone
from dojobot.handlers.callbacks import MAX_CHAT_ID
from dojobot.handlers.classes.board import export_csv
from dojobot.handlers.classes.texts import decode_link, encode_link
from dojobot.i18n import use_language
from dojobot.storage.catalogue import load_catalogue
from dojobot.storage.db import Database


def ms(year: int, month: int, day: int, hour: int = 0, minute: int = 0, tz: str = "UTC") -> int:
    local = datetime(year, month, day, hour, minute, tzinfo=ZoneInfo(tz))
    return int(local.astimezone(UTC).timestamp()) * 1000


def entry(uid: int, correct: int, reps: int, median: float | None = 1000.0) -> Entry:
    return Entry(uid, f"L{uid}", reps, correct, median if reps else None)


def test_ties_share_a_rank_and_idle_members_are_left_out() -> None:
    ranked = rank_entries([
        entry(1, 5, 10), entry(2, 9, 9), entry(3, 5, 5), entry(4, 0, 0), entry(5, 2, 4),
    ])
    assert [(r.rank, r.entry.user_id) for r in ranked] == [(1, 2), (2, 3), (2, 1), (4, 5)]


def test_within_a_tie_faster_median_comes_first() -> None:
    ranked = rank_entries([entry(1, 5, 5, 2000), entry(2, 5, 5, 1500)])
    assert [r.entry.user_id for r in ranked] == [2, 1]
    assert [r.rank for r in ranked] == [1, 1]


def test_board_shows_top_ten_and_the_callers_row_below() -> None:
    entries = [entry(uid, 20 - uid, 20) for uid in range(1, 15)] + [entry(99, 0, 0)]
    board = build_board(entries, caller_id=13)
    assert [r.entry.user_id for r in board.top] == list(range(1, 11))
    assert board.caller is not None
    assert (board.caller.rank, board.caller.entry.user_id) == (13, 13)
    assert (board.practised, board.members) == (14, 15)
    inside = build_board(entries, caller_id=3)
    assert inside.caller is None
    assert inside.caller_is_member
    idle = build_board(entries, caller_id=99)
    assert idle.caller is None
    assert idle.caller_is_member
    stranger = build_board(entries, caller_id=12345)
    assert not stranger.caller_is_member


def test_week_runs_monday_to_sunday_in_the_groups_timezone() -> None:
    # Monday 24 Nov 2025 00:30 in Tokyo is still Sunday 23 Nov in UTC.
    now = ms(2025, 11, 24, 0, 30, tz="Asia/Tokyo")
    tokyo = period_bounds(Period.WEEK, now, "Asia/Tokyo")
    assert tokyo.start_ms == ms(2025, 11, 24, tz="Asia/Tokyo")
    assert tokyo.end_ms == ms(2025, 12, 1, tz="Asia/Tokyo")
    utc = period_bounds(Period.WEEK, now, "UTC")
    assert utc.start_ms == ms(2025, 11, 17)


def test_week_across_a_dst_change_is_169_hours() -> None:
    # Europe/Berlin leaves summer time on Sunday 26 Oct 2025.
    bounds = period_bounds(Period.WEEK, ms(2025, 10, 22, 12, tz="Europe/Berlin"), "Europe/Berlin")
    assert bounds.start_ms == ms(2025, 10, 20, tz="Europe/Berlin")
    assert bounds.end_ms - bounds.start_ms == 169 * 3_600_000  # the clocks went back an hour


def test_month_and_all_time() -> None:
    december = period_bounds(Period.MONTH, ms(2025, 12, 31, 23, 59), "UTC")
    assert (december.start_ms, december.end_ms) == (ms(2025, 12, 1), ms(2026, 1, 1))
    everything = period_bounds(Period.ALL, ms(2025, 12, 31), "UTC")
    assert everything.start_ms == 0
    assert everything.end_ms > ms(2200, 1, 1)


def test_labels() -> None:
    """Babel's CLDR interval formats (thin spaces around the dash), per language."""
    now = ms(2025, 11, 26)
    assert period_label(Period.WEEK, now, "UTC") == "this week (Nov 24\u2009–\u200930, 2025)"
    assert period_label(Period.MONTH, now, "UTC") == "November 2025"
    assert period_label(Period.ALL, now, "UTC") == "all time"
    assert week_label(ms(2025, 4, 28), "UTC") == "Apr 28\u2009–\u2009May 4, 2025"
    assert week_label(ms(2025, 12, 29), "UTC") == "Dec 29, 2025\u2009–\u2009Jan 4, 2026"
    with use_language("de"):
        assert period_label(Period.WEEK, now, "UTC") == "diese Woche (24.–30. Nov. 2025)"
        assert week_label(ms(2025, 4, 28), "UTC") == "28. Apr.\u2009–\u20094. Mai 2025"
    with use_language("es"):
        assert period_label(Period.MONTH, now, "UTC") == "noviembre de 2025"


def test_weekly_post_is_due_on_sunday_evening_once() -> None:
    week = ms(2025, 11, 24)
    assert weekly_post_due(ms(2025, 11, 30, 17, 59), "UTC", None) is None
    assert weekly_post_due(ms(2025, 11, 30, 18, 0), "UTC", None) == week
    assert weekly_post_due(ms(2025, 11, 30, 23, 59), "UTC", None) == week
    assert weekly_post_due(ms(2025, 11, 30, 23, 59), "UTC", week) is None
    # Monday: a new week whose post is not due yet; the missed one is not posted late.
    assert weekly_post_due(ms(2025, 12, 1, 9), "UTC", None) is None
    # Sunday 18:00 in Tokyo is 09:00 UTC.
    assert weekly_post_due(ms(2025, 11, 30, 9, 0), "Asia/Tokyo", None) == ms(
        2025, 11, 24, tz="Asia/Tokyo"
    )


def test_group_timezones_read_like_a_learners() -> None:
    assert parse_zone("europe/berlin") == "Europe/Berlin"
    assert parse_zone(" UTC ") == "UTC"
    for bad in ("Mars/Olympus", "../../etc/passwd"):
        with pytest.raises(InvalidZone):
            parse_zone(bad)
    # An offset a group chose is a zone like any other for its board's week.
    offset = parse_zone("+05:30")
    assert offset == "UTC+05:30"
    monday = period_bounds(Period.WEEK, ms(2025, 11, 26, 12), offset).start_ms
    assert monday == ms(2025, 11, 23, 18, 30)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("  Ninja  ", "Ninja"), ("Mr   X", "Mr X"), ("<b>Bold</b>", "<b>Bold</b>"), ("忍者", "忍者")],
)
def test_nicknames_are_tidied(raw: str, expected: str) -> None:
    assert clean_nickname(raw) == expected


@pytest.mark.parametrize("raw", ["", "   ", "x" * 33, "a\u200bb", "bell\x07"])
def test_bad_nicknames_are_refused(raw: str) -> None:
    with pytest.raises(NicknameRejected):
        clean_nickname(raw)


def test_class_links_round_trip_and_fit_telegrams_payload_rules() -> None:
    for chat_id in (-4001, -1001234567890, 42):
        payload = encode_link("join", chat_id)
        assert len(payload) <= 64
        assert payload.replace("-", "").replace("_", "").isalnum()
        assert decode_link(payload) == ("join", chat_id)
    assert decode_link("join--5") is None
    assert decode_link("exp-n12x") is None
    assert decode_link(f"join-n{MAX_CHAT_ID}") == ("join", -MAX_CHAT_ID)
    for bad in (f"join-n{MAX_CHAT_ID + 1}", "join-n9999999999999999999", "join-p0", "join-p042",
                "join-p\u00b2", "join-n\u0661\u0662"):
        assert decode_link(bad) is None, bad


async def test_csv_escapes_formulas_and_lists_idle_members(migrated_db: Database) -> None:
    catalogue = await load_catalogue(migrated_db)
    entries = [
        Entry(1, "=HYPERLINK(1)", 4, 3, 1500.0),
        Entry(2, "Zoe", 0, 0, None),
        Entry(3, "Ben, \"B\"", 2, 2, 2250.5),
    ]
    data = export_csv(catalogue, entries, {1: {1: 2, 3: 1}, 3: {1: 1}}, None)
    assert data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert rows[0] == [
        "rank", "name", "reps", "correct", "accuracy_percent", "median_ms",
        "stage: Addition", "stage: Multiplication",
    ]
    assert rows[1] == ["1", "'=HYPERLINK(1)", "4", "3", "75.0", "1500", "Shu", "Hatsu"]
    assert rows[2] == ["2", 'Ben, "B"', "2", "2", "100.0", "2250", "Hatsu", ""]
    assert rows[3] == ["", "Zoe", "0", "0", "", "", "", ""]
    only_addition = export_csv(catalogue, entries, {1: {1: 2, 3: 1}}, 1)
    assert only_addition.decode("utf-8-sig").splitlines()[0].endswith("median_ms,stage: Addition")


def test_chart_draws_any_name_without_warnings() -> None:
    names = ["$x^2$ Ninja", "王小明", "Zoë 🦊", "<b>", "a" * 32]
    rows = rank_entries(Entry(i, n, 10, 10 - i, 1200.0) for i, n in enumerate(names))
    png = leaderboard_chart("7A · this week · all topics", rows)
    assert png.startswith(b"\x89PNG")
