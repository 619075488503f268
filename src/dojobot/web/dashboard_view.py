"""What the class dashboard's API returns: the page's words in the admin's language, and
the members, facts, member and weeks as JSON-ready dicts. Built from storage's dataclasses;
no database, no Telegram. Figures are written here (Babel's formats) so the page only
places them."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from html import escape
from typing import Any

from dojobot.display.fluency_map import class_legend, share_colour
from dojobot.display.formats import DASH, number, percent, seconds, short_day, written
from dojobot.engine.calendar import Bounds, local_date, zone
from dojobot.engine.cards import CardMap
from dojobot.engine.facts import Fact
from dojobot.engine.focus import has_met
from dojobot.engine.leaderboard import Entry
from dojobot.i18n import N_, _, ngettext
from dojobot.i18n.names import shown
from dojobot.storage.catalogue import Catalogue
from dojobot.storage.dashboard import MemberPractice, RecentSet, WeekPoint
from dojobot.storage.focus import Focus, FocusSets
from dojobot.storage.memory import ClassFact

# The page's words: English msgids, translated per request (the admin's language).
LABELS = {
    "title": N_("📊 Class dashboard"),
    "members": N_("Members"),
    "facts": N_("Facts"),
    "trends": N_("Weeks"),
    "focus": N_("Focus"),
    "period": N_("Period"),
    "topic": N_("Topic"),
    "all_topics": N_("All topics"),
    "week": N_("This week"),
    "month": N_("This month"),
    "all": N_("All time"),
    "idle": N_("Not practised this week"),
    "none_idle": N_("Everyone has practised this week. 🎉"),
    "name": N_("Name"),
    "stage": N_("Stage"),
    "reps": N_("Reps"),
    "accuracy": N_("Accuracy"),
    "median": N_("Median"),
    "last": N_("Last practised"),
    "streak": N_("Streak"),
    "focus_sets": N_("Focus sets"),
    "no_members": N_("No one has joined the class yet: members join with /join in the group."),
    "sort_hint": N_("Tap a column to sort; tap a name for the member's page."),
    "grid": N_("Members × topics"),
    "grid_hint": N_("Each cell: the stage now and the reps in the period. Tap a topic to "
                    "sort by it, a cell for every figure."),
    "grid_empty": N_("No member has practised yet."),
    "back": N_("⬅️ Back to the class"),
    "recent_sets": N_("Recent sets"),
    "no_sets": N_("No finished sets yet."),
    "fluency": N_("Fluency map"),
    "fluent": N_("fluent"),
    "slow": N_("not fluent yet"),
    "missed": N_("likely forgotten"),
    "unseen": N_("not seen yet"),
    "due": N_("• due for review today"),
    "no_map": N_("This topic has no fact map at the member's stage."),
    "grid_caption": N_("Share of members fluent in each fact"),
    "no_grid": N_("No member has practised these facts yet."),
    "grid_topic_none": N_("This topic has no fact map."),
    "level": N_("Level"),
    "target": N_("Sets per member this week (optional, 1 to 20)"),
    "set_focus": N_("🎯 Set this week's focus"),
    "clear_focus": N_("Clear the focus"),
    "no_focus": N_("No focus this week."),
    "export": N_("📄 Send the CSV to my private chat"),
    "export_hint": N_("The same file as /board export: every member's figures for the "
                      "period and topic above."),
    "loading": N_("Loading…"),
    "week_of": N_("Week of"),
    "active": N_("Active members"),
    "chart_reps": N_("Reps per week"),
    "chart_active": N_("Members who practised, per week"),
    "chart_accuracy": N_("Accuracy per week"),
    "chart_median": N_("Median time per week"),
}


def labels() -> dict[str, str]:
    """Every word of the page, translated."""
    return {key: _(text) for key, text in LABELS.items()}


def _share(value: float | None) -> str:
    """'75%', or a dash where there were no answers (a table cell, not a sentence)."""
    return DASH if value is None else percent(value)


def _day(at_ms: int | None, tz: str) -> str:
    if at_ms is None:
        return DASH
    return short_day(local_date(at_ms, zone(tz)))


def focus_json(catalogue: Catalogue, focus: Focus | None, members: Sequence[FocusSets]) -> (
    dict[str, Any] | None
):
    """The focus, and how many current members met it."""
    if focus is None:
        return None
    topic = catalogue.topic(focus.topic_id)
    level = catalogue.level(focus.level_id)
    met = sum(has_met(m.sets_done, focus.target_sets) for m in members)
    target = focus.target_sets
    summary = ngettext(
        "{met} of {n} member met it.", "{met} of {n} members met it.", len(members)
    ).format(met=number(met), n=number(len(members)))
    return {
        "topic_id": focus.topic_id, "level_id": focus.level_id, "target": target,
        "name": " · ".join(shown(x.display_name) for x in (topic, level) if x is not None),
        "each": ngettext("{n} set each", "{n} sets each", target).format(n=number(target))
        if target else "",
        "summary": summary,
    }


# The grid's column heads: each topic's sign, the same in every language (the full name
# is the head's title and the grid's key below it).
TOPIC_SIGNS = {
    "add": "+", "sub": "−", "mul": "×", "div": "÷", "mod": "mod", "exp": "xⁿ", "root": "√",
    "add_w_negatives": "+(−)", "subtract_w_negatives": "−(−)",
}


def grid_topics(
    catalogue: Catalogue, practice: Mapping[int, MemberPractice],
    reps: Mapping[tuple[int, int], int],
) -> list[dict[str, Any]]:
    """The grid's columns: the topics a current member has a stage in or answered in the
    period, in the catalogue's order."""
    used = {t for p in practice.values() for t in p.stages} | {t for _u, t in reps}
    return [{"id": t.topic_id, "sign": TOPIC_SIGNS.get(t.code, t.code),
             "name": shown(t.display_name)}
            for t in catalogue.topics if t.topic_id in used]


