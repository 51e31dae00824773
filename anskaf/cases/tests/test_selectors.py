"""selectors: the organisation's cases, filters, search, keyset pages, detail and timeline."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.cases import permissions, selectors, services
from anskaf.cases.errors import NotFound, ValidationFailed
from anskaf.cases.selectors import CaseFilters

from .helpers import fresh

pytestmark = pytest.mark.django_db


def listed(viewer, **filters):
    return [c.pk for c in selectors.case_list(viewer=viewer, filters=CaseFilters(**filters))]


def test_the_list_holds_only_the_viewers_organisation(coordinator, outsider):
    mine = testing.new_case(coordinator)
    theirs = testing.new_case(outsider)
    assert listed(coordinator) == [mine.pk]
    assert listed(outsider) == [theirs.pk]


def test_the_most_recently_changed_case_comes_first(coordinator):
    a = testing.new_case(coordinator, title="A")
    b = testing.new_case(coordinator, title="B")
    assert listed(coordinator) == [b.pk, a.pk]
    services.step_update(actor=coordinator, case_id=a.pk, number=1, remarks="nyt")
    assert listed(coordinator) == [a.pk, b.pk]


def test_it_filters_by_status(coordinator):
    active = testing.new_case(coordinator)
    withdrawn = testing.new_case(coordinator)
    services.case_withdraw(actor=coordinator, case_id=withdrawn.pk, reason="Ikke aktuelt")
    assert listed(coordinator, status="withdrawn") == [withdrawn.pk]
    assert listed(coordinator, status="active") == [active.pk]
    assert listed(coordinator, status="completed") == []


def test_it_filters_by_phase(coordinator):
    early = testing.new_case(coordinator)
    later = testing.new_case(coordinator)
    testing.advance(coordinator, later, through=6)
    assert listed(coordinator, phase=1) == [early.pk]
    assert listed(coordinator, phase=3) == [later.pk]
    assert listed(coordinator, phase=5) == []


def test_it_filters_by_requesting_unit(coordinator, unit, other_unit):
    here = testing.new_case(coordinator)
    there = testing.new_case(coordinator, unit=other_unit.pk)
    assert listed(coordinator, unit=unit.pk) == [here.pk]
    assert listed(coordinator, unit=other_unit.pk) == [there.pk]


@pytest.mark.parametrize("q", ["økonomi", "ØKONOMI", "Økonomi", "konomisy"])
def test_search_finds_the_title_whatever_the_case_of_the_letters(coordinator, q):
    hit = testing.new_case(coordinator, title="Økonomisystem til Teknik")
    testing.new_case(coordinator, title="Nyt ESDH")
    assert listed(coordinator, q=q) == [hit.pk]


def test_search_finds_the_case_number(coordinator, year):
    testing.new_case(coordinator)
    second = testing.new_case(coordinator)
    assert listed(coordinator, q=f"{year}-002") == [second.pk]


def test_search_treats_like_wildcards_as_text(coordinator):
    testing.new_case(coordinator, title="Nyt ESDH")
    hit = testing.new_case(coordinator, title="Rabat 100% på licenser")
    assert listed(coordinator, q="%") == [hit.pk]
    assert listed(coordinator, q="_") == []


def test_search_follows_a_renamed_title(coordinator, case):
    services.case_update(actor=coordinator, case_id=case.pk, data={"title": "Løn og Personale"})
    assert listed(coordinator, q="løn og") == [case.pk]
    assert listed(coordinator, q="økonomisystem") == []


def test_search_never_reaches_another_organisation(coordinator, outsider):
    testing.new_case(outsider, title="Økonomi")
    assert listed(coordinator, q="økonomi") == []


def test_filters_combine(coordinator, other_unit):
    testing.new_case(coordinator, title="Økonomi A")
    hit = testing.new_case(coordinator, title="Økonomi B", unit=other_unit.pk)
    testing.new_case(coordinator, title="ESDH", unit=other_unit.pk)
    assert listed(coordinator, q="økonomi", unit=other_unit.pk, status="active", phase=1) == [
        hit.pk]


def test_keyset_pages_cover_every_case_once_in_order(coordinator):
    cases = [testing.new_case(coordinator, title=f"Sag {i}") for i in range(7)]
    expected = [c.pk for c in reversed(cases)]
    seen, after = [], None
    while True:
        page = selectors.case_list(viewer=coordinator, filters=CaseFilters(), after=after,
                                   limit=3)
        seen += [c.pk for c in page]
        if len(page) < 3:
            break
        after = (page[-1].updated_at, page[-1].pk)
    assert seen == expected


def test_keyset_pages_break_ties_in_updated_at_by_id(coordinator):
    cases = [testing.new_case(coordinator, title=f"Sag {i}") for i in range(4)]
    same = cases[0].updated_at
    from anskaf.cases.models import Case

    Case.objects.filter(pk__in=[c.pk for c in cases]).update(updated_at=same)
    first = selectors.case_list(viewer=coordinator, filters=CaseFilters(), limit=2)
    rest = selectors.case_list(viewer=coordinator, filters=CaseFilters(),
                               after=(same, first[-1].pk), limit=10)
    assert [c.pk for c in first + rest] == sorted((c.pk for c in cases), reverse=True)


def test_the_limit_caps_the_page(coordinator):
    for _ in range(3):
        testing.new_case(coordinator)
    assert len(selectors.case_list(viewer=coordinator, filters=CaseFilters(), limit=2)) == 2


PHASES = (1, 2, 3, 4, 5)


def test_parse_filters_reads_query_parameters():
    filters = selectors.parse_filters({"status": "active", "phase": "2", "unit": "7",
                                       "q": "  økonomi "}, PHASES)
    assert filters == CaseFilters(status="active", phase=2, unit=7, q="økonomi")
    assert selectors.parse_filters({}, PHASES) == CaseFilters()
    assert selectors.parse_filters({"status": "", "phase": "", "q": "  "}, PHASES) == CaseFilters()


def test_parse_filters_names_every_bad_parameter():
    with pytest.raises(ValidationFailed) as info:
        selectors.parse_filters({"status": "lukket", "phase": "to", "unit": "x"}, PHASES)
    assert set(info.value.errors) == {"status", "phase", "unit"}


def test_the_phase_filter_takes_the_models_phases():
    assert selectors.parse_filters({"phase": "6"}, (*PHASES, 6)).phase == 6
    with pytest.raises(ValidationFailed) as info:
        selectors.parse_filters({"phase": "6"}, PHASES)
    assert info.value.errors["phase"] == "Fasen skal være en af procesmodellens faser: 1, 2, 3, 4, 5."


@pytest.mark.parametrize("name", ["phase", "unit"])
def test_an_absurdly_large_filter_number_finds_nothing_or_is_refused(coordinator, case, name):
    try:
        filters = selectors.parse_filters({name: "9" * 25}, PHASES)
    except ValidationFailed as refused:
        assert set(refused.errors) == {name}
        return
    assert selectors.case_list(viewer=coordinator, filters=filters) == []


def test_case_detail_returns_the_case_with_its_steps_and_decisions(coordinator, case):
    testing.advance(coordinator, case, through=6)
    detail = selectors.case_detail(viewer=coordinator, case_id=case.pk)
    assert detail.case.pk == case.pk
    assert [s.number for s in detail.states] == list(range(1, 22))
    assert [(d.step, d.round, d.outcome) for d in detail.decisions] == [(6, 1, "yes")]
    assert detail.model.key == "haderslev"


def test_case_detail_of_another_organisations_case_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        selectors.case_detail(viewer=outsider, case_id=case.pk)


@pytest.mark.parametrize("case_id", [10**9, 0, -1, 2**63])
def test_case_detail_of_a_missing_case_is_not_found(coordinator, case_id):
    """The id is an int (the boundary parsed it: a URL converter, the API's path); one that
    names no case, or none the database can hold, is 404."""
    with pytest.raises(NotFound):
        selectors.case_detail(viewer=coordinator, case_id=case_id)


def test_case_detail_reads_in_a_bounded_number_of_queries(coordinator, case,
                                                          django_assert_max_num_queries):
    testing.advance(coordinator, case, through=7)
    with permissions.access_cache():  # as within one request that knows the viewer's roles
        permissions.access_of(coordinator)
        with django_assert_max_num_queries(4):
            detail = selectors.case_detail(viewer=coordinator, case_id=case.pk)
            _ = [(s.completed_by, s.status) for s in detail.states]
            _ = [d.decided_by for d in detail.decisions]


def test_case_events_is_the_timeline_oldest_first(coordinator, case):
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    services.step_update(actor=coordinator, case_id=case.pk, number=2, remarks="x")
    events = selectors.case_events(viewer=coordinator, case_id=case.pk)
    assert [e.event_type for e in events] == ["case.created", "step.completed", "step.updated"]
    later = selectors.case_events(viewer=coordinator, case_id=case.pk, after_seq=events[0].seq)
    assert [e.seq for e in later] == [e.seq for e in events[1:]]


def test_case_events_of_another_organisations_case_is_not_found(outsider, case):
    with pytest.raises(NotFound):
        selectors.case_events(viewer=outsider, case_id=case.pk)


def test_the_list_carries_the_waiting_roles_without_extra_queries(
        coordinator, django_assert_max_num_queries):
    for _ in range(3):
        testing.new_case(coordinator)
    with permissions.access_cache():  # as within one request
        permissions.access_of(coordinator)  # a person's roles are read once per request
        with django_assert_max_num_queries(1):
            cases = selectors.case_list(viewer=coordinator, filters=CaseFilters())
            _ = [(c.requesting_unit.name, c.waiting_roles, c.phase) for c in cases]
    assert fresh(cases[0]).waiting_roles == cases[0].waiting_roles
