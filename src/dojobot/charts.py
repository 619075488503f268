"""Charts as PNG bytes, drawn off-screen with matplotlib's object API (no pyplot state)."""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import UTC, datetime

from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from dojobot.storage.practice import SetPoint

TIME_COLOUR = "#1f6feb"
ACCURACY_COLOUR = "#2da44e"


def progress_chart(title: str, points: Sequence[SetPoint]) -> bytes:
    """Median response time (line) and accuracy (bars) over a learner's recent sets."""
    figure = Figure(figsize=(8, 4.5), dpi=110)
    FigureCanvasAgg(figure)
    times = figure.add_subplot()
    accuracy = times.twinx()
    xs = list(range(1, len(points) + 1))
    acc = [(p.accuracy or 0) * 100 for p in points]
    accuracy.bar(xs, acc, color=ACCURACY_COLOUR, alpha=0.25, label="accuracy")
    accuracy.set_ylim(0, 105)
    accuracy.set_ylabel("accuracy (%)", color=ACCURACY_COLOUR)
    seconds = [(p.median_ms or 0) / 1000 for p in points]
    times.plot(xs, seconds, marker="o", color=TIME_COLOUR, label="median time")
    times.set_zorder(accuracy.get_zorder() + 1)
    times.patch.set_visible(False)
    times.set_ylim(0, max([*seconds, 1.0]) * 1.2)
    times.set_ylabel("median time (s)", color=TIME_COLOUR)
    times.set_xlabel("set")
    labels = [
        datetime.fromtimestamp(p.start_time / 1000, tz=UTC).strftime("%d %b") for p in points
    ]
    step = max(1, len(xs) // 10)
    times.set_xticks(xs[::step], labels[::step], rotation=30, ha="right")
    times.grid(axis="y", alpha=0.3)
    times.set_title(title)
    figure.tight_layout()
    out = io.BytesIO()
    figure.savefig(out, format="png")
    return out.getvalue()
