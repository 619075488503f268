"""The fluency map: a PNG grid of a topic's facts, one cell per fact.

Drawn with Pillow rather than matplotlib: a grid of coloured squares needs no axes, and
matplotlib's tick machinery alone took ~250 ms per map, over /progress's 150 ms budget.
The font is matplotlib's bundled DejaVu Sans, which has ×, ÷ and √.

Layout per topic: + − × and the negatives topics put the first number in rows and the
second in columns; ÷ puts the divisor in rows and the answer in columns (so the grid reads
like a times table); mod puts the number in rows and the divisor in columns; powers put the
exponent in rows and the base in columns; roots are one row. Small spaces (≤ 30 facts)
write the question in each cell. A learner's map colours each fact by its band; a
class's map shades each fact in four steps of the share of members fluent in it
and writes the share.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

from dojobot.display.formats import percent, written
from dojobot.engine.facts import Fact
from dojobot.engine.memory import Standing
from dojobot.i18n import N_, _, paragraph, right_to_left

COLOURS = {
    Standing.FLUENT: (45, 164, 78),
    Standing.SLOW: (227, 179, 65),
    Standing.MISSED: (207, 34, 46),
    Standing.UNSEEN: (208, 215, 222),
}
# Translators: axis titles of the fluency map; each names the number that changes along
# that axis (for division: the divisor across, the answer down).
AXES = {
    "div": (N_("divisor"), N_("answer")),
    "mod": (N_("number"), N_("divided by")),
    "exp": (N_("exponent"), N_("base")),
    "root": ("", N_("square root of")),
}
DEFAULT_AXES = (N_("first number"), N_("second number"))
# Translators: the learner's map legend: one colour per band (engine/cards.band); fluent
# is a fact answered right within the pace last time and likely still known tomorrow.
BAND_LEGEND = (
    (Standing.FLUENT, N_("fluent")),
    (Standing.SLOW, N_("not fluent yet")),
    (Standing.MISSED, N_("likely forgotten")),
    (Standing.UNSEEN, N_("not seen yet")),
)
DUE_LEGEND = N_("• due for review today")
WHITE, INK, PALE = (255, 255, 255), (36, 41, 47), (246, 248, 250)
LABELLED_CELLS = 30
MARGIN, GAP = 16, 2


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), size)


def _mix(share: float) -> tuple[int, int, int]:
    return tuple(  # type: ignore[return-value]
        round(p + (g - p) * share) for p, g in zip(PALE, COLOURS[Standing.FLUENT], strict=True)
    )


# A class's map in four steps, each a legend entry: the caption counts the facts fluent for
# at least half of the members, which are exactly the two darker steps. A continuous shade
# had no legend entry between its two ends.
# Translators: the class map's legend: how many of the members are fluent in a fact.
SHARE_STEPS = (
    (_mix(0.0), N_("no member fluent")),
    (_mix(0.35), N_("fewer than half fluent")),
    (_mix(0.7), N_("at least half fluent")),
    (_mix(1.0), N_("every member fluent")),
)


def share_colour(share: float) -> tuple[int, int, int]:
    """The step of a share of members fluent: none, under half, at least half, all."""
    step = 0 if share <= 0 else 3 if share >= 1 else 2 if share >= 0.5 else 1
    return SHARE_STEPS[step][0]


@dataclass(frozen=True)
class Placed:
    """A text on the map with the box it must stay inside (left, top, right, bottom)."""

    text: str
    font: ImageFont.FreeTypeFont
    xy: tuple[int, int]
    anchor: str
    box: tuple[int, int, int, int]
    align: str = "left"


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    """Greedy word wrap by measured width (a word longer than the width stays whole)."""
    lines: list[str] = []
    mark = text[0] if text[:1] == "\u200f" else ""  # each wrapped line keeps its direction
    for word in text.removeprefix(mark).split():
        if lines and font.getlength(f"{lines[-1]} {word}") <= width:
            lines[-1] = f"{lines[-1]} {word}"
        else:
            lines.append(word)
    return [mark + line for line in lines] or [mark]


def fit(text: str, size: int, width: int, max_lines: int) -> tuple[str, ImageFont.FreeTypeFont]:
    """The text wrapped onto at most `max_lines` lines of `width` px, in the largest font
    from `size` down to 9 px that allows it: German and Russian labels run longer."""
    for points in range(size, 8, -1):
        font = _font(points)
        lines = _wrap(text, font, width)
        if len(lines) <= max_lines and all(font.getlength(line) <= width for line in lines):
            return "\n".join(lines), font
    return "\n".join(lines), font


def _lines(text: str) -> int:
    return text.count("\n") + 1


def layout(
    facts: Sequence[Fact], title: str, notes: Mapping[Fact, str],
    legend: Sequence[tuple[tuple[int, int, int], str]],
) -> tuple[tuple[int, int], list[tuple[Fact, tuple[int, int, int, int]]],
           list[tuple[tuple[int, int, int], tuple[int, int, int, int]]], list[Placed]]:
    """Where everything goes: the image size, each fact's cell, each legend swatch, and each
    text with the box it must fit (tests/i18n/test_text_fits.py measures them)."""
    rows = sorted({f.row for f in facts})
    cols = sorted({f.col for f in facts})
    topic = facts[0].topic
    labelled = len(facts) <= LABELLED_CELLS
    cell = 58 if labelled else (34 if len(cols) <= 10 else 26)
    row_label, col_label = (_(name) if name else "" for name in AXES.get(topic, DEFAULT_AXES))
    small = _font(11)
    label_w = 0 if topic == "root" else 40
    grid_w, grid_h = len(cols) * cell, len(rows) * cell
    width = max(MARGIN * 2 + label_w + grid_w, 460)
    inner = width - 2 * MARGIN
    texts: list[Placed] = []
    title_text, title_font = fit(paragraph(title), 16, inner, 2)
    y = MARGIN
    texts.append(Placed(title_text, title_font, (width // 2, y), "ma",
                        (MARGIN, y, width - MARGIN, y + 21 * _lines(title_text)), "center"))
    y += 21 * _lines(title_text) + 6
    if row_label:  # its own line: beside the column label they ran together in Spanish
        text, font = fit(paragraph(f"{row_label} ↓"), 13, inner, 1)
        texts.append(Placed(text, font, (MARGIN, y), "la", (MARGIN, y, width - MARGIN, y + 18)))
        y += 18
    x0 = MARGIN + label_w
    text, font = fit(paragraph(f"{col_label} →"), 13, inner, 1)
    half = int(font.getlength(text)) // 2 + 1
    centre = min(max(x0 + grid_w // 2, MARGIN + half), width - MARGIN - half)
    texts.append(Placed(text, font, (centre, y), "ma", (MARGIN, y, width - MARGIN, y + 18)))
    top = y + 18 + 18  # the column label, then the column numbers
    for i, col in enumerate(cols):
        x = x0 + i * cell
        texts.append(Placed(written(str(col)), small, (x + cell // 2, top - 4), "mb",
                            (x, top - 18, x + cell, top)))
    if row_label:
        for j, row in enumerate(rows):
            yy = top + j * cell
            texts.append(Placed(written(str(row)), small, (x0 - 6, yy + cell // 2), "rm",
                                (MARGIN, yy, x0, yy + cell)))
    cells = []
    for fact in facts:
        x = x0 + cols.index(fact.col) * cell
        yy = top + rows.index(fact.row) * cell
        cells.append((fact, (x, yy, x + cell - GAP, yy + cell - GAP)))
        if note := notes.get(fact):
            texts.append(Placed(note, small, (x + (cell - GAP) // 2, yy + (cell - GAP) // 2),
                                "mm", (x, yy, x + cell - GAP, yy + cell - GAP), "center"))
    swatches = []
    y = top + grid_h + MARGIN
    column_w = inner // 2
    # Right to left (Persian), the legend is mirrored: the first entry on the right, each
    # swatch on the right of its label, where the reader's eye starts.
    mirrored = right_to_left()

    def across(left: int, right: int) -> tuple[int, int]:
        return (width - right, width - left) if mirrored else (left, right)

    for start in range(0, len(legend), 2):
        pair = legend[start:start + 2]
        fitted = [fit(paragraph(name), 13, column_w - 28, 2) for _colour, name in pair]
        row_h = max(17 * _lines(text) for text, _font in fitted) + 6
        for k, ((colour, _name), (text, font)) in enumerate(zip(pair, fitted, strict=True)):
            lx = MARGIN + k * column_w
            sx0, sx1 = across(lx, lx + 14)
            swatches.append((colour, (sx0, y, sx1, y + 14)))
            tx0, tx1 = across(lx + 20, lx + column_w - 8)
            texts.append(Placed(text, font, (tx1, y) if mirrored else (tx0, y),
                                "ra" if mirrored else "la", (tx0, y, tx1, y + row_h),
                                "right" if mirrored else "left"))
        y += row_h
    height = y + (MARGIN // 2 if legend else 0)
    return (width, height), cells, swatches, texts


def _draw(
    facts: Sequence[Fact], fills: Mapping[Fact, tuple[int, int, int]], title: str,
    notes: Mapping[Fact, str], legend: Sequence[tuple[tuple[int, int, int], str]],
    dots: Collection[Fact] = (),
) -> bytes:
    size, cells, swatches, texts = layout(facts, title, notes, legend)
    image = Image.new("RGB", size, WHITE)
    draw = ImageDraw.Draw(image)
    for fact, box in cells:
        draw.rectangle(box, fill=fills[fact])
        if fact in dots:  # top right, clear of a centred label
            right, top = box[2], box[1]
            draw.ellipse((right - 10, top + 3, right - 3, top + 10), fill=INK)
    for colour, box in swatches:
        draw.rectangle(box, fill=colour)
    for placed in texts:
        draw.multiline_text(placed.xy, placed.text, font=placed.font, fill=INK,
                            anchor=placed.anchor, align=placed.align, spacing=3)
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # zlib level 1: 4x faster than 6
    return out.getvalue()


def learner_map(title: str, facts: Sequence[Fact], bands: Mapping[str, Standing],
                due: Collection[str]) -> bytes:
    """A learner's map: each fact in its band's colour (not seen where it has none), a
    dot on each fact due today, with a legend of exactly those colours."""
    fills = {f: COLOURS[bands.get(f.key, Standing.UNSEEN)] for f in facts}
    notes = {f: written(f.label) for f in facts} if len(facts) <= LABELLED_CELLS else {}
    return _draw(facts, fills, title, notes, learner_legend(),
                 {f for f in facts if f.key in due})


def learner_legend() -> list[tuple[tuple[int, int, int], str]]:
    """The learner's map legend in the current language: the bands, then the dot."""
    legend = [(COLOURS[band], _(name)) for band, name in BAND_LEGEND]
    legend.append((WHITE, _(DUE_LEGEND)))  # no swatch: the label starts with the dot
    return legend


def class_map(title: str, facts: Sequence[Fact], shares: Mapping[str, float]) -> bytes:
    """A class's map: each fact in the step of the share of members fluent in it."""
    fills = {f: share_colour(shares.get(f.key, 0.0)) for f in facts}
    notes: dict[Fact, str] = {}
    if len(facts) <= 81:
        for f in facts:
            share = percent(shares.get(f.key, 0.0))
            notes[f] = f"{written(f.label)}\n{share}" if len(facts) <= LABELLED_CELLS else share
    return _draw(facts, fills, title, notes, class_legend())


def class_legend() -> list[tuple[tuple[int, int, int], str]]:
    """The class map's legend in the current language, one entry per step."""
    return [(colour, _(name)) for colour, name in SHARE_STEPS]
