"""The fluency map: a PNG grid of a topic's facts, one cell per fact.

Drawn with Pillow rather than matplotlib: a grid of coloured squares needs no axes, and
matplotlib's tick machinery alone took ~250 ms per map, over /progress's 150 ms budget.
The font is matplotlib's bundled DejaVu Sans, which has ×, ÷ and √.

Layout per topic: + − × and the negatives topics put the first number in rows and the
second in columns; ÷ puts the divisor in rows and the answer in columns (so the grid reads
like a times table); mod puts the number in rows and the divisor in columns; powers put the
exponent in rows and the base in columns; roots are one row. Small spaces (≤ 30 facts)
write the question in each cell. A learner's map colours each fact by its standing; a
class's map shades each fact by the share of members fluent in it and writes the share.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Mapping, Sequence
from pathlib import Path

import matplotlib
from PIL import Image, ImageDraw, ImageFont

from dojobot.engine.facts import Fact
from dojobot.engine.memory import Standing
from dojobot.i18n import N_, _

COLOURS = {
    Standing.FLUENT: (45, 164, 78),
    Standing.SLOW: (227, 179, 65),
    Standing.MISSED: (207, 34, 46),
    Standing.UNSEEN: (208, 215, 222),
}
# Translators: the fluency map's legend, one label per colour; a "fact" is one problem such
# as 7 × 8. Short words fit best: a long label wraps onto a second line.
LEGEND = {
    Standing.FLUENT: N_("fluent"),
    Standing.SLOW: N_("right but slow (or only once)"),
    Standing.MISSED: N_("missed recently"),
    Standing.UNSEEN: N_("not seen yet"),
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
WHITE, INK, PALE = (255, 255, 255), (36, 41, 47), (246, 248, 250)
LABELLED_CELLS = 30
MARGIN, GAP = 16, 2


@functools.cache
def _font(size: int) -> ImageFont.FreeTypeFont:
    path = Path(matplotlib.get_data_path()) / "fonts" / "ttf" / "DejaVuSans.ttf"
    return ImageFont.truetype(str(path), size)


def _share_colour(share: float) -> tuple[int, int, int]:
    """From pale grey (no member fluent) to the fluent green (every member)."""
    share = min(1.0, max(0.0, share))
    return tuple(  # type: ignore[return-value]
        round(p + (g - p) * share) for p, g in zip(PALE, COLOURS[Standing.FLUENT], strict=True)
    )


def _draw(
    facts: Sequence[Fact], fills: Mapping[Fact, tuple[int, int, int]], title: str,
    notes: Mapping[Fact, str], legend: Sequence[tuple[tuple[int, int, int], str]],
) -> bytes:
    rows = sorted({f.row for f in facts})
    cols = sorted({f.col for f in facts})
    topic = facts[0].topic
    labelled = len(facts) <= LABELLED_CELLS
    cell = 58 if labelled else (34 if len(cols) <= 10 else 26)
    row_label, col_label = (_(name) if name else "" for name in AXES.get(topic, DEFAULT_AXES))
    small, normal, big = _font(11), _font(13), _font(16)
    label_w = 0 if topic == "root" else 40
    top = MARGIN + 26 + 22 + 18  # title, axis name, column numbers
    grid_w, grid_h = len(cols) * cell, len(rows) * cell
    legend_h = 22 * ((len(legend) + 1) // 2) + 8 if legend else 0
    width = max(MARGIN * 2 + label_w + grid_w, 460)
    height = top + grid_h + MARGIN + legend_h
    image = Image.new("RGB", (width, height), WHITE)
    draw = ImageDraw.Draw(image)
    draw.text((width // 2, MARGIN), title, font=big, fill=INK, anchor="mt")
    x0, y0 = MARGIN + label_w, top
    draw.text((x0 + grid_w // 2, MARGIN + 28), f"{col_label} →", font=normal, fill=INK,
              anchor="mt")
    for i, col in enumerate(cols):
        draw.text((x0 + i * cell + cell // 2, top - 4), str(col), font=small, fill=INK,
                  anchor="mb")
    if row_label:
        draw.text((MARGIN, MARGIN + 28), f"{row_label} ↓", font=normal, fill=INK, anchor="lt")
        for j, row in enumerate(rows):
            draw.text((x0 - 6, y0 + j * cell + cell // 2), str(row), font=small, fill=INK,
                      anchor="rm")
    for fact in facts:
        x = x0 + cols.index(fact.col) * cell
        y = y0 + rows.index(fact.row) * cell
        draw.rectangle((x, y, x + cell - GAP, y + cell - GAP), fill=fills[fact])
        text = notes.get(fact)
        if text:
            draw.multiline_text((x + (cell - GAP) // 2, y + (cell - GAP) // 2), text,
                                font=small, fill=INK, anchor="mm", align="center")
    ly = top + grid_h + MARGIN
    for k, (colour, name) in enumerate(legend):
        lx = MARGIN + (k % 2) * (width // 2)
        yy = ly + (k // 2) * 22
        draw.rectangle((lx, yy, lx + 14, yy + 14), fill=colour)
        draw.text((lx + 20, yy + 7), name, font=normal, fill=INK, anchor="lm")
    out = io.BytesIO()
    image.save(out, format="PNG", compress_level=1)  # zlib level 1: 4x faster than 6
    return out.getvalue()


def learner_map(title: str, facts: Sequence[Fact], standings: Mapping[str, Standing]) -> bytes:
    """A learner's map: each fact coloured fluent, slow, missed or unseen, with a legend."""
    fills = {f: COLOURS[standings.get(f.key, Standing.UNSEEN)] for f in facts}
    notes = {f: f.label for f in facts} if len(facts) <= LABELLED_CELLS else {}
    legend = [(COLOURS[s], _(LEGEND[s])) for s in Standing]
    return _draw(facts, fills, title, notes, legend)


def class_map(title: str, facts: Sequence[Fact], shares: Mapping[str, float]) -> bytes:
    """A class's map: each fact shaded by the share of members fluent in it."""
    fills = {f: _share_colour(shares.get(f.key, 0.0)) for f in facts}
    notes: dict[Fact, str] = {}
    if len(facts) <= 81:
        for f in facts:
            share = f"{round(100 * shares.get(f.key, 0.0))}%"
            notes[f] = f"{f.label}\n{share}" if len(facts) <= LABELLED_CELLS else share
    legend = [
        (_share_colour(0.0), _("no member fluent")),
        (_share_colour(1.0), _("every member fluent")),
    ]
    return _draw(facts, fills, title, notes, legend)
