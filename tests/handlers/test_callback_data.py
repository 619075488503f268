"""Callback data: every format round-trips, and parsing is strict and never raises."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojobot.engine.calendar import MINUTES_PER_DAY, Period
from dojobot.handlers.callbacks import (
    MAX_BYTES,
    MAX_CHAT_ID,
    MAX_ID,
    BoardPanel,
    BoardPeriod,
    BoardTopic,
    BoardWeekly,
    CallbackData,
    Chart,
    ForgetMe,
    Go,
    JoinClass,
    Menu,
    Nav,
    Panel,
    Reminder,
    ShowProgress,
    Topics,
    parse,
)

ids = st.integers(1, MAX_ID)
chats = st.integers(-MAX_CHAT_ID, MAX_CHAT_ID).filter(bool)
every_format: st.SearchStrategy[CallbackData] = st.one_of(
    st.just(Nav(Menu.FIELDS)),
    st.builds(Nav, st.sampled_from(Menu), ids),
    st.builds(Go, ids, ids),
    st.builds(Topics, ids),
    st.just(ShowProgress()),
    st.builds(Chart, ids),
    st.builds(Reminder, st.none() | st.integers(0, MINUTES_PER_DAY - 1)),
    st.builds(ForgetMe, st.none() | st.text("ab_-XZ09", min_size=16, max_size=16)),
    st.builds(JoinClass, chats),
    st.builds(BoardPanel, chats, st.sampled_from(Panel)),
    st.builds(BoardPeriod, chats, st.sampled_from(Period)),
    st.builds(BoardTopic, chats, st.none() | ids),
    st.builds(BoardWeekly, chats, st.booleans()),
)
# Text near the real formats (prefixes, separators, digits of every script) and anything.
near = st.lists(
    st.sampled_from(["nav", "go", "topics", "progress", "chart", "rem", "cls", "brd", "join",
                     "fgt", "keep", "f", "s", "t", "p", "w", "tm", "off", "all", "week", ":",
                     "-", "0", "1",
                     "101", "²", "\u0661", "\uff11", "٣", " ", "\n", "9" * 25])
    | st.integers(-(2**70), 2**70).map(str),
    max_size=8,
).map("".join)
PROFILE = settings(max_examples=300, deadline=None, derandomize=True)


@PROFILE
@given(every_format)
def test_every_format_round_trips_within_telegrams_limit(data: CallbackData) -> None:
    encoded = data.encode()
    assert len(encoded.encode()) <= MAX_BYTES
    assert parse(encoded) == data


@PROFILE
@given(near | st.text(max_size=80))
def test_parse_never_raises_and_accepts_only_what_encode_makes(text: str) -> None:
    data = parse(text)
    if data is not None:
        assert data.encode() == text


@pytest.mark.parametrize(
    "text",
    [
        "nav:f:²", "go:²:101", "go:1:\uff11\uff10\uff11", "chart:٣", "nav:f:01", "go:1:101:7",
        "go:1",        "nav:x:1", "nav:t", "nav:", "progress:", "rem:t:1440", "rem:t:-1", "rem:on",
        "fgt:", "fgt:short", "fgt:aaaaaaaaaaaaaaa²", "fgt:aaaaaaaaaaaaaaaaa", "fgt:keep:1",
        "cls:join:0", "cls:join:+5", f"cls:join:{MAX_CHAT_ID + 1}", f"chart:{MAX_ID + 1}",
        "chart:0", "brd:-5:p:year", "brd:-5:t:", "brd:-5:w:2", "brd:-5:tm:1", "brd::b",
        "topics:1 ", " progress", "go:-1:101", None, 42,
    ],
)
def test_malformed_data_is_refused(text: object) -> None:
    assert parse(text) is None


def test_encoding_refuses_data_over_the_limit() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Nav(Menu.TOPICS, 10**70).encode()