def _topic_cells(
    catalogue: Catalogue, user_id: int, stages: Mapping[int, int],
    reps: Mapping[tuple[int, int], int],
) -> dict[str, dict[str, Any]]:
    """One member's grid cells: per topic, the stage now and the reps in the period. The
    page writes the reps in the admin's digits (Intl): up to 9 topics × every member of
    Babel's formatting was a third of the page's time."""
    topics = set(stages) | {t for u, t in reps if u == user_id}
    cells = {}
    for topic_id in topics:
        stage_id = stages.get(topic_id)
        cells[str(topic_id)] = {
            "stage": stage_id or 0,
            "stage_text": catalogue.stage(stage_id).display_name if stage_id else DASH,
            "reps": reps.get((user_id, topic_id), 0),
        }
    return cells


def member_rows(
    catalogue: Catalogue, entries: Sequence[Entry], practice: Mapping[int, MemberPractice],
    reps: Mapping[tuple[int, int], int],
    focus: Focus | None, focus_sets: Mapping[int, int], topic_id: int | None,
    week: Bounds, tz: str,
) -> list[dict[str, Any]]:
    """One row per current member: the board's figures for the period and topic, the
    stage (the topic's, or the highest), last practice, streak, sets toward the focus, and
    the member's cells of the members × topics grid."""
    rows = []
    for entry in entries:
        mine = practice.get(entry.user_id)
        stages = mine.stages if mine else {}
        last = mine.last_practised_ms if mine else {}
        if topic_id is not None:
            stage_id = stages.get(topic_id)
            last_ms = last.get(topic_id)
        else:
            stage_id = max(stages.values(), default=None)
            last_ms = max(last.values(), default=None)
        any_last = max(last.values(), default=None)
        sets = focus_sets.get(entry.user_id, 0)
        streak = mine.streak_days if mine else 0
        rows.append({
            "id": entry.user_id, "name": entry.name,
            "reps": entry.reps, "reps_text": number(entry.reps),
            "accuracy": entry.accuracy, "accuracy_text": _share(entry.accuracy),
            "median": entry.median_ms, "median_text": seconds(entry.median_ms),
            "stage": stage_id, "stage_text": catalogue.stage(stage_id).display_name
            if stage_id else DASH,
            "last": last_ms, "last_text": _day(last_ms, tz),
            "streak": streak,
            "streak_text": number(streak) + ("+" if mine and mine.streak_capped else ""),
            "week": any_last is not None and any_last >= week.start_ms,
            "focus_sets": sets if focus else None,
            "focus_met": has_met(sets, focus.target_sets) if focus else None,
            "topics": _topic_cells(catalogue, entry.user_id, stages, reps),
        })
    return rows


def fact_grid(facts: Sequence[Fact], members: int, counts: Sequence[ClassFact]) -> (
    list[dict[str, Any]]
):
    """Each fact of the map with the share of members fluent in it (None: nobody met it)."""
    by_key = {c.fact: c for c in counts}
    cells = []
    for fact in facts:
        counted = by_key.get(fact.key)
        share = counted.fluent / members if counted and members else None
        cells.append({"r": fact.row, "c": fact.col, "q": written(fact.label), "share": share,
                      "text": _share(share),
                      "colour": None if share is None else _hex(share_colour(share)),
                      "seen": counted.seen if counted else 0})
    return cells


