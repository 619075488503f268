"""KPI reports as JSON and as text, shared by `dojobot stats` and the admin's /kpi; the
same split by a flag's arm (`dojobot stats --by-flag`)."""

from __future__ import annotations

from typing import Any

from dojobot.engine.flags import Flag
from dojobot.engine.recall import Recall
from dojobot.storage.arm_kpis import NO_ARM, ArmKpis
from dojobot.storage.kpis import Kpis

ESTIMATES_NOTE = (
    "imported legacy sessions count in total_sessions and total_reps; they carry no "
    "answers, so avg_accuracy and p50_response_ms (computed from answers) exclude them"
)


def kpis_json(kpis: Kpis, window: str) -> dict[str, Any]:
    """The KPIs with the seed's keys plus how imported estimates are treated."""
    return {
        "window": window,
        "since_ms": kpis.since_ms,
        "active_users": kpis.active_users,
        "avg_accuracy": None if kpis.avg_accuracy is None else round(kpis.avg_accuracy, 4),
        "p50_response_ms": kpis.p50_response_ms,
        "total_sessions": kpis.total_sessions,
        "total_reps": kpis.total_reps,
        "stage_distribution": kpis.stage_distribution,
        "answers": kpis.answers,
        "estimates": {
            "sessions": kpis.estimate_sessions,
            "reps": kpis.estimate_reps,
            "treatment": ESTIMATES_NOTE,
        },
    }


def kpis_lines(kpis: Kpis, window: str) -> list[str]:
    """A short plain-text report (no markup; escape it before sending as HTML)."""
    label = "all time" if window == "all" else f"last {window}"
    accuracy = (
        "no answers yet" if kpis.avg_accuracy is None else f"{kpis.avg_accuracy:.1%}"
    )
    p50 = (
        "no answers yet" if kpis.p50_response_ms is None
        else f"{kpis.p50_response_ms / 1000:.1f} s ({kpis.p50_response_ms:.0f} ms)"
    )
    stages = " · ".join(f"{code} {n}" for code, n in kpis.stage_distribution.items())
    lines = [
        f"DojoBot KPIs, {label}",
        f"Active users: {kpis.active_users}",
        f"Mean accuracy: {accuracy} (over {kpis.answers} answers)",
        f"p50 response: {p50}",
        f"Sessions: {kpis.total_sessions}",
        f"Reps: {kpis.total_reps}",
        f"Learners per stage: {stages}",
    ]
    if kpis.estimate_sessions:
        lines.append(
            f"Imported estimates: {kpis.estimate_sessions} sessions, {kpis.estimate_reps} reps "
            "(in sessions and reps; not in accuracy or p50)"
        )
    return lines


def _percent(share: float | None) -> str:
    return "no answers yet" if share is None else f"{share:.1%}"


def _recall_text(recall: Recall) -> str:
    interval = recall.interval
    if interval is None:
        return "no reviews yet (none asked 20 h or more after the fact's last answer)"
    low, high = interval
    return (f"{recall.share:.1%} (95% CI {low:.1%}-{high:.1%}, "
            f"{recall.recalled} of {recall.reviews} reviews)")


def by_arm_lines(flag: Flag, arms: list[ArmKpis], window: str) -> list[str]:
    """The KPIs of each arm of `flag`, as plain text."""
    label = "all time" if window == "all" else f"last {window}"
    roles = {flag.control: "control", flag.treatment: "treatment",
             NO_ARM: "sets from before flags"}
    lines = [f"DojoBot KPIs by {flag.name} arm, {label}"]
    for kpis in arms:
        p50 = (
            "no answers yet" if kpis.p50_response_ms is None
            else f"{kpis.p50_response_ms / 1000:.1f} s ({kpis.p50_response_ms:.0f} ms)"
        )
        lines += [
            f"{flag.name} = {kpis.arm} ({roles[kpis.arm]})",
            f"  Active users: {kpis.active_users}",
            f"  Sets: {kpis.sets} · Reps: {kpis.reps}",
            f"  Mean accuracy: {_percent(kpis.avg_accuracy)} (over {kpis.answers} answers)",
            f"  p50 response: {p50}",
            f"  Next-day recall: {_recall_text(kpis.next_day)}",
        ]
    return lines


def by_arm_json(flag: Flag, arms: list[ArmKpis], window: str) -> dict[str, Any]:
    """The same as JSON: per arm the seed's keys plus next_day_recall."""
    def one(kpis: ArmKpis) -> dict[str, Any]:
        recall = kpis.next_day
        interval = recall.interval
        return {
            "active_users": kpis.active_users,
            "total_sessions": kpis.sets,
            "total_reps": kpis.reps,
            "answers": kpis.answers,
            "avg_accuracy": None if kpis.avg_accuracy is None else round(kpis.avg_accuracy, 4),
            "p50_response_ms": kpis.p50_response_ms,
            "next_day_recall": {
                "share": None if recall.share is None else round(recall.share, 4),
                "ci95": None if interval is None else [round(x, 4) for x in interval],
                "recalled": recall.recalled,
                "reviews": recall.reviews,
            },
        }

    return {
        "flag": flag.name,
        "control": flag.control,
        "treatment": flag.treatment,
        "window": window,
        "arms": {kpis.arm: one(kpis) for kpis in arms},
    }
