"""The cases' own lazily loaded part of the case page: the timeline (ADR 0042). The page
shows it folded; opening it loads `/sager/<pk>/dele/tidslinje/` once."""

from __future__ import annotations

from typing import Any

from . import presenters, selectors
from .panels import Lazy, Panel, PanelContext, Place


def timeline_data(context: PanelContext, numbers: list[int]) -> dict[int, dict[str, Any]]:
    events = selectors.case_timeline_events(context.case, limit=1000)
    return {0: {"timeline": presenters.timeline(context.model, events)}}


def timeline_version(context: PanelContext) -> Any:
    """The timeline is the case's audit events: their latest sequence number versions it."""
    return selectors.case_audit_seq(context.case)


def same_for_everyone(context: PanelContext) -> Any:
    """Whoever may see the case sees the same timeline."""
    return ()


TIMELINE = Panel("timeline", Place.HISTORY, "cases/includes/timeline.html", timeline_data,
                 lazy=Lazy("tidslinje", "Vis sagens tidslinje", timeline_version,
                           same_for_everyone, title="Tidslinje", needs_steps=False))
