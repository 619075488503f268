"""The class map's cells come in the legend's colours only, and the facts the caption counts
(fluent for at least half of the members) are exactly the two darker steps."""

from __future__ import annotations

import io

from PIL import Image

from dojobot.display.fluency_map import class_legend, class_map, layout
from dojobot.engine.facts import space
from dojobot.i18n import use_language


def test_class_map_cells_are_legend_steps() -> None:
    facts = list(space("mul", 1, 102) or ())
    shares = {f.key: [0.0, 0.2, 0.49, 0.5, 0.8, 1.0][i % 6] for i, f in enumerate(facts)}
    with use_language("de"):
        png = class_map("7A · Mal", facts, shares)
        legend = [colour for colour, _name in class_legend()]
        _size, cells, _swatches, _texts = layout(facts, "7A · Mal", {}, class_legend())
    image = Image.open(io.BytesIO(png)).convert("RGB")
    # A corner of each cell, clear of its centred label.
    shades = {f.key: image.getpixel((box[0] + 1, box[3] - 1)) for f, box in cells}
    assert set(shades.values()) <= set(legend)
    at_least_half = {k for k, share in shares.items() if share >= 0.5}
    assert {k for k, c in shades.items() if c in legend[2:]} == at_least_half
