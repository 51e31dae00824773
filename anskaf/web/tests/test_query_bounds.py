"""Query bounds: every page and every API read costs a fixed number of SQL queries.

Walks the same URL configuration and OpenAPI document as the access matrix, so a new page or
endpoint is measured without being listed here. Each is fetched with 3 cases in the
municipality and again with 30 (at different steps, with decisions, remarks and assignments):
the count must not change (no N+1) and must stay within the budget.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from anskaf import testing
from anskaf.cases import services

from .test_access_matrix import (
    API_RULES,
    WEB_RULES,
    _expected,
    _kwargs,
    api_operations,
    api_url,
    site_urls,
    world,
)

__all__ = ["world"]  # the access matrix's fixture, shared

BUDGET = 12  # queries per page or API read, beyond the few pages named below
# The case page and the step page assemble the apps' panels (cases.panels), each in a fixed
# number of set-wise queries; they were 25 and 18 before the panels left the template tags.
# The case page: +2 for its comments and the people they mention (ADR 0028).
# Issue 23: the viewer's roles are cached (ADR 0041) and the menu's counters read in one
# query, 5-6 queries fewer on every page (budget 15, the case page 26, the step page 18); the
# timeline, the board's rounds and the portfolio are parts of their own (ADR 0042), each
# walked here as a page (`cases:case_part`, within BUDGET). The step's documents are a part
# too (their upload stays, in 2 queries instead of 4): the case page 15 -> 13 here (budget 20).
# Issue 23 item 4: the pages people use most and the API's reads of the same, at their counts
# in this world (constant in the data size: the walk above), so that a query more shows.
PAGE_BUDGETS = {"cases:case_detail": 13, "cases:step_detail": 12, "cases:case_part": 5,
                "cases:my_tasks": 7, "cases:case_list": 8, "portfolio:system_list": 6}
API_BUDGETS = {"/api/v1/cases/{case_id}": 6, "/api/v1/tasks": 6, "/api/v1/cases": 4,
               "/api/v1/systems": 3}
VIEWERS = ("coordinator", "admin")  # the first who may open the page measures it


def _grow(world, count: int) -> None:
    coordinator = world["people"]["coordinator"]
    for i in range(count):
        case = testing.new_case(coordinator, title=f"Målesag {i}")
        testing.advance(coordinator, case, through=i % 8)
        services.step_update(actor=coordinator, case_id=case.pk, number=max(1, i % 8 + 1),
                             remarks=f"Bemærkning {i} – æøå")


def _pages(world) -> dict[str, tuple[str, str]]:
    """url -> (name, viewer) for every GET page some viewer may open."""
    pages = {}
    for name, pattern in site_urls().items():
        rule = WEB_RULES.get(name)
        if rule is None or rule.get("method", "get") != "get":
            continue
        viewer = next((v for v in VIEWERS if _expected(rule, v) == 200), None)
        if viewer is not None:
            pages[reverse(name, kwargs=_kwargs(name, pattern, world))] = (name, viewer)
    return pages


def _api_reads(world, client: Client) -> dict[str, tuple[str, str]]:
    """Every GET operation, read by the first viewer the access matrix lets in (the board's
    reads, e.g. /board/queue, by the board)."""
    case, reads = world["case"], {}
    for method, path in api_operations(client):
        if method != "get" or "openapi" in path:
            continue
        rule = API_RULES.get((method, path), {"other": 200})
        viewer = next((v for v in (*VIEWERS, "board") if _expected(rule, v) == 200), None)
        if viewer is not None:
            reads[api_url(path, case, world)] = (path, viewer)
    return reads


def _measure(world, urls: dict[str, tuple[str, str]]) -> dict[str, int]:
    counts = {}
    clients = {}
    for url, (_, viewer) in urls.items():
        client = clients.setdefault(viewer, Client())
        client.force_login(world["people"][viewer])
        client.get(url)  # warm per-process caches (process models), as a running server has
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200, f"{url}: {response.status_code}"
        counts[url] = len(captured.captured_queries)
    return counts


@pytest.mark.parametrize("kind", ["pages", "api"])
def test_every_read_costs_the_same_queries_for_3_and_30_cases(kind, world):
    urls = _pages(world) if kind == "pages" else _api_reads(world, Client())
    assert len(urls) >= (5 if kind == "pages" else 3)  # the walk found the site
    _grow(world, 3)
    few = _measure(world, urls)
    _grow(world, 27)
    many = _measure(world, urls)
    grew = {url: (few[url], many[url]) for url in urls if many[url] != few[url]}
    assert not grew, f"query count grows with the data (3 -> 30 cases): {grew}"
    budgets = {**PAGE_BUDGETS, **API_BUDGETS}
    over = {url: n for url, n in many.items() if n > budgets.get(urls[url][0], BUDGET)}
    assert not over, f"over the budget ({BUDGET}, or as PAGE_BUDGETS/API_BUDGETS say): {over}"
    assert {urls[url][0] for url in urls} >= set(PAGE_BUDGETS if kind == "pages" else API_BUDGETS)
