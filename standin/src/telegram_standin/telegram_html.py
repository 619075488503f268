"""Telegram's dialect of HTML (parse_mode=HTML), parsed as strictly as the Bot API does.

The stdlib's ``html.parser`` is lenient by design (a bare ``<`` or ``&`` is just data), so
this is a small dedicated scanner: it accepts exactly the tags and entities listed in the
Bot API's "HTML style" section and reports errors in Telegram's own words.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

__all__ = ["Entity", "EntityParseError", "parse_html", "utf16_len"]

# Tag name -> MessageEntity type.
_TAG_TYPES = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
}
_NAMED_ENTITIES = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}

_START_TAG = re.compile(
    r"<([a-zA-Z][a-zA-Z0-9-]*)"
    r"((?:\s+[a-zA-Z_][a-zA-Z0-9_-]*(?:\s*=\s*(?:\"[^\"]*\"|'[^']*'|[^\s>\"']+))?)*)"
    r"\s*>"
)
_ATTR = re.compile(r"([a-zA-Z_][a-zA-Z0-9_-]*)(?:\s*=\s*(\"[^\"]*\"|'[^']*'|[^\s>\"']+))?")
_END_TAG = re.compile(r"</([a-zA-Z][a-zA-Z0-9-]*)\s*>")
_CHAR_REF = re.compile(r"&(#[0-9]{1,8}|#[xX][0-9a-fA-F]{1,8}|[a-zA-Z][a-zA-Z0-9]*);")


class EntityParseError(ValueError):
    """The text is not valid Telegram HTML; str() is the text after "can't parse entities: "."""


@dataclass(frozen=True)
class Entity:
    """A MessageEntity with offset/length in UTF-16 code units, like the Bot API."""

    type: str
    offset: int
    length: int
    url: str | None = None
    language: str | None = None
    custom_emoji_id: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The entity as Bot API JSON."""
        data: dict[str, Any] = {"type": self.type, "offset": self.offset, "length": self.length}
        if self.url is not None:
            data["url"] = self.url
        if self.language is not None:
            data["language"] = self.language
        if self.custom_emoji_id is not None:
            data["custom_emoji_id"] = self.custom_emoji_id
        return data


def utf16_len(text: str) -> int:
    """Length of text in UTF-16 code units (the unit of entity offsets)."""
    return len(text.encode("utf-16-le")) // 2


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _unquote(value: str | None) -> str:
    if value is None:
        return ""
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        value = value[1:-1]
    return _unescape_attr(value)


def _unescape_attr(value: str) -> str:
    def repl(m: re.Match[str]) -> str:
        return _decode_ref(m.group(1)) or m.group(0)

    return _CHAR_REF.sub(repl, value)


def _decode_ref(ref: str) -> str | None:
    if ref.startswith("#"):
        try:
            code = int(ref[2:], 16) if ref[1:2] in ("x", "X") else int(ref[1:])
        except ValueError:
            return None
        if code == 0 or code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            return None
        return chr(code)
    return _NAMED_ENTITIES.get(ref)


@dataclass
class _Open:
    name: str
    start: int  # UTF-16 offset in the plain text
    attrs: dict[str, str]


def _close_tag(text: str, i: int, stack: list[_Open], pos16: int) -> tuple[int, Entity | None]:
    """The end tag at text[i]: pop its start tag; (index after it, the entity it makes)."""
    m = _END_TAG.match(text, i)
    if m is None or not stack:
        raise EntityParseError(f"Unexpected end tag at byte offset {_byte_offset(text, i)}")
    name = m.group(1).lower()
    top = stack[-1]
    if top.name != name:
        raise EntityParseError(
            f"Unmatched end tag at byte offset {_byte_offset(text, i)}, "
            f'expected "</{top.name}>", found "</{name}>"'
        )
    stack.pop()
    return m.end(), _make_entity(top, pos16, stack)


