"""Every text on every chart fits its box, in every language (issue 26: the fluency map's
legend was cut off at the image's edge in every language but English, and in Spanish its
axis labels ran together). Each rendered string is measured, not eyeballed."""

from __future__ import annotations

import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from PIL import Image, ImageDraw

from dojobot.display.charts import leaderboard_figure, progress_figure
from dojobot.display.fluency_map import class_legend, layout, learner_legend
from dojobot.engine.facts import Fact, space
from dojobot.engine.leaderboard import Entry, Ranked
from dojobot.i18n import LANGUAGES, _, use_language
from dojobot.storage.practice import SetPoint

TOPICS = ("add", "sub", "mul", "div", "mod", "exp", "root")


def facts_of(topic: str) -> list[Fact]:
    for level in (101, 102, 103):
        if found := space(topic, 1, level):
            return list(found)
    raise AssertionError(f"no fact space for {topic}")


def inside(inner: tuple[float, ...], outer: tuple[float, ...], slack: float = 1) -> bool:
    """`slack` px: a glyph such as T may overhang its origin by a pixel, as in any text."""
    return (inner[0] >= outer[0] - slack and inner[1] >= outer[1] - slack
            and inner[2] <= outer[2] + slack and inner[3] <= outer[3] + slack)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("topic", TOPICS)
@pytest.mark.parametrize("kind", ["learner", "class"])
def test_every_fluency_map_text_fits_its_box(language: str, topic: str, kind: str) -> None:
    facts = facts_of(topic)
    with use_language(language):
        if kind == "learner":
            legend = learner_legend()
            notes = {f: f.label for f in facts}
        else:
            legend = class_legend()
            notes = {f: f"{f.label}\n100 %" for f in facts}
        title = _("{group} · {topic}: share of members fluent").format(
            group="Klasse 7A", topic="Subtracting negatives"
        )
        size, cells, swatches, texts = layout(facts, title, notes, legend)
    draw = ImageDraw.Draw(Image.new("RGB", size))
    image = (0, 0, *size)
    for placed in texts:
        box = draw.multiline_textbbox(placed.xy, placed.text, font=placed.font,
                                      anchor=placed.anchor, align=placed.align, spacing=3)
        assert inside(box, placed.box), (language, placed.text, box, placed.box)
        assert inside(placed.box, image), (language, placed.text, placed.box, size)
    for _fact, cell in cells:
        assert inside(cell, image)
    for _colour, swatch in swatches:
        assert inside(swatch, image)


def texts_outside(figure: Figure) -> list[str]:
    canvas = FigureCanvasAgg(figure)
    canvas.draw()
    renderer = canvas.get_renderer()
    whole = figure.bbox
    # A tick beyond the axis' limits is laid out but never drawn.
    undrawn = set()
    for axes in figure.axes:
        for axis, (low, high) in ((axes.xaxis, axes.get_xlim()), (axes.yaxis, axes.get_ylim())):
            for tick in axis.get_major_ticks():
                if not min(low, high) <= tick.get_loc() <= max(low, high):
                    undrawn |= {id(tick.label1), id(tick.label2)}
    out = []
    for text in figure.findobj(Text):
        if not text.get_visible() or not text.get_text().strip() or id(text) in undrawn:
            continue
        extent = text.get_window_extent(renderer)
        if not inside((extent.x0, extent.y0, extent.x1, extent.y1),
                      (whole.x0 - 0.5, whole.y0 - 0.5, whole.x1 + 0.5, whole.y1 + 0.5)):
            out.append(text.get_text())
    return out


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_progress_chart_keeps_its_labels_on_the_image(language: str) -> None:
    points = [SetPoint(1_764_000_000_000 + i * 86_400_000, 20, 0.9, 2100 + 40 * i, False)
              for i in range(20)]
    with use_language(language):
        title = _("{topic}: recent sets").format(topic="Subtrahieren mit Minuszahlen " * 3)
        figure = progress_figure(title, points)
    assert texts_outside(figure) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_leaderboard_chart_keeps_its_labels_on_the_image(language: str) -> None:
    names = ["Lucía", "Миша", "Anna-Lena Schmidt-Weber", "Kim"]
    rows = [Ranked(i + 1, Entry(i, name, 400 - i, 350 - 20 * i, 2300 + 100 * i))
            for i, name in enumerate(names)]
    with use_language(language):
        figure = leaderboard_figure("🏆 Klasse 7A · " + _("this week") * 3, rows)
    assert texts_outside(figure) == []


@pytest.mark.parametrize("language", LANGUAGES)
def test_the_legend_reads_in_the_languages_direction(language: str) -> None:
    """Right to left (Persian) the legend is mirrored: each swatch on the right of its label
    and the first entry in the right column. Before: swatches on the left in every
    language, so a Persian reader met each label before its colour."""
    facts = facts_of("mul")
    with use_language(language):
        legend = learner_legend()
        _size, _cells, swatches, texts = layout(facts, "title", {}, legend)
    labels = texts[-len(legend):]
    for (_colour, swatch), label in zip(swatches, labels, strict=True):
        if language == "fa":
            assert swatch[0] >= label.box[2], (swatch, label.box)
        else:
            assert swatch[2] <= label.box[0], (swatch, label.box)
    first, second = swatches[0][1], swatches[1][1]
    assert (first[0] > second[0]) == (language == "fa")


@pytest.mark.parametrize(("language", "mark"), [("en", "\u200e"), ("fa", "\u200f")])
def test_a_board_label_reads_in_the_languages_direction(language: str, mark: str) -> None:
    """A name in another script must not turn its label round: before, an English board
    drew "3. سارا" as "سارا .3" (its first strong letter is Persian)."""
    rows = [Ranked(1, Entry(1, "سارا", 10, 9, 2300)), Ranked(2, Entry(2, "Kim", 9, 8, 2400))]
    with use_language(language):
        figure = leaderboard_figure("board", rows)
    labels = [t.get_text() for t in figure.axes[0].get_yticklabels()]
    assert labels, "no labels"
    assert all(label.startswith(mark) for label in labels), labels
