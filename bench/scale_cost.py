"""In-process cost per page at the data's scale: CPU ms (median) and SQL queries, one request at
a time through Django's test client, no load and no network, so municipality and national can
be compared without the noise of a shared machine (issue 23 item 5):

    DATABASE_URL=... .venv/bin/python bench/scale_cost.py [--cases 20] [--repeat 3]

Logged in as the first organisation's first coordinator (as bench/run.py); the case pages are
`--cases` random active, unrestricted cases of that organisation, each requested `--repeat`
times (the first one cold, the others with the fragment cache warm). "case page + parts" is
the first response plus every part it loads by itself. Writes the section `inprocess-<scale>`
of bench/RESULTS.md; the national one gets a column against the municipality's.
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.inprocess import setup  # noqa: E402

setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from anskaf.cases.models import Case  # noqa: E402
from anskaf.orgs.models import Organisation, User  # noqa: E402
from bench.mixlib import self_loading_parts  # noqa: E402
from bench.run import machine, write_section  # noqa: E402


def measure(client: Client, path: str, parts: bool = False) -> tuple[float, int]:
    """CPU ms of this process and queries of one page (with its parts when asked)."""
    with CaptureQueriesContext(connection) as q:
        t0 = time.process_time()
        resp = client.get(path)
        if resp.status_code != 200:
            raise SystemExit(f"{path}: HTTP {resp.status_code}")
        if parts:
            for url in self_loading_parts(resp.content.decode()):
                part = client.get(url, headers={"HX-Request": "true"})
                if part.status_code != 200:
                    raise SystemExit(f"{url}: HTTP {part.status_code}")
        cpu = (time.process_time() - t0) * 1000
    return cpu, len(q.captured_queries)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--cases", type=int, default=20)
    p.add_argument("--repeat", type=int, default=3)
    p.add_argument("--results", default=str(ROOT / "bench" / "RESULTS.md"))
    args = p.parse_args()
    orgs = Organisation.objects.count()
    scale = "national" if orgs > 1 else "municipality"
    user = User.objects.filter(username__startswith="koordinator-").order_by("id").first()
    ids = list(Case.objects.filter(organisation_id=user.organisation_id, restricted=False,
                                   status="active").order_by("?")
               .values_list("pk", flat=True)[:args.cases])
    client = Client()
    client.force_login(user)
    pages = {"floor": ["/bench/floor"], "empty shell": ["/bench/shell"],
             "case list": ["/sager/"], "case list filter+search": ["/sager/?status=active&q=system"],
             "case page": [f"/sager/{i}/" for i in ids],
             "case page + parts": [f"/sager/{i}/" for i in ids],
             "my tasks": ["/opgaver/"], "api case": [f"/api/v1/cases/{i}" for i in ids],
             "api tasks": ["/api/v1/tasks"], "portfolio list": ["/systemer/"]}
    measure(client, "/sager/")  # warm the process (imports, templates, model)
    rows = {}
    for name, paths in pages.items():
        cold, warm, queries = [], [], []
        for path in paths:
            for i in range(args.repeat):
                cpu, n = measure(client, path, parts=name == "case page + parts")
                (cold if i == 0 else warm).append(cpu)
                queries.append(n)
        rows[name] = {"cold": statistics.median(cold), "warm": statistics.median(warm or cold),
                      "q": statistics.median(queries), "qmax": max(queries), "n": len(paths)}
        print(f"{name:<24} cpu cold {rows[name]['cold']:7.1f} ms  warm {rows[name]['warm']:7.1f}"
              f" ms  queries {rows[name]['q']:.0f} (max {rows[name]['qmax']})", flush=True)
    res = Path(args.results)
    muni = {}
    if scale == "national" and res.exists():
        m = re.search(r"<!-- bench:inprocess-municipality:data (\{.*?\}) -->", res.read_text())
        muni = json.loads(m.group(1)) if m else {}
    mach = machine()
    lines = ["| page | URLs | CPU ms, first request | CPU ms, repeated | queries (max) |"
             + (" CPU vs municipality | queries vs municipality |" if muni else ""),
             "|" + "---|" * (7 if muni else 5)]
    floor = rows["floor"]["warm"]
    for name, r in rows.items():
        extra = ""
        if muni:
            mu = muni.get(name)
            extra = (f" {r['warm'] / mu['warm']:.2f}x | {r['q']:.0f} vs {mu['q']:.0f} |"
                     if mu else " – | – |")
        lines.append(f"| {name} | {r['n']} | {r['cold']:.1f} | {r['warm']:.1f} "
                     f"({r['warm'] / floor:.1f}x floor) | {r['q']:.0f} ({r['qmax']}) |{extra}")
    block = "\n".join([
        f"## in-process cost per page, {scale}: {orgs} organisation(s), "
        f"{Case.objects.count()} cases",
        "",
        f"- date: {datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; commit: `{mach['commit']}`",
        f"- `bench/scale_cost.py`: Django test client in one process, one request at a time, "
        f"logged in as `{user.username}`; {len(ids)} random active cases, each page "
        f"{args.repeat} times; CPU = process time (Django and the driver, not PostgreSQL's); "
        f"load average {' '.join(Path('/proc/loadavg').read_text().split()[:3])}",
        "",
        *lines, ""])
    print(block)
    key = f"inprocess-{scale}"
    data = {k: {"warm": v["warm"], "q": v["q"]} for k, v in rows.items()}
    write_section(res, key, block + f"<!-- bench:{key}:data {json.dumps(data)} -->\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
