"""The third extension point, beside guards and events: panels on the case page.

`cases` knows no documents, portfolio, meetings or notifications; each shows its part of the
case page through a panel it registers in its AppConfig.ready(): "for the steps bound by these
bindings (or every step), render this template with data from this function". The case page
checks visibility once, builds a `PanelContext` and asks `build_panels` for everything; each
panel's data function is called once per page, for all its steps together, so it can read
set-wise in a bounded number of queries. Template tags only format.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode

from anskaf.process.bindings import StepBinding
from anskaf.process.model import ProcessModel


class Place:
    """Where on the case page a panel renders."""

    STEP_META = "step_meta"  # in the step's status line (deadline)
    STEP_HEAD = "step_head"  # under the step's heading, always shown (portfolio)
    STEP_BODY = "step_body"  # in the step's body, rendered only for open steps (documents)
    # A lazy step part another panel places (in its template, `cases/includes/lazy_panel.html`)
    # where it has something to show, or renders in place (`PanelContext.inline_parts`):
    # never placed by the page itself (the documents' list).
    STEP_PART = "step_part"
    CASE = "case"  # a section of the case after the steps (the board's rounds)
    HISTORY = "history"  # the case's own history at the end (the timeline; the page places it)


@dataclass(frozen=True)
class PanelContext:
    """What the page hands every panel. The viewer may see the case: the page checked it."""

    viewer: Any  # orgs.User
    case: Any  # cases.Case, with its step states and decisions prefetched
    model: ProcessModel
    steps: Sequence[Any]  # the page's step views (number, definition, state, open)
    params: Any  # the request's query parameters (e.g. a search on a step)
    # The page renders lazy parts in place (the step's own page, a closed step's body): a
    # panel that places a part itself (Place.STEP_PART) brings its content instead.
    inline_parts: bool = False


# A data function gets the context and the numbers of the steps it renders on (empty for a
# CASE panel) and returns the template's context per step number; a number it leaves out shows
# no panel (a CASE panel returns {0: context} or {}).
PanelData = Callable[[PanelContext, list[int]], dict[int, dict[str, Any]]]
# What a lazy panel's cached fragment depends on (ADR 0042): `version` of the data it shows,
# `signature` of the viewer's answers it shows (never the viewer's id). Both read at most a
# row or two; the context's `steps` is empty when they are called.
PanelKey = Callable[[PanelContext], Hashable]


@dataclass(frozen=True)
class Lazy:
    """A read-only panel the case page loads as a fragment of its own, after the first
    response: `/sager/<pk>/dele/<slug>/` (htmx; the link `label` without JavaScript)."""

    slug: str
    label: str  # the no-JavaScript link, Danish: "Vis sagens tidslinje"
    version: PanelKey
    signature: PanelKey
    # Query parameters of the case page the part reads (a search); given, the part is the
    # viewer's own and not cached.
    params: tuple[str, ...] = ()
    title: str = ""  # the heading of the part's own page, when its fragment has none
    # Whether its data reads the case's steps (prefetched states and decisions, step views);
    # the timeline does not, nor the documents' list (a step part without them gets each step
    # as a `PartStep`: its number and definition).
    needs_steps: bool = True


@dataclass
class PartStep:
    """A step of a lazy part that reads no step views (`Lazy.needs_steps` off)."""

    number: int
    definition: Any  # StepDef
    open: bool = True


@dataclass(frozen=True)
class Panel:
    name: str
    place: str
    template: str
    data: PanelData
    bindings: tuple[StepBinding, ...] = ()  # empty: every step (for STEP_* places)
    lazy: Lazy | None = None  # None: rendered with the page


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


def lazy_panel(slug: str) -> Panel | None:
    return next((p for p in _panels if p.lazy is not None and p.lazy.slug == slug), None)


def bound_numbers(panel: Panel, model: ProcessModel) -> set[int]:
    """The model's step numbers a step panel may show on (every step without bindings)."""
    if not panel.bindings:
        return {s.number for s in model.steps}
    return {n for b in panel.bindings if (n := b.number(model)) is not None}


def _numbers(panel: Panel, context: PanelContext, placeholders: bool) -> list[int]:
    """The page's step numbers the panel renders on; a binding the model lacks is silent. A
    lazy head panel waits on a closed step: its body fragment brings it (ADR 0042), unless the
    page was asked for it (a search the panel answers, whose anchor is on the step)."""
    steps = context.steps
    waits = (placeholders and panel.lazy is not None
             and not any(context.params.get(k) for k in panel.lazy.params))
    if panel.place == Place.STEP_BODY or waits:
        steps = [s for s in steps if getattr(s, "open", True)]
    if not panel.bindings:
        return [s.number for s in steps]
    bound = {b.number(context.model) for b in panel.bindings} - {None}
    return [s.number for s in steps if s.number in bound]


STEP_PLACES = (Place.STEP_META, Place.STEP_HEAD, Place.STEP_BODY)
ALL_PLACES = (*STEP_PLACES, Place.CASE)  # the history is placed by the page itself
CASE_PLACES = (Place.CASE, Place.HISTORY)


LAZY_TEMPLATE = "cases/includes/lazy_panel.html"


def _query(lazy: Lazy, number: int, params: Any) -> str:
    """The part's query string: its step (`trin`) and the page's parameters it reads."""
    pairs = [("trin", str(number))] if number else []
    pairs += [(k, params.get(k)) for k in lazy.params if params.get(k)]
    return urlencode(pairs)


def build_panels(context: PanelContext, places: tuple[str, ...] = ALL_PLACES, *,
                 placeholders: bool = True, only: str | None = None) -> PagePanels:
    """The panels of the places the page renders (a step's fragment needs only its body). A
    lazy panel is a placeholder that loads it (no data read) unless `placeholders` is off, as
    for its own fragment (`only`: that panel alone) and the one-step page."""
    page = PagePanels()
    for panel in (p for p in _panels if p.place in places and only in (None, p.name)):
        case_level = panel.place in CASE_PLACES
        numbers = [] if case_level else _numbers(panel, context, placeholders)
        if not case_level and not numbers:
            continue
        if placeholders and panel.lazy is not None:
            shown = {n: {"lazy": panel.lazy, "n": n or None,
                         "query": _query(panel.lazy, n, context.params)} for n in numbers or [0]}
            template = LAZY_TEMPLATE
        else:
            shown, template = panel.data(context, numbers), panel.template
        for number, data in shown.items():
            page.by_place.setdefault(panel.place, {}).setdefault(number, []).append(
                RenderedPanel(panel.name, template, data))
    return page
