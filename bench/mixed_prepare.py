"""The plan of the mixed workload (bench/mixed.py), computed before the load through the app's
own selectors, so the load opens only what each person may see and writes only where each
person may work:

    DATABASE_URL=... python bench/mixed_prepare.py --out bench/out/mixed_plan.json

Per person: up to `--cases` random case ids from `selectors.visible_cases` (their own
municipality's cases they may see), the steps `selectors.my_tasks` lists as actionable for them
(the targets of the writes: remarks, checklist, completion) with the step's checklist item ids,
and their municipality's units (for the case list's unit filter). People are drawn from up to
`--orgs` municipalities, `--people` in all, the coordinators first, then the other roles; a
person who sees no case is skipped. Runs in-process with bench/settings_bench.py.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def may_complete(user, tasks) -> set[tuple[int, int]]:
    """(case, step) of the tasks the person may also complete: a step's performers work on
    it, but the model may name others who complete it (step 12: the management or the
    coordinator), and the API answers 403 to anyone else."""
    from anskaf.cases import permissions
    from anskaf.cases.models import Case, StepState
    from anskaf.cases.process_models import model_for

    cases = Case.objects.in_bulk({t.case.pk for t in tasks})
    assignees = {(s.case_id, s.number): s.assignee_id for s in StepState.objects.filter(
        case_id__in=list(cases)).only("case_id", "number", "assignee_id")}
    return {(t.case.pk, t.step.number) for t in tasks
            if permissions.complete_refusal(user, cases[t.case.pk], model_for(cases[t.case.pk]),
                                            t.step, assignees.get((t.case.pk, t.step.number)))
            is None}


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--out", required=True)
    p.add_argument("--people", type=int, default=48)
    p.add_argument("--orgs", type=int, default=24)
    p.add_argument("--cases", type=int, default=300, help="case ids per person (a sample)")
    p.add_argument("--seed", type=int, default=23)
    args = p.parse_args(argv)
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anskaf_bench")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
    from anskaf.cases import selectors
    from anskaf.cases.models import Case
    from anskaf.cases.process_models import model_for
    from anskaf.orgs.models import Organisation, OrgUnit, User

    rng = random.Random(args.seed)
    t0 = time.perf_counter()
    orgs = list(Organisation.objects.filter(
        pk__in=User.objects.filter(username__startswith="koordinator-bench")
        .values("organisation_id")).order_by("pk"))
    orgs = sorted(rng.sample(orgs, min(args.orgs, len(orgs))), key=lambda o: o.pk)
    per_org = -(-args.people // len(orgs))  # ceil
    people = []
    for org in orgs:
        users = list(User.objects.filter(organisation=org, is_active=True,
                                         username__contains="bench").order_by("pk"))
        # coordinators first (they see and do most), then requesters, managers, the wide roles
        order = ("koordinator-", "fagperson-", "leder-")
        users.sort(key=lambda u: (next((i for i, pre in enumerate(order)
                                        if u.username.startswith(pre)), len(order)),
                                  rng.random()))
        units = list(OrgUnit.objects.filter(organisation=org).values_list("pk", flat=True))
        taken = 0
        for user in users:
            if taken >= per_org or len(people) >= args.people:
                break
            ids = list(selectors.visible_cases(user).values_list("pk", flat=True))
            if not ids:
                continue
            rng.shuffle(ids)
            mine = [t for t in selectors.my_tasks(viewer=user)
                    if t.kind == "step" and t.actionable]
            completable = may_complete(user, mine)
            tasks = [{"case": t.case.pk, "step": t.step.number,
                      "checklist": [c.id for c in t.step.checklist],
                      "complete": (t.case.pk, t.step.number) in completable}
                     for t in mine]
            rng.shuffle(tasks)
            model = model_for(Case.objects.get(pk=ids[0]))  # for the phase filter's values
            people.append({"username": user.username, "org": org.slug,
                           "cases": ids[:args.cases], "visible": len(ids),
                           "tasks": tasks[:80], "units": units,
                           "phases": [ph.number for ph in model.phases]})
            taken += 1
    plan = {"people": people, "orgs": len({p["org"] for p in people}),
            "seconds": round(time.perf_counter() - t0, 1)}
    Path(args.out).write_text(json.dumps(plan))
    print(f"plan: {len(people)} people from {plan['orgs']} municipalities, "
          f"{len({c for p in people for c in p['cases']})} distinct cases to open, "
          f"{sum(len(p['tasks']) for p in people)} write targets ({plan['seconds']} s)",
          flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
