"""In-process cost of the case page and its parts (queries, CPU ms): a quick before/after
measure on a fresh SQLite database with cases built through the real services (ADR 0042).

    .venv/bin/python bench/case_page_cost.py [--repeat 30]

Prints, per URL, the queries of one request and the median CPU time of `--repeat` requests,
with the cache cold (cleared before each request: fragments and the task count) and warm.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
_db = Path(tempfile.mkdtemp()) / "cost.sqlite3"
os.environ["DATABASE_URL"] = f"sqlite:///{_db}"
os.environ.setdefault("SECRET_KEY", "bench-not-secret")
os.environ.setdefault("ANSKAF_TESTING", "1")
os.environ["ALLOWED_HOSTS"] = "testserver"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anskaf.settings")

import django  # noqa: E402

django.setup()

from django.core.cache import cache  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.urls import reverse  # noqa: E402

from anskaf import testing  # noqa: E402


def _world():  # type: ignore[no-untyped-def]
    call_command("migrate", verbosity=0)
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    for i in range(5):  # some history in the municipality
        testing.advance(coordinator, testing.new_case(coordinator, title=f"Sag {i}"),
                        through=i * 3)
    case = testing.new_case(coordinator, title="Målt sag", replaces_system=True,
                            replaced_system_name="Gammelt system")
    testing.advance(coordinator, case, through=9)
    return coordinator, case


def _urls(case) -> list[str]:  # type: ignore[no-untyped-def]
    urls = [reverse("cases:case_detail", args=[case.pk])]
    parts = [reverse("cases:case_part", args=[case.pk, part])
             for part in ("tidslinje", "it-visitationen", "portefoelje")]
    return [*urls, *parts]


def _cpu_ms(client: Client, url: str, repeat: int, warm: bool) -> tuple[float, int]:
    times = []
    for _ in range(repeat):
        if not warm:
            cache.clear()
        headers = {"HX-Request": "true"} if "/dele/" in url else {}
        start = time.process_time()
        response = client.get(url, headers=headers)
        times.append((time.process_time() - start) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(times), len(response.content)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    coordinator, case = _world()
    client = Client()
    client.force_login(coordinator)
    print(f"{'url':40} {'q cold':>5} {'q warm':>5} {'cold ms':>8} {'warm ms':>8} {'bytes':>7}")
    for url in _urls(case):
        cache.clear()
        client.get(url)
        cache.clear()
        connection.queries_log.clear()  # a full log (maxlen) would count nothing
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers={"HX-Request": "true"} if "/dele/" in url else {})
        count = len(queries)
        with CaptureQueriesContext(connection) as queries:
            client.get(url, headers={"HX-Request": "true"} if "/dele/" in url else {})
        warm_count = len(queries)
        cold, size = _cpu_ms(client, url, args.repeat, warm=False)
        warm, _ = _cpu_ms(client, url, args.repeat, warm=True)
        print(f"{url:40} {count:5d} {warm_count:5d} {cold:8.1f} {warm:8.1f} {size:7d}")


if __name__ == "__main__":
    main()
