"""Profile one request per page in-process with pyinstrument (bench/profiles/<page>.txt).

    DATABASE_URL=... .venv/bin/python bench/profile.py
"""

import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench.inprocess import setup  # noqa: E402

setup()

from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from pyinstrument import Profiler  # noqa: E402

from anskaf.cases.models import Case  # noqa: E402
from anskaf.orgs.models import User  # noqa: E402

call_command("collectstatic", interactive=False, verbosity=0)  # hashed static, as served
user = User.objects.filter(username__startswith="koordinator-").order_by("id").first()
case = (Case.objects.filter(organisation_id=user.organisation_id, restricted=False,
                            status="active").order_by("?").first())
client = Client()
client.force_login(user)
pages = {"floor": "/bench/floor", "case_list": "/sager/",
         "case_list_filter": "/sager/?status=active&q=system", "case_page": f"/sager/{case.pk}/",
         "my_tasks": "/opgaver/", "api_case": f"/api/v1/cases/{case.pk}",
         "portfolio_list": "/systemer/"}
out = ROOT / "bench" / "profiles"
out.mkdir(exist_ok=True)
for name, path in pages.items():
    client.get(path)  # warm
    with CaptureQueriesContext(connection) as q:
        t0 = time.perf_counter()
        profiler = Profiler(interval=0.0005)
        profiler.start()
        resp = client.get(path)
        profiler.stop()
        dt = (time.perf_counter() - t0) * 1000
    slow = sorted(q.captured_queries, key=lambda x: -float(x["time"]))[:3]
    text = profiler.output_text(unicode=True, color=False, show_all=False)
    head = (f"{path}: HTTP {resp.status_code}, {dt:.0f} ms, {len(q.captured_queries)} queries, "
            f"{sum(float(x['time']) for x in q.captured_queries) * 1000:.0f} ms in SQL\n"
            + "".join(f"  slowest SQL {float(x['time']) * 1000:.0f} ms: {x['sql'][:300]}\n"
                      for x in slow))
    (out / f"{name}.txt").write_text(head + "\n" + text)
    print(head, flush=True)
