"""Pure helpers of the mixed workload (bench/mixed.py, bench/run.py): no Django, no locust, so
tests/test_bench_mixlib.py can check them without a database."""

from __future__ import annotations

import html
import math
import random
import re
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlencode

# What one person does, and how often (weights, about 100 in all): one action in ten a write.
ACTIONS: dict[str, int] = {
    "case page": 30,
    "my tasks": 12,
    "case list": 20,
    "api case": 12,
    "api case list": 8,
    "api tasks": 8,
    "write remarks": 5,
    "write checklist": 2,
    "write complete": 3,
}
WRITES = ("write remarks", "write checklist", "write complete")

STATUSES = ("active", "completed", "withdrawn", "in_operation", "rejected")
SORTS = ("", "number", "-number", "title", "updated", "moved", "-moved")
# Words of the generated titles and systems (bench/generate.py), one that matches nothing, and a
# case number's year prefix.
SEARCHES = ("system", "økonomi", "booking", "skole", "ESDH", "portal", "løn", "jobcenter",
            "zzqx", "2021", "borger")

_TAG = re.compile(r"<[^>]*\bhx-trigger\s*=\s*\"([^\"]*)\"[^>]*>", re.S)
_GET = re.compile(r"\bhx-get\s*=\s*\"([^\"]*)\"")


def pct(values: Sequence[float], p: float) -> float:
    """The p-th percentile by the nearest-rank method (the value below which p % of the samples
    fall, always one of them); nan for no samples."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[min(rank, len(ordered)) - 1]


def self_loading_parts(page: str) -> list[str]:
    """The URLs a page fetches by itself once it has loaded: every element's `hx-get` whose
    `hx-trigger` fires on `load` (not `toggle`, `click`, ...), in document order, unescaped."""
    urls = []
    for tag in _TAG.finditer(page):
        triggers = [t.strip().split()[0] for t in tag.group(1).split(",") if t.strip()]
        if "load" not in triggers:
            continue
        found = _GET.search(tag.group(0))
        if found:
            urls.append(html.unescape(found.group(1)))
    return urls


def choose(rng: random.Random, weights: dict[str, int]) -> str:
    names = list(weights)
    return rng.choices(names, weights=[weights[n] for n in names], k=1)[0]


def case_list_query(rng: random.Random, units: Sequence[int], phases: Sequence[int]
                    ) -> str:
    """A random filter of the case list as a person sets it: none, a status, a phase, a unit,
    a search, a sort, or a combination; always a valid query string (or "")."""
    params: list[tuple[str, Any]] = []
    if rng.random() < 0.4:
        params.append(("status", rng.choice(STATUSES)))
    if phases and rng.random() < 0.2:
        params.append(("phase", rng.choice(list(phases))))
    if units and rng.random() < 0.2:
        params.append(("unit", rng.choice(list(units))))
    if rng.random() < 0.35:
        params.append(("q", rng.choice(SEARCHES)))
    if rng.random() < 0.1:
        params.append(("mine", 1))
    sort = rng.choice(SORTS) if rng.random() < 0.25 else ""
    if sort:
        params.append(("sort", sort))
    return urlencode(params)


def write_request(rng: random.Random, action: str, task: dict[str, Any], stamp: str
                  ) -> tuple[str, str, dict[str, Any]]:
    """(method, path, JSON body) of a write through the API on a step the person may work on:
    remarks (PATCH), the checklist (PATCH; remarks where the step has none) or completing it."""
    path = f"/api/v1/cases/{task['case']}/steps/{task['step']}"
    if action == "write complete":
        return "POST", f"{path}/complete", {}
    if action == "write checklist" and task.get("checklist"):
        return "PATCH", path, {"checklist": [{"id": rng.choice(task["checklist"]),
                                              "done": rng.random() < 0.7}]}
    return "PATCH", path, {"remarks": f"Bench-bemærkning {stamp}"}
