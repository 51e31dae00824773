"""The mixed workload (issue 23 item 5), a locustfile run by bench/run.py: many people of many
municipalities at once, each doing what a person does.

BENCH_PLAN: the plan (bench/mixed_prepare.py) with each person's session cookie and CSRF token
(run.py logged every person in through the real login form). Every iteration a locust user
takes a random person and one action (bench/mixlib.ACTIONS; BENCH_MIX_WEIGHTS="floor=1" or
"case page=2,api case=1" overrides the weights): the case page (its first response, then every
part it loads by itself, timed as one "case page" sample), Mine opgaver, the case list with a
random filter or search, the API's case, case list and task list, and the writes through the
API (remarks, checklist, completing a step) on steps the person may work on. A refused write
(409) is counted apart, not as a failure. Times are taken here (perf_counter around the
request), with the SQL queries and server CPU (`X-Bench-Queries`, `X-Bench-CPU`,
bench/middleware.py) and the fragment cache's
answer (`X-Anskaf-Fragment`) of every response; BENCH_MIX_OUT receives them as JSON at the end.
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter, defaultdict
from typing import Any

from locust import FastHttpUser, events, task

from bench.mixlib import ACTIONS, WRITES, case_list_query, choose, self_loading_parts, write_request

with open(os.environ["BENCH_PLAN"], encoding="utf-8") as _fh:
    PLAN = json.load(_fh)
PEOPLE = PLAN["people"]
OUT = os.environ.get("BENCH_MIX_OUT", "")
WEIGHTS = dict(ACTIONS)
if os.environ.get("BENCH_MIX_WEIGHTS"):
    WEIGHTS = {k.strip(): int(v) for k, v in
               (item.split("=") for item in os.environ["BENCH_MIX_WEIGHTS"].split(","))}

# name -> list of [ms, queries]; name -> Counter of statuses; fragment cache answers.
TIMES: dict[str, list[list[float]]] = defaultdict(list)
STATUS: dict[str, Counter] = defaultdict(Counter)
FRAGMENTS: Counter = Counter()
OPENED: set[int] = set()
ACTORS: set[str] = set()
STARTED = time.time()


@events.test_start.add_listener
def _start(**_kw: Any) -> None:
    global STARTED
    STARTED = time.time()


@events.test_stop.add_listener
def _stop(**_kw: Any) -> None:
    if OUT:
        with open(OUT, "w", encoding="utf-8") as fh:
            json.dump({"times": TIMES, "status": {k: dict(v) for k, v in STATUS.items()},
                       "fragments": dict(FRAGMENTS), "opened": sorted(OPENED),
                       "actors": len(ACTORS), "orgs": len({p["org"] for p in PEOPLE
                                                           if p["username"] in ACTORS}),
                       "elapsed": time.time() - STARTED}, fh)


def _cost(resp: Any) -> list[float]:
    """[queries, CPU ms] of a response from the bench middleware's headers (-1: not there)."""
    headers = resp.headers or {}
    return [float(headers.get("X-Bench-Queries") or -1), float(headers.get("X-Bench-CPU") or -1)]


class Person(FastHttpUser):
    def on_start(self) -> None:
        self.rng = random.Random()

    def _get(self, name: str, path: str, person: dict, *, ok: tuple[int, ...] = (200,),
             htmx: bool = False, record: bool = True) -> tuple[Any, float]:
        headers = {"Cookie": person["cookie"]}
        if htmx:
            headers["HX-Request"] = "true"
        return self._send("GET", name, path, headers, None, ok, record)

    def _send(self, method: str, name: str, path: str, headers: dict, body: Any,
              ok: tuple[int, ...], record: bool) -> tuple[Any, float]:
        t0 = time.perf_counter()
        with self.client.request(method, path, name=name, headers=headers, json=body,
                                 allow_redirects=False, catch_response=True) as resp:
            ms = (time.perf_counter() - t0) * 1000
            status = resp.status_code
            if status in ok:
                resp.success()
            else:
                resp.failure(f"HTTP {status}")
        self.client.cookiejar.clear()  # each request carries its person's cookie, nothing else
        STATUS[name][str(status)] += 1
        if record:
            TIMES[name].append([ms, *_cost(resp)])
        return resp, ms

    @task
    def act(self) -> None:
        person = self.rng.choice(PEOPLE)
        ACTORS.add(person["username"])
        action = choose(self.rng, WEIGHTS)
        getattr(self, "do_" + action.replace(" ", "_"))(person, action)

    def _case(self, person: dict) -> int:
        i = person.setdefault("_next", self.rng.randrange(len(person["cases"])))
        person["_next"] = (i + 1) % len(person["cases"])  # walk the sample: many distinct cases
        case = person["cases"][i]
        OPENED.add(case)
        return case

    def do_floor(self, person: dict, name: str) -> None:
        self._get(name, "/bench/floor", person)

    def do_case_page(self, person: dict, name: str) -> None:
        resp, total = self._get("case page, first response", f"/sager/{self._case(person)}/",
                                person)
        queries, cpu = _cost(resp)
        if resp.status_code == 200:
            for url in self_loading_parts(resp.text or ""):
                part, ms = self._get("case part", url, person, htmx=True)
                total += ms
                more = _cost(part)
                queries, cpu = queries + more[0], cpu + more[1]
                FRAGMENTS[(part.headers.get("X-Anskaf-Fragment") if part.headers else None)
                          or "none"] += 1
        TIMES[name].append([total, queries, cpu])
        STATUS[name][str(resp.status_code)] += 1
        events.request.fire(request_type="PAGE", name=name, response_time=total,
                            response_length=0, exception=None, context={})

    def do_my_tasks(self, person: dict, name: str) -> None:
        self._get(name, "/opgaver/", person)

    def do_case_list(self, person: dict, name: str) -> None:
        query = case_list_query(self.rng, person["units"], person["phases"])
        self._get(name, "/sager/" + (f"?{query}" if query else ""), person)

    def do_api_case(self, person: dict, name: str) -> None:
        self._get(name, f"/api/v1/cases/{self._case(person)}", person)

    def do_api_case_list(self, person: dict, name: str) -> None:
        query = case_list_query(self.rng, person["units"], person["phases"])
        self._get(name, "/api/v1/cases" + (f"?{query}" if query else ""), person)

    def do_api_tasks(self, person: dict, name: str) -> None:
        self._get(name, "/api/v1/tasks", person)

    def _write(self, person: dict, name: str) -> None:
        tasks = person["tasks"]
        if not tasks:  # nothing this person may work on (e.g. the archive): read instead
            self.do_api_tasks(person, "api tasks")
            return
        if name == "write complete":  # only where the model lets this person complete
            tasks = [t for t in tasks if t.get("complete", True)]
            if not tasks:
                self._write(person, "write remarks")
                return
        target = self.rng.choice(tasks)
        method, path, body = write_request(self.rng, name, target, f"{time.time():.3f}")
        resp, _ = self._send(method, name, path,
                             {"Cookie": person["cookie"], "X-CSRFToken": person["csrf"]},
                             body, (200, 409), True)
        # done or refused: the step is no longer this person's to work on
        if (resp.status_code == 409 or name == "write complete") and target in person["tasks"]:
            person["tasks"].remove(target)

    do_write_remarks = do_write_checklist = do_write_complete = _write


assert set(WRITES) <= set(ACTIONS)
