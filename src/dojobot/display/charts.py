"""Charts as PNG bytes, drawn off-screen with matplotlib's object API (no pyplot state).

Labels are in the current language: they run in the chart worker process
(display/rendering.py), which sets the caller's language before drawing."""

from __future__ import annotations

import io
import textwrap
from collections.abc import Sequence

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from matplotlib.ticker import MaxNLocator, ScalarFormatter

from dojobot.display.formats import native_digits, number, percent, seconds, short_day, written
from dojobot.engine.calendar import local_datetime, zone
from dojobot.engine.leaderboard import Ranked
from dojobot.i18n import _, line, ngettext, paragraph
from dojobot.storage.practice import SetPoint

TIME_COLOUR = "#1f6feb"
ACCURACY_COLOUR = "#2da44e"


def progress_chart(title: str, points: Sequence[SetPoint]) -> bytes:
    """Median response time (line) and accuracy (bars) over a learner's recent sets."""
    return _png(progress_figure(title, points))


def _png(figure: Figure) -> bytes:
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()


def progress_figure(title: str, points: Sequence[SetPoint]) -> Figure:
    """The progress chart before it is written out (tests measure its texts)."""
    figure = Figure(figsize=(8, 4.5), dpi=110)
    FigureCanvasAgg(figure)
    times = figure.add_subplot()
    accuracy = times.twinx()
    xs = list(range(1, len(points) + 1))
    acc = [(p.accuracy or 0) * 100 for p in points]
    accuracy.bar(xs, acc, color=ACCURACY_COLOUR, alpha=0.25, label=_("accuracy"))
    accuracy.set_ylim(0, 105)
    accuracy.set_ylabel(paragraph(_("accuracy (%)")), color=ACCURACY_COLOUR)
    medians = [(p.median_ms or 0) / 1000 for p in points]
    times.plot(xs, medians, marker="o", color=TIME_COLOUR, label=_("median time"))
    times.set_zorder(accuracy.get_zorder() + 1)
    times.patch.set_visible(False)
    times.set_ylim(0, max([*medians, 1.0]) * 1.2)
    times.set_ylabel(paragraph(_("median time (s)")), color=TIME_COLOUR)
    # Translators: the x axis of the progress chart: one point per practice set.
    times.set_xlabel(paragraph(_("set")))
    labels = [short_day(local_datetime(p.start_time, zone("UTC")).date()) for p in points]
    step = max(1, len(xs) // 10)
    times.set_xticks(xs[::step], labels[::step], rotation=30, ha="right")
    times.grid(axis="y", alpha=0.3)
    _written_ticks(times.yaxis, accuracy.yaxis)
    times.set_title(paragraph(_wrapped(title, 60)))
    figure.tight_layout()
    return figure


BOARD_COLOUR = "#d29922"
MISSING_GLYPH = "□"


def _drawable(text: str) -> str:
    """Characters the chart font lacks become '□' (matplotlib would draw tofu and warn)."""
    font = font_manager.get_font(font_manager.findfont(font_manager.FontProperties()))
    return "".join(c if c.isspace() or font.get_char_index(ord(c)) else MISSING_GLYPH
                   for c in text)


def _wrapped(text: str, width: int) -> str:
    """A title on at most two lines, so a long one in German or Russian stays on the image."""
    return "\n".join(textwrap.wrap(text, width, max_lines=2, placeholder="…")) or text


def leaderboard_chart(title: str, rows: Sequence[Ranked]) -> bytes:
    """Horizontal bars of right answers for a class's top rows, best at the top."""
    return _png(leaderboard_figure(title, rows))


def leaderboard_figure(title: str, rows: Sequence[Ranked]) -> Figure:
    """The leaderboard chart before it is written out (tests measure its texts)."""
    shown = list(rows)[::-1]  # barh draws bottom-up
    figure = Figure(figsize=(8, max(2.5, 0.55 * len(shown) + 1.4)), dpi=110)
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    ys = list(range(len(shown)))
    correct = [r.entry.correct for r in shown]
    axes.barh(ys, correct, color=BOARD_COLOUR, alpha=0.85)
    # Learner-chosen names must not be read as mathtext ('$...$') by matplotlib.
    # Each label reads from its rank, whatever script the name is in: "3. سارا" in
    # English, "۱. Lucía" (rank on the right) in Persian.
    labels = [line(_drawable(f"{native_digits(str(r.rank))}. {r.entry.name}")) for r in shown]
    axes.set_yticks(ys, labels, parse_math=False)
    top = max([*correct, 1])
    notes: list[Text] = []
    for y, r in zip(ys, shown, strict=True):
        figures = ngettext(
            "{n} right · {accuracy} · median {median}",
            "{n} right · {accuracy} · median {median}",
            r.entry.correct,
        ).format(
            n=number(r.entry.correct), accuracy=percent(r.entry.accuracy),
            median=seconds(r.entry.median_ms),
        )
        notes.append(axes.text(
            r.entry.correct + top * 0.01, y, paragraph(figures), va="center", fontsize=9,
            parse_math=False,
        ))
    axes.set_xlim(0, top * 1.45)
    axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    _written_ticks(axes.xaxis)
    axes.set_xlabel(paragraph(_("right answers")))
    axes.spines[["top", "right"]].set_visible(False)
    axes.set_title(paragraph(_drawable(_wrapped(title, 60))), parse_math=False)
    figure.tight_layout()
    _make_room(figure, axes, notes)
    return figure


class _WrittenTicks(ScalarFormatter):
    """Tick numbers in the learner's digits and decimal sign ('2,5', '۲٫۵'): matplotlib
    writes '2.5' whatever the language."""

    def __call__(self, x: float, pos: int | None = None) -> str:
        return written(super().__call__(x, pos))


def _written_ticks(*axes: Axis) -> None:
    for axis in axes:
        axis.set_major_formatter(_WrittenTicks(useOffset=False))


def _make_room(figure: Figure, axes: Axes, notes: Sequence[Text]) -> None:
    """Widen the x axis until the figures beside the bars end inside it: their length
    depends on the language ('350 richtig · 88 % · Median 2,3 s') and on the numbers."""
    renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
    to_data = axes.transData.inverted()
    right = max((to_data.transform(n.get_window_extent(renderer))[1][0] for n in notes),
                default=0.0)
    low, high = axes.get_xlim()
    if right > high:
        axes.set_xlim(low, right * 1.03)
        figure.tight_layout()