def _open_tag(text: str, i: int, stack: list[_Open], pos16: int) -> int:
    """The start tag at text[i]: check it may open here and push it; the index after it."""
    m = _START_TAG.match(text, i)
    if m is None:
        raise EntityParseError(
            f'Unsupported start tag "" at byte offset {_byte_offset(text, i)}'
        )
    name = m.group(1).lower()
    attrs = {a.group(1).lower(): _unquote(a.group(2)) for a in _ATTR.finditer(m.group(2))}
    if name not in _TAG_TYPES or (name == "span" and attrs.get("class") != "tg-spoiler"):
        raise EntityParseError(
            f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, i)}'
        )
    if name == "tg-emoji" and not attrs.get("emoji-id"):
        raise EntityParseError(
            f'Custom emoji entity must have "emoji-id" attribute at byte offset '
            f"{_byte_offset(text, i)}"
        )
    if (
        stack
        and stack[-1].name in ("code", "pre")
        and not (stack[-1].name == "pre" and name == "code")
    ):
        raise EntityParseError(
            f'Entity "{name}" can\'t be nested in "{stack[-1].name}" at byte offset '
            f"{_byte_offset(text, i)}"
        )
    if name == "blockquote" and any(o.name == "blockquote" for o in stack):
        raise EntityParseError(
            f"Blockquote entities can't be nested at byte offset {_byte_offset(text, i)}"
        )
    stack.append(_Open(name, pos16, attrs))
    return m.end()


def parse_html(text: str) -> tuple[str, list[Entity]]:
    """Parse Telegram HTML into (plain text, entities); raise EntityParseError if invalid."""
    out: list[str] = []
    pos16 = 0  # UTF-16 length of "".join(out)
    stack: list[_Open] = []
    entities: list[Entity] = []
    i = 0
    n = len(text)
    while i < n:
        c = text[i]
        if c == "<":
            if text.startswith("</", i):
                i, entity = _close_tag(text, i, stack, pos16)
                if entity is not None:
                    entities.append(entity)
            else:
                i = _open_tag(text, i, stack, pos16)
            continue
        if c == "&":
            m = _CHAR_REF.match(text, i)
            decoded = _decode_ref(m.group(1)) if m else None
            if m is None or decoded is None:
                raise EntityParseError(
                    f'Unsupported entity or unescaped "&" at byte offset '
                    f"{_byte_offset(text, i)}; use &amp;"
                )
            out.append(decoded)
            pos16 += utf16_len(decoded)
            i = m.end()
            continue
        out.append(c)  # a bare ">" is tolerated by Telegram too
        pos16 += 2 if ord(c) > 0xFFFF else 1
        i += 1
    if stack:
        raise EntityParseError(
            f'Can\'t find end tag corresponding to start tag "{stack[-1].name}"'
        )
    entities.sort(key=lambda e: (e.offset, -e.length))
    return "".join(out), entities


def _make_entity(tag: _Open, end16: int, stack: list[_Open]) -> Entity | None:
    length = end16 - tag.start
    if length <= 0:
        return None
    kind = _TAG_TYPES[tag.name]
    if tag.name == "a":
        href = tag.attrs.get("href", "")
        if not href:
            return None
        return Entity(kind, tag.start, length, url=href)
    if tag.name == "code" and stack and stack[-1].name == "pre":
        lang = tag.attrs.get("class", "")
        if lang.startswith("language-"):
            # Recorded on the enclosing pre; the code entity itself is not emitted.
            stack[-1].attrs["_language"] = lang.removeprefix("language-")
        return None
    if tag.name == "pre":
        return Entity(kind, tag.start, length, language=tag.attrs.get("_language"))
    if tag.name == "blockquote" and "expandable" in tag.attrs:
        return Entity("expandable_blockquote", tag.start, length)
    if tag.name == "tg-emoji":
        return Entity(kind, tag.start, length, custom_emoji_id=tag.attrs["emoji-id"])
    return Entity(kind, tag.start, length)