def grid_legend() -> list[dict[str, str]]:
    """The class grid's legend: the same four steps, colours and words as /board facts."""
    return [{"colour": _hex(colour), "text": text} for colour, text in class_legend()]


def _hex(colour: tuple[int, int, int]) -> str:
    return "#{:02x}{:02x}{:02x}".format(*colour)


def member_map(facts: Sequence[Fact], summary: CardMap) -> list[dict[str, Any]]:
    """Each fact of a member's map in the /progress map's bands (engine/cards.band: fluent,
    not fluent yet, likely forgotten, not seen), and whether it is due today."""
    cells = []
    for f in facts:
        cells.append({"r": f.row, "c": f.col, "q": written(f.label),
                      "s": str(summary.bands[f.key]), "due": f.key in summary.due})
    return cells


def recent_sets_json(catalogue: Catalogue, sets: Sequence[RecentSet], tz: str) -> (
    list[dict[str, Any]]
):
    """A member's recent sets as the page lists them."""
    rows = []
    for s in sets:
        topic = catalogue.topic(s.topic_id)
        level = catalogue.level(s.level_id) if s.level_id is not None else None
        what = " · ".join(
            [shown(x.display_name) for x in (topic, level) if x is not None]
            + [catalogue.stage(s.stage_id).display_name]
        )
        rows.append({
            "what": what, "day": _day(s.start_ms, tz),
            "reps": ngettext("{right} right of {n}", "{right} right of {n}", s.reps).format(
                right=number(s.correct), n=number(s.reps)),
            "accuracy": _share(s.correct / s.reps if s.reps else None),
            "median": seconds(s.median_ms),
        })
    return rows


def _bars(title: str, values: Sequence[float | None], texts: Sequence[str],
          days: Sequence[str], top: float | None = None) -> str:
    """A small bar chart as inline SVG; its <title> and the table beside it carry the
    numbers for screen readers. Colours come from the page's theme (currentColor)."""
    width, height, pad = 320, 84, 16
    step = (width - 2) / max(len(values), 1)
    peak = top or max((v for v in values if v is not None), default=0) or 1
    parts = [
        f'<svg viewBox="0 0 {width} {height + pad}" role="img" '
        f'aria-label="{escape(title)}" class="chart"><title>{escape(title)}</title>'
    ]
    for i, (value, text, day) in enumerate(zip(values, texts, days, strict=True)):
        x = 1 + i * step
        h = 0 if value is None else max(1.0, (height - 16) * value / peak)
        parts.append(
            f'<rect x="{x + 2:.1f}" y="{height - h:.1f}" width="{step - 4:.1f}" '
            f'height="{h:.1f}" rx="2"><title>{escape(day)}: {escape(text)}</title></rect>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{height - h - 3:.1f}" '
            f'text-anchor="middle">{escape(text)}</text>'
        )
        parts.append(
            f'<text x="{x + step / 2:.1f}" y="{height + pad - 4}" class="axis" '
            f'text-anchor="middle">{escape(day)}</text>'
        )
    parts.append("</svg>")
    return "".join(parts)


def trends_json(points: Sequence[WeekPoint], tz: str) -> dict[str, Any]:
    """The weeks as a table (the charts' text alternative) and four inline SVG charts."""
    days = [short_day(_week_day(p.start_ms, tz)) for p in points]
    rows = [
        {"week": day, "reps": number(p.reps), "active": number(p.active_members),
         "accuracy": _share(p.accuracy), "median": seconds(p.median_ms)}
        for day, p in zip(days, points, strict=True)
    ]
    series = (
        ("chart_reps", [p.reps for p in points], "reps", None),
        ("chart_active", [p.active_members for p in points], "active", None),
        ("chart_accuracy", [p.accuracy for p in points], "accuracy", 1.0),
        ("chart_median", [p.median_ms for p in points], "median", None),
    )
    charts = []
    for label, values, column, top in series:
        title = _(LABELS[label])
        texts = ["" if v is None else r[column] for v, r in zip(values, rows, strict=True)]
        charts.append({"title": title, "svg": _bars(title, values, texts, days, top)})
    return {"rows": rows, "charts": charts}


def _week_day(start_ms: int, tz: str) -> date:
    return local_date(start_ms, zone(tz))
