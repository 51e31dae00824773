"""The third extension point, beside guards and events: panels on the case page.

`cases` knows no documents, portfolio, meetings or notifications; each shows its part of the
case page through a panel it registers in its AppConfig.ready(): "for the steps bound by these
bindings (or every step), render this template with data from this function". The case page
checks visibility once, builds a `PanelContext` and asks `build_panels` for everything; each
panel's data function is called once per page, for all its steps together, so it can read
set-wise in a bounded number of queries. Template tags only format.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from anskaf.process.bindings import StepBinding
from anskaf.process.model import ProcessModel


class Place:
    """Where on the case page a panel renders."""

    STEP_META = "step_meta"  # in the step's status line (deadline)
    STEP_HEAD = "step_head"  # under the step's heading, always shown (portfolio)
    STEP_BODY = "step_body"  # in the step's body, rendered only for open steps (documents)
    CASE = "case"  # a section of the case after the steps (the board's rounds)


@dataclass(frozen=True)
class PanelContext:
    """What the page hands every panel. The viewer may see the case: the page checked it."""

    viewer: Any  # orgs.User
    case: Any  # cases.Case, with its step states and decisions prefetched
    model: ProcessModel
    steps: Sequence[Any]  # the page's step views (number, definition, state, open)
    params: Any  # the request's query parameters (e.g. a search on a step)


# A data function gets the context and the numbers of the steps it renders on (empty for a
# CASE panel) and returns the template's context per step number; a number it leaves out shows
# no panel (a CASE panel returns {0: context} or {}).
PanelData = Callable[[PanelContext, list[int]], dict[int, dict[str, Any]]]


@dataclass(frozen=True)
class Panel:
    name: str
    place: str
    template: str
    data: PanelData
    bindings: tuple[StepBinding, ...] = ()  # empty: every step (for STEP_* places)


@dataclass(frozen=True)
class RenderedPanel:
    name: str
    template: str
    context: dict[str, Any]


@dataclass
class PagePanels:
    """The panels of one page: per place, per step number (0 for CASE), in registration order."""

    by_place: dict[str, dict[int, list[RenderedPanel]]] = field(default_factory=dict)

    def at(self, place: str, number: int = 0) -> list[RenderedPanel]:
        return self.by_place.get(place, {}).get(number, [])


_panels: list[Panel] = []


def register_panel(panel: Panel) -> None:
    if any(p.name == panel.name for p in _panels):
        raise ValueError(f"a panel named {panel.name!r} is already registered")
    _panels.append(panel)


def unregister_panel(name: str) -> None:
    _panels[:] = [p for p in _panels if p.name != name]


def _numbers(panel: Panel, context: PanelContext) -> list[int]:
    """The page's step numbers the panel renders on; a binding the model lacks is silent."""
    steps = context.steps
    if panel.place == Place.STEP_BODY:
        steps = [s for s in steps if getattr(s, "open", True)]
    if not panel.bindings:
        return [s.number for s in steps]
    bound = {b.number(context.model) for b in panel.bindings} - {None}
    return [s.number for s in steps if s.number in bound]


STEP_PLACES = (Place.STEP_META, Place.STEP_HEAD, Place.STEP_BODY)
ALL_PLACES = (*STEP_PLACES, Place.CASE)


def build_panels(context: PanelContext, places: tuple[str, ...] = ALL_PLACES) -> PagePanels:
    """The panels of the places the page renders (a step's fragment needs only its body)."""
    page = PagePanels()
    for panel in (p for p in _panels if p.place in places):
        numbers = [] if panel.place == Place.CASE else _numbers(panel, context)
        if panel.place != Place.CASE and not numbers:
            continue
        for number, data in panel.data(context, numbers).items():
            page.by_place.setdefault(panel.place, {}).setdefault(number, []).append(
                RenderedPanel(panel.name, panel.template, data))
    return page
