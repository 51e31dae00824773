"""The mixed benchmark's pure helpers (bench/mixlib.py): percentiles, the parts a page loads by
itself, the random filters and the writes. No database: the bench's own data is never needed."""

from __future__ import annotations

import random
from urllib.parse import parse_qsl

from bench.mixlib import (
    ACTIONS,
    SORTS,
    STATUSES,
    WRITES,
    case_list_query,
    choose,
    pct,
    self_loading_parts,
    write_request,
)


def test_pct_is_the_nearest_rank():
    values = list(range(1, 101))  # 1..100
    assert pct(values, 50) == 50
    assert pct(values, 95) == 95
    assert pct(values, 99) == 99
    assert pct(values, 100) == 100
    assert pct([7.0], 95) == 7.0
    assert pct([3, 1, 2], 50) == 2  # unsorted input
    assert pct([], 50) != pct([], 50)  # nan


def test_self_loading_parts_only_those_that_load_on_load():
    page = """
    <div class="anskaf-lazy" id="portefoelje" hx-get="/sager/7/dele/portefoelje/?trin=12&amp;x=1"
         hx-trigger="load" hx-swap="outerHTML" hx-disinherit="*"><p>...</p></div>
    <details hx-get="/sager/7/dele/tidslinje/" hx-trigger="toggle once" hx-target="#t"></details>
    <details hx-get="/sager/7/trin/3/?del=indhold" hx-trigger="toggle once"></details>
    <div hx-trigger="load delay:1s, click" hx-get="/sager/7/dele/it-visitationen/"></div>
    <div hx-get="/sager/7/dele/ingen/"></div>
    """
    assert self_loading_parts(page) == ["/sager/7/dele/portefoelje/?trin=12&x=1",
                                        "/sager/7/dele/it-visitationen/"]
    assert self_loading_parts("<p>no parts</p>") == []


def test_choose_follows_the_weights():
    rng = random.Random(1)
    picks = [choose(rng, ACTIONS) for _ in range(20000)]
    total = sum(ACTIONS.values())
    writes = sum(picks.count(w) for w in WRITES) / len(picks)
    assert abs(writes - sum(ACTIONS[w] for w in WRITES) / total) < 0.01  # about one in ten
    assert 0.08 <= writes <= 0.12
    assert choose(rng, {"floor": 1}) == "floor"


def test_case_list_query_is_always_valid():
    rng = random.Random(2)
    seen = set()
    for _ in range(500):
        params = dict(parse_qsl(case_list_query(rng, [11, 12], [1, 2, 3, 4, 5])))
        seen.update(params)
        assert params.get("status", "active") in STATUSES
        assert int(params.get("phase", 1)) in (1, 2, 3, 4, 5)
        assert int(params.get("unit", 11)) in (11, 12)
        assert params.get("sort", "number") in SORTS
    assert {"status", "phase", "unit", "q", "mine", "sort"} <= seen
    assert "unit" not in dict(parse_qsl(case_list_query(random.Random(3), [], [])))


def test_write_request_shapes():
    rng = random.Random(4)
    task = {"case": 5, "step": 9, "checklist": ["a", "b"]}
    assert write_request(rng, "write complete", task, "t") == (
        "POST", "/api/v1/cases/5/steps/9/complete", {})
    method, path, body = write_request(rng, "write checklist", task, "t")
    assert (method, path) == ("PATCH", "/api/v1/cases/5/steps/9")
    assert body["checklist"][0]["id"] in ("a", "b") and isinstance(body["checklist"][0]["done"],
                                                                   bool)
    # no checklist on the step: the remarks instead
    assert write_request(rng, "write checklist", {**task, "checklist": []}, "t")[2] == {
        "remarks": "Bench-bemærkning t"}
    assert write_request(rng, "write remarks", task, "t")[2] == {"remarks": "Bench-bemærkning t"}


def test_the_plan_completes_only_steps_the_person_may_complete(db, coordinator, requester,
                                                               manager):
    """Step 12 is worked on by the requesting department and completed by its management or
    the coordinator: the mixed workload plans no completion the API would answer with 403."""
    from anskaf import testing
    from anskaf.cases import selectors
    from bench.mixed_prepare import may_complete

    case = testing.advance(coordinator, testing.new_case(coordinator), 11)
    for person, expected in ((requester, set()), (manager, {(case.pk, 12)})):
        tasks = [t for t in selectors.my_tasks(viewer=person)
                 if t.case.pk == case.pk and t.step.number == 12 and t.actionable]
        assert tasks, person.username  # step 12 is on both lists
        assert may_complete(person, tasks) == expected
