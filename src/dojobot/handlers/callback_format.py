"""How a button's callback data is declared: once per format, everything else derived.

A format is a frozen dataclass that subclasses `PrivateData` (a button of the learner's
private chat) or `GroupData` (a class group's button, naming its group in `chat_id`), with

    PREFIX   the first colon-separated word, which routes a tap to its handler;
    LAYOUTS  how its fields are written after the prefix: literal words and slots, a slot
             being a field spelled by its kind (`CATALOGUE_ID("topic_id")`). A field a
             layout leaves out takes the value the layout fixes (`Layout("off", minutes=None)`).

From that declaration come `encode`, the strict `parse` (anything `encode` would not have
produced is None), the scope check (by the base class) and the tests' strategies (by the
kinds: an integer range, a set of words, a pattern). Defining the class registers it.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, ClassVar

MAX_BYTES = 64  # Telegram's limit for callback_data
_INTEGER = re.compile(r"0|-?[1-9][0-9]*")  # ASCII digits, canonical spelling only (no -0)


class Kind:
    """How one field is spelled in callback data; `kind("field")` is a slot of that field."""

    def parse(self, text: str) -> Any:
        """The value `text` spells, or None."""
        raise NotImplementedError

    def spell(self, value: Any) -> str:
        """The text of `value` (which `parse` reads back)."""
        return str(value)

    def __call__(self, name: str) -> Slot:
        return Slot(name, self)


@dataclass(frozen=True)
class Integer(Kind):
    """An integer in [low, high] (not 0 when `nonzero`), in canonical ASCII digits."""

    low: int
    high: int
    nonzero: bool = False

    def parse(self, text: str) -> int | None:
        if len(text) > 20 or not _INTEGER.fullmatch(text):
            return None
        value = int(text)
        if not self.low <= value <= self.high or (self.nonzero and value == 0):
            return None
        return value


@dataclass(frozen=True)
class OneOf(Kind):
    """One of a fixed set of words, each standing for a value."""

    words: Mapping[str, object]

    @classmethod
    def of(cls, enum: type[StrEnum]) -> OneOf:
        """The members of a string enum, spelled as their values."""
        return cls({member.value: member for member in enum})

    def parse(self, text: str) -> object:
        return self.words.get(text)

    def spell(self, value: object) -> str:
        return next(word for word, meant in self.words.items() if meant == value)


@dataclass(frozen=True)
class Matching(Kind):
    """Text that matches a pattern in full, kept as text."""

    pattern: re.Pattern[str]

    def parse(self, text: str) -> str | None:
        return text if self.pattern.fullmatch(text) else None


@dataclass(frozen=True)
class Slot:
    """A field in a layout, spelled by its kind."""

    name: str
    kind: Kind


@dataclass(frozen=True, init=False)
class Layout:
    """One way a format is written after its prefix: literal words and slots, in order;
    the fields it leaves out are fixed (`fixed`)."""

    parts: tuple[str | Slot, ...]
    fixed: Mapping[str, object] = field(default_factory=dict)

    def __init__(self, *parts: str | Slot, **fixed: object) -> None:
        object.__setattr__(self, "parts", parts)
        object.__setattr__(self, "fixed", fixed)

    @property
    def names(self) -> set[str]:
        """The fields this layout covers, written or fixed."""
        return {p.name for p in self.parts if isinstance(p, Slot)} | set(self.fixed)

    def spell(self, data: object) -> list[str] | None:
        """The words after the prefix, or None when this layout cannot write `data`."""
        if any(getattr(data, name) != value for name, value in self.fixed.items()):
            return None
        words = []
        for part in self.parts:
            if isinstance(part, str):
                words.append(part)
            elif (value := getattr(data, part.name)) is None:
                return None
            else:
                words.append(part.kind.spell(value))
        return words

    def read(self, words: list[str]) -> dict[str, object] | None:
        """The fields the words after the prefix spell in this layout, or None."""
        if len(words) != len(self.parts):
            return None
        values = dict(self.fixed)
        for part, word in zip(self.parts, words, strict=True):
            if isinstance(part, str):
                if word != part:
                    return None
            elif (value := part.kind.parse(word)) is None:
                return None
            else:
                values[part.name] = value
        return values


_FORMATS: list[type[CallbackData]] = []


class CallbackData:
    """A button's data: subclass PrivateData or GroupData, with PREFIX and LAYOUTS."""

    PREFIX: ClassVar[str]
    LAYOUTS: ClassVar[tuple[Layout, ...]]

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "PREFIX" not in cls.__dict__:
            return  # a scope's base class
        fields = {name for name, annotation in inspect.get_annotations(cls).items()
                  if not str(annotation).startswith("ClassVar")}
        if ":" in cls.PREFIX or not cls.LAYOUTS:
            raise TypeError(f"{cls.__name__}: a prefix without ':' and a layout are needed")
        for layout in cls.LAYOUTS:
            if layout.names != fields:
                raise TypeError(f"{cls.__name__}: a layout covers {sorted(layout.names)}, "
                                f"not its fields {sorted(fields)}")
        _FORMATS.append(cls)

    def encode(self) -> str:
        """The callback data of this value, within Telegram's 64 bytes."""
        for layout in self.LAYOUTS:
            words = layout.spell(self)
            if words is not None:
                data = ":".join([self.PREFIX, *words])
                # Every format is short by construction; this is the one place it is checked.
                if len(data.encode()) > MAX_BYTES:
                    raise ValueError(f"callback data over {MAX_BYTES} bytes: {data!r}")
                return data
        raise ValueError(f"no layout of {type(self).__name__} can write {self!r}")


class PrivateData(CallbackData):
    """A button of the learner's private chat: it acts for the chat's learner."""


class GroupData(CallbackData):
    """A button of a class group: valid only in the group it names."""

    chat_id: int


def formats() -> tuple[type[CallbackData], ...]:
    """Every declared format, in the order defined."""
    return tuple(_FORMATS)


def parse(data: object) -> CallbackData | None:
    """The typed value behind callback data, or None for anything encode() never makes."""
    if not isinstance(data, str) or not data.isascii() or len(data) > MAX_BYTES:
        return None
    head, *words = data.split(":")
    for kind in _FORMATS:
        if head != kind.PREFIX:
            continue
        for layout in kind.LAYOUTS:
            values = layout.read(words)
            if values is not None:
                return kind(**values)
    return None
