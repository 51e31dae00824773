"""Two checkouts compared in-process on a machine whose speed moves (issue 23): each page's CPU
as a multiple of the floor's, the floor requested right before every page in the same process,
so a slow minute slows both. The checkouts take turns, `--rounds` times each:

    DATABASE_URL=... .venv/bin/python bench/ab.py /work/wt-before /work/wt-after [--rounds 2]

Each turn runs this file with `--measure` under the checkout's own `.venv` (so its own code).
Pages, logged in as bench/run.py's user: the case page on `--cases` distinct active cases, each
once (cold: nothing of that case kept yet, as nearly every case page of the mixed workload),
then the same cases again (warm: a revisit); the case list under eight filters, three times.
Prints a line per turn and the medians per checkout. Nothing is written to RESULTS.md: the
figures go in bench/README.md with the commits compared.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import subprocess
import sys
from pathlib import Path

LISTS = ("/sager/", "/sager/?status=active", "/sager/?q=system", "/sager/?status=active&q=system",
         "/sager/?sort=title", "/sager/?mine=1", "/sager/?phase=2", "/sager/?phase=3")
PAGES = ("case page cold", "case page warm", "case list")


def measure(cases: int) -> None:
    """In this checkout: print the floor's median CPU ms and each page's median over it."""
    sys.path.insert(0, str(Path.cwd()))
    from bench.inprocess import setup

    setup()  # Django on the bench database, before anything of the app is imported
    from django.core.management import call_command
    from django.test import Client

    from anskaf.cases.models import Case
    from anskaf.orgs.models import User
    from bench.scale_cost import measure as cpu_ms

    call_command("collectstatic", interactive=False, verbosity=0)  # hashed static, as served
    user = User.objects.filter(username__startswith="koordinator-").order_by("id").first()
    ids = sorted(Case.objects.filter(organisation_id=user.organisation_id, restricted=False,
                                     status="active").values_list("pk", flat=True))
    sample = random.Random(7).sample(ids, min(cases + 1, len(ids)))
    client = Client()
    client.force_login(user)
    for path in ("/bench/floor", f"/sager/{sample[0]}/", "/sager/"):  # imports, templates
        cpu_ms(client, path)
    floor: list[float] = []
    pages: dict[str, list[float]] = {name: [] for name in PAGES}

    def beside_floor(name: str, path: str) -> None:
        floor.append(cpu_ms(client, "/bench/floor")[0])
        pages[name].append(cpu_ms(client, path)[0])

    for name in PAGES[:2]:
        for pk in sample[1:]:
            beside_floor(name, f"/sager/{pk}/")
    for _ in range(3):
        for path in LISTS:
            beside_floor("case list", path)
    base = statistics.median(floor)
    print(f"{base:.2f} " + " ".join(f"{statistics.median(v) / base:.3f}"
                                    for v in pages.values()), flush=True)


def compare(checkouts: list[str], rounds: int, cases: int) -> None:
    runs: dict[str, list[list[float]]] = {c: [] for c in checkouts}
    for turn in range(rounds):
        for checkout in checkouts:
            out = subprocess.run(
                [str(Path(checkout) / ".venv" / "bin" / "python"), str(Path(__file__).resolve()),
                 "--measure", "--cases", str(cases)],
                cwd=checkout, env=os.environ, check=True, capture_output=True, text=True)
            figures = [float(x) for x in out.stdout.split()[-len(PAGES) - 1:]]
            runs[checkout].append(figures)
            print(f"turn {turn + 1} {checkout}: floor {figures[0]:.2f} ms, "
                  + ", ".join(f"{n} {x:.2f}x" for n, x in zip(PAGES, figures[1:], strict=True)),
                  flush=True)
    for checkout, figures in runs.items():
        medians = [statistics.median(col) for col in zip(*figures, strict=True)]
        print(f"median {checkout}: floor {medians[0]:.2f} ms, "
              + ", ".join(f"{n} {x:.2f}x" for n, x in zip(PAGES, medians[1:], strict=True)))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("checkouts", nargs="*", help="two or more checkouts, each with a .venv")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--cases", type=int, default=60)
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        measure(args.cases)
        return 0
    if len(args.checkouts) < 2:
        parser.error("give two checkouts to compare")
    compare(args.checkouts, args.rounds, args.cases)
    return 0


if __name__ == "__main__":
    sys.exit(main())
