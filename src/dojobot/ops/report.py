"""KPI reports as JSON and as text, shared by `dojobot stats` and the admin's /kpi."""

from __future__ import annotations

from typing import Any

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
