"""Callback data: every format round-trips, and parsing is strict and never raises."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dojobot.handlers.callback_format import (
    MAX_BYTES,
    CallbackData,
    GroupData,
    Integer,
    Kind,
    Layout,
    Matching,
    OneOf,
    PrivateData,
    Slot,
    formats,
    parse,
)
from dojobot.handlers.callbacks import MAX_CHAT_ID, MAX_ID, Menu, Nav


def values(kind: Kind) -> st.SearchStrategy[Any]:
    """Every value a kind can spell."""
    match kind:
        case Integer(low=low, high=high, nonzero=nonzero):
            return st.integers(low, high).filter(lambda n: n or not nonzero)
        case OneOf(words=words):
            return st.sampled_from(list(words.values()))
        case Matching(pattern=pattern):
            return st.from_regex(pattern, fullmatch=True)
    raise AssertionError(f"no strategy for {kind!r}: teach values() the new kind")


def written(kind: type[CallbackData], layout: Layout) -> st.SearchStrategy[CallbackData]:
    """Every value of a format that the layout writes."""
    slots = {part.name: values(part.kind) for part in layout.parts if isinstance(part, Slot)}
    return st.builds(kind, **slots, **{n: st.just(v) for n, v in layout.fixed.items()})


every_format = st.one_of(
    [written(kind, layout) for kind in formats() for layout in kind.LAYOUTS]
)
# Text near the real formats (prefixes, words, separators, digits of every script) and anything.
WORDS = sorted(
    {kind.PREFIX for kind in formats()}
    | {p for kind in formats() for layout in kind.LAYOUTS for p in layout.parts
       if isinstance(p, str)}
    | {w for kind in formats() for layout in kind.LAYOUTS for p in layout.parts
       if isinstance(p, Slot) and isinstance(p.kind, OneOf) for w in p.kind.words}
)
near = st.lists(
    st.sampled_from([*WORDS, ":", "-", "-0", "0", "1", "101", "²", "\u0661", "\uff11", "٣",
                     " ", "\n", "9" * 25])
    | st.integers(-(2**70), 2**70).map(str),
    max_size=8,
).map("".join)
PROFILE = settings(max_examples=300, deadline=None, derandomize=True)


@PROFILE
@given(every_format)
def test_every_format_round_trips_within_telegrams_limit(data: CallbackData) -> None:
    # every layout of every format: a format or layout added is covered without an edit here
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
        "go:1", "nav:x:1", "nav:t", "nav:", "progress:", "rem:t:1440", "rem:t:-1", "rem:t:-0",
        "rem:on",
        "fgt:", "fgt:short", "fgt:aaaaaaaaaaaaaaa²", "fgt:aaaaaaaaaaaaaaaaa", "fgt:keep:1",
        "cls:join:0", "cls:join:+5", f"cls:join:{MAX_CHAT_ID + 1}", f"chart:{MAX_ID + 1}",
        "chart:0", "brd:-5:p:year", "brd:-5:t:", "brd:-5:w:2", "brd:-5:tm:1", "brd::b",
        "topics:1 ", " progress", "go:-1:101", None, 42,
    ],
)
def test_malformed_data_is_refused(text: object) -> None:
    assert parse(text) is None


def test_every_format_has_a_scope() -> None:
    assert formats()
    assert all(issubclass(kind, PrivateData | GroupData) for kind in formats())


def test_a_layout_that_leaves_a_field_out_is_refused_at_once() -> None:
    with pytest.raises(TypeError, match="layout covers"):

        class Half(CallbackData):
            PREFIX = "half"
            LAYOUTS = (Layout(Integer(1, 9)("a")),)
            a: int
            b: int


def test_encoding_refuses_data_over_the_limit() -> None:
    with pytest.raises(ValueError, match="64 bytes"):
        Nav(Menu.TOPICS, 10**70).encode()
