"""Django templates or Jinja2 for a hot fragment? Renders the case timeline (the fragment
with the most nodes per row) both ways, in-process, and prints the median per render
(ADR 0042). Not a test: timings on a shared machine are figures, not assertions.

    .venv/bin/python bench/template_engines.py [--events 60] [--repeat 300]
"""

import argparse
import os
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("SECRET_KEY", "bench-not-secret")
os.environ.setdefault("ANSKAF_TESTING", "1")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anskaf.settings")

import django  # noqa: E402

django.setup()

import jinja2  # noqa: E402
from django.template.loader import get_template  # noqa: E402
from django.utils import timezone  # noqa: E402
from django.utils.dateformat import format as date_format  # noqa: E402

from anskaf.cases.presenters import TimelineEntry  # noqa: E402

# The same markup as cases/includes/timeline.html, in Jinja2's syntax (Django's `date` filter
# registered there as one).
DJANGO_FILE = ROOT / "anskaf/cases/templates/cases/includes/timeline.html"
JINJA = (DJANGO_FILE.read_text().replace("|date:'c'", "|date('c')")
         .replace('|date:"j. F Y H:i"', '|date("j. F Y H:i")')
         .replace("{% empty %}", "{% else %}"))


def _entries(count: int) -> list[TimelineEntry]:
    now = timezone.now()
    return [TimelineEntry(now - timedelta(hours=i), "Karin Koordinator", "Koordinator",
                          f"gennemførte trin {i % 21 + 1}", "Bemærkning <æøå> & mere" * (i % 2))
            for i in range(count)]


def _median_ms(render, repeat: int) -> float:  # type: ignore[no-untyped-def]
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    context = {"timeline": _entries(args.events)}
    django_template = get_template("cases/includes/timeline.html")
    env = jinja2.Environment(autoescape=True)
    env.filters["date"] = lambda value, fmt: date_format(timezone.localtime(value), fmt)
    jinja_template = env.from_string(JINJA)
    django_ms = _median_ms(lambda: django_template.render(context), args.repeat)
    jinja_ms = _median_ms(lambda: jinja_template.render(context), args.repeat)
    dates = context["timeline"]
    dates_ms = _median_ms(lambda: [(date_format(timezone.localtime(e.at), "c"),
                                    date_format(timezone.localtime(e.at), "j. F Y H:i"))
                                   for e in dates], args.repeat)
    print(f"timeline, {args.events} events, median of {args.repeat} renders:")
    print(f"  Django templates {django_ms:.2f} ms, Jinja2 {jinja_ms:.2f} ms "
          f"({django_ms / jinja_ms:.1f}x); of which the dates alone {dates_ms:.2f} ms")


if __name__ == "__main__":
    main()
