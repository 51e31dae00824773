"""Synthetic bench data for anskaf (issue 8): `python bench/generate.py --scale municipality|national`.

Bulk-loads PostgreSQL with COPY. Every case is driven through the pure process engine with random
legal moves, so step statuses, decisions, rounds and the derived case fields are consistent; the
audit events form a valid hash chain per organisation (computed with anskaf.audit.chain exactly as
audit_verify checks it) and ChainHead rows close each chain.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from multiprocessing import Pool
from pathlib import Path
from urllib.parse import urlparse, urlunparse

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/anskaf_bench"
SCALES = {"municipality": (1, 3000), "national": (98, 300_000)}
PASSWORD = "bench"  # every bench user's password
ORG_WIDE = ["it", "it_board", "security", "procurement", "legal", "archive", "admin"]
FORVALTNINGER = ["Social- og Sundhedsforvaltningen", "Børne- og Familieforvaltningen",
                 "Teknik- og Miljøforvaltningen", "Økonomi- og Personaleforvaltningen",
                 "Kultur- og Fritidsforvaltningen"]
AFDELINGER = ["Ældreområdet", "Handicap og Psykiatri", "Dagtilbud", "Skoleområdet", "Vej og Park",
              "Byggesag", "Løn", "Borgerservice", "Biblioteker", "Jobcenter"]
SYSTEMS = ["økonomisystem", "omsorgssystem", "ESDH-løsning", "skoleintra", "bookingsystem",
           "vagtplanlægning", "GIS-platform", "borgerportal", "lønsystem", "dokumentboks",
           "ydelsessystem", "fagsystem til jobcenter", "kvalitetsstyring", "talegenkendelse"]
SUPPLIERS = ["KMD", "Netcompany", "Systematic", "EG", "Fujitsu", "Visma", "Formpipe", "Netic"]
REMARKS = ["Drøftet på møde med leverandøren.", "Afventer svar fra IT.",
           "Se notat i ESDH.", "Aftalt med ledelsen.", "Risikovurdering vedlagt."]
NOW = datetime(2026, 11, 1, tzinfo=UTC)
YEARS = 10


def log(msg: str) -> None:
    print(msg, flush=True)


class Clock:
    def __init__(self) -> None:
        self.t = time.perf_counter()
        self.start = self.t

    def lap(self, what: str) -> None:
        now = time.perf_counter()
        log(f"  {what:<42} {now - self.t:8.1f} s")
        self.t = now


# --- database ---------------------------------------------------------------------------------


def admin_url(url: str) -> tuple[str, str]:
    parts = urlparse(url)
    return urlunparse(parts._replace(path="/postgres")), parts.path.lstrip("/")


def ensure_database(url: str, reset: bool) -> None:
    import psycopg

    admin, name = admin_url(url)
    with psycopg.connect(admin, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname=%s", [name]).fetchone()
        if exists and reset:
            conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
            exists = None
        if not exists:
            conn.execute(f'CREATE DATABASE "{name}"')
    env = {**os.environ, "DATABASE_URL": url}
    env.setdefault("SECRET_KEY", "bench-not-secret")
    anskaf = Path(sys.executable).with_name("anskaf")
    subprocess.run([str(anskaf), "manage", "migrate", "--verbosity", "0"], check=True, env=env,
                   cwd=ROOT)


def setup_django(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "anskaf.settings")
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    import django
    from django.apps import apps

    if not apps.ready:
        django.setup()


# --- organisations, units, people ------------------------------------------------------------


def build_orgs(conn, n_orgs: int, password_hash: str) -> list[dict]:
    """Insert organisations, units, users and memberships; return per-org people for cases."""
    orgs, units, users, members = [], [], [], []
    uid = mid = unit_id = 0
    people = []
    joined = NOW - timedelta(days=365 * YEARS)
    for i in range(1, n_orgs + 1):
        slug = "bench" if n_orgs == 1 else f"bench-{i:02d}"
        orgs.append((i, f"Bench Kommune {i}", slug, "Acadre", "KITOS", f"indkob@{slug}.dk"))
        org = {"id": i, "slug": slug, "units": [], "wide": {}, "forv": []}

        def user(username, full, unit, roles, slug=slug, i=i):
            nonlocal uid, mid
            uid += 1
            first, _, last = full.partition(" ")
            users.append((uid, password_hash, None, False, username, first, last,
                          f"{username}@{slug}.dk", False, True, joined, i, unit, False))
            for role in roles:
                mid += 1
                members.append((mid, i, uid, role, None if role in ORG_WIDE else unit))
            return {"id": uid, "name": full}

        n_forv = 3 + (i % 3)
        for f in range(n_forv):
            unit_id += 1
            forv = unit_id
            units.append((forv, i, None, FORVALTNINGER[f], "administration"))
            deps = []
            for d in range(2 + (f + i) % 3):
                unit_id += 1
                units.append((unit_id, i, forv, AFDELINGER[(f * 3 + d) % len(AFDELINGER)],
                              "department"))
                deps.append(unit_id)
            fv = {"unit": forv, "deps": deps,
                  "coordinator": user(f"koordinator-{slug}-{f + 1}", f"Karin Koordinator{f + 1}",
                                      forv, ["coordinator"]),
                  "requester": user(f"fagperson-{slug}-{f + 1}", f"Frida Fagperson{f + 1}",
                                    forv, ["requester"]),
                  "management": user(f"leder-{slug}-{f + 1}", f"Lars Leder{f + 1}", forv,
                                     ["management"])}
            for d in deps:  # a requester in every afdeling too
                fv.setdefault("dep_requesters", []).append(
                    user(f"fagperson-{slug}-{f + 1}-{d}", f"Dorte Afdeling{d}", d, ["requester"]))
            org["forv"].append(fv)
        for role in ORG_WIDE:
            org["wide"][role] = user(f"{role}-{slug}", f"Rolf {role.replace('_', '-').title()}",
                                     org["forv"][0]["unit"], [role])
        people.append(org)
    with conn.cursor() as cur:
        copy(cur, "orgs_organisation", ["id", "name", "slug", "records_system_name",
                                        "system_register_name", "procurement_email"], orgs)
        copy(cur, "orgs_orgunit", ["id", "organisation_id", "parent_id", "name", "kind"], units)
        copy(cur, "orgs_user", ["id", "password", "last_login", "is_superuser", "username",
                                "first_name", "last_name", "email", "is_staff", "is_active",
                                "date_joined", "organisation_id", "unit_id", "is_demo"], users)
        copy(cur, "orgs_membership", ["id", "organisation_id", "person_id", "role", "unit_id"],
             members)
        for table in ("orgs_organisation", "orgs_orgunit", "orgs_user", "orgs_membership"):
            cur.execute(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                        f"(SELECT max(id) FROM {table}))")
    conn.commit()
    return people


def next_ids(conn, table: str, n: int) -> list[int]:
    """n ids from the table's own sequence, so later inserts by the app never collide."""
    if not n:
        return []
    return [r[0] for r in conn.execute(
        f"SELECT nextval(pg_get_serial_sequence('{table}','id')) FROM generate_series(1, %s)",
        [n])]


def copy(cur, table: str, columns: list[str], rows) -> None:
    """COPY rows; columns the model has beyond `columns` (added by a later feature) get the
    model's default, so the generator keeps working as the schema grows."""
    extra, values = _defaults(table, columns)
    with cur.copy(f"COPY {table} ({', '.join([*columns, *extra])}) FROM STDIN") as cp:
        for row in rows:
            cp.write_row((*row, *values) if extra else row)


def _defaults(table: str, columns: list[str]) -> tuple[list[str], tuple]:
    from django.apps import apps
    from django.db import models

    model = next((m for m in apps.get_models() if m._meta.db_table == table), None)
    if model is None:
        return [], ()
    extra = [f for f in model._meta.concrete_fields
             if f.column not in columns and not f.primary_key]
    values = []
    for f in extra:
        value = f.get_default()
        values.append(json.dumps(value) if isinstance(f, models.JSONField) else value)
    return [f.column for f in extra], tuple(values)


# --- one case through the engine ---------------------------------------------------------------


def simulate(model, rng: random.Random, org: dict, year_weights) -> dict:
    """Random legal moves up to a random target; returns the case, its states, decisions, events."""
    from anskaf.process import engine
    from anskaf.process.errors import MoveRefused

    S = engine.StepStatus
    fv = rng.choice(org["forv"])
    unit = rng.choice([fv["unit"], *fv["deps"]])
    requester = fv["requester"]
    coordinator = fv["coordinator"]
    replaces = rng.random() < 0.4
    created = NOW - timedelta(seconds=rng.random() * YEARS * 365 * 86400)
    t = created
    snap = engine.new_snapshot(model, replaces)
    states = {n: {"status": st, "by": None, "at": None, "remarks": "", "reason": "",
                  "checked": [], "version": 1, "updated": created}
              for n, st in snap.steps.items()}
    for n, st in snap.steps.items():
        if st == S.NOT_RELEVANT:
            states[n]["reason"] = "Sagen erstatter ikke et eksisterende system."
    decisions, events, documents = [], [], []
    wait = [s.number for s in engine.waiting_steps(model, snap)]
    since = created
    status = engine.CaseStatus.ACTIVE

    def tick():
        nonlocal t
        t += timedelta(seconds=rng.randint(600, 14 * 86400), microseconds=rng.randint(0, 999999))
        return t

    def actor_for(step):
        keys = step.gate.deciding_roles if step.gate else step.role_keys
        for key in keys:
            if key in org["wide"]:
                return org["wide"][key], key
            if key in ("requester", "coordinator", "management"):
                return fv[key], key
        return requester, "requester"

    def apply(tr, actor, event_type, object_type, object_id, extra_after=None, reason="",
              role=""):
        nonlocal snap, wait, since, status
        when = tick()
        before = {"status": status.value, "steps": {str(n): states[n]["status"].value
                                                    for n in tr.steps}}
        for n, st in tr.steps.items():
            s = states[n]
            s["status"] = st
            s["by"], s["at"] = (actor["id"], when) if st == S.DONE else (None, None)
            s["reason"] = reason if st == S.NOT_RELEVANT else ""
            s["version"] += 1
            s["updated"] = when
        snap = replace(snap, steps={**snap.steps, **tr.steps}, status=tr.case_status)
        status = tr.case_status
        new_wait = [s.number for s in engine.waiting_steps(model, snap)]
        if new_wait != wait:
            wait, since = new_wait, when
        after = {"status": status.value, "steps": {str(n): st.value for n, st in tr.steps.items()},
                 **(extra_after or {})}
        events.append((when, actor, event_type, object_type, object_id, before, after, role))
        return when

    def upload(step, actor, role):
        """The step's documents before it is completed: required ones always, others often."""
        for dt in step.documents:
            doc = next((d for d in documents if (d["step"], d["type"]) == (step.number, dt.key)),
                       None)  # a step completed again (a Måske round) gets new versions
            if doc is None and not (dt.required or rng.random() < 0.5):
                continue
            if doc is None:
                doc = {"step": step.number, "type": dt.key, "title": f"{dt.title.da}.pdf",
                       "by": actor["id"], "versions": [], "index": len(documents)}
                documents.append(doc)
            first = len(doc["versions"]) + 1
            for number in range(first, first + rng.choice([1, 1, 1, 1, 1, 1, 1, 2, 2, 3])):
                when = tick()
                size = rng.randint(20_000, 4_000_000)
                sha = f"{rng.getrandbits(256):064x}"
                doc["versions"].append({"number": number, "size": size, "sha256": sha,
                                        "by": actor["id"], "at": when})
                events.append((when, actor, "document.uploaded", "document", doc["index"],
                               None, {"step": step.number, "type": dt.key,
                                      "type_title": dt.title.da, "title": doc["title"],
                                      "version": number, "name": doc["title"], "size": size,
                                      "sha256": sha, "content_type": "application/pdf"}, role))
            doc["at"] = doc["versions"][0]["at"]

    def complete(n):
        step = model.step(n)
        actor, role = actor_for(step)
        upload(step, actor, role)
        req = [i.id for i in step.checklist if i.required]
        if req:
            nonlocal snap
            snap = replace(snap, checked={**snap.checked, n: frozenset(req)})
            states[n]["checked"] = sorted(i.id for i in step.checklist
                                          if i.required or rng.random() < 0.5)
        if rng.random() < 0.3:
            states[n]["remarks"] = rng.choice(REMARKS)
        apply(engine.complete(model, snap, n), actor, "step.completed", "step", f":{n}",
              role=role)

    def decide(n, outcome):
        step = model.step(n)
        actor, role = actor_for(step)
        tr = engine.decide(model, snap, n, outcome)
        rnd = tr.decision_round
        rationale = {"yes": "Behovet er velbeskrevet og passer i porteføljen.",
                     "maybe": "Behovet skal beskrives bedre; genbehandles.",
                     "no": "Løsningen lever ikke op til kravene."}[outcome]
        d = {"step": n, "round": rnd, "outcome": outcome, "rationale": rationale,
             "recommendations": "Inddrag IT tidligt." if outcome != "yes" else "",
             "it_contacts": [org["wide"]["it"]["name"]] if n == 6 else [],
             "missing_documentation": ["Risikovurdering"] if outcome == "maybe" else [],
             "by": actor["id"], "role": role}
        when = apply(tr, actor, "decision.recorded", "decision", None,
                     {k: d[k] for k in ("step", "round", "outcome", "rationale",
                                        "recommendations", "it_contacts",
                                        "missing_documentation")}, role=role)
        d["at"] = when
        decisions.append(d)
        snap_update_decision(n, outcome, rnd)

    def snap_update_decision(n, outcome, rnd):
        nonlocal snap
        snap = replace(snap, last_outcome={**snap.last_outcome, n: outcome},
                       rounds={**snap.rounds, n: rnd})

    # Where the case stands: uniform over steps, plus some finished ones.
    r = rng.random()
    target = 22 if r < 0.12 else rng.randint(1, 21)
    withdraw = rng.random() < 0.05
    for step in model.steps:
        n = step.number
        if n > target or snap.closed:
            break
        if step.gate is not None:
            if n == target and rng.random() < 0.5:
                break  # waits for the decision
            if n == 6:
                for _ in range(rng.choice([0, 0, 0, 1, 1, 2])):  # Måske rounds
                    decide(6, "maybe")
                    for m in (4, 5):
                        if snap.steps[m] == S.IN_PROGRESS:
                            complete(m)
                if rng.random() < 0.06:
                    decide(6, "no")
                    break
            if n == 7 and rng.random() < 0.03:
                decide(7, "no")
                break
            if n == 18:
                for _ in range(rng.choice([0, 0, 0, 1, 2])):  # Nej rounds: repeat step 17
                    decide(18, "no")
                    if snap.steps[17] == S.IN_PROGRESS:
                        complete(17)
            decide(n, "yes")
            continue
        if snap.steps[n] in engine.FINISHED:
            continue
        if n == target:
            if rng.random() < 0.6:
                actor, role = actor_for(step)
                apply(engine.start(model, snap, n), actor, "step.updated", "step", f":{n}",
                      role=role)
            break
        if not step.only_when_replacing and not step.requires and rng.random() < 0.04 \
                and n not in (1, 4, 5):
            apply(engine.mark_not_relevant(model, snap, n), actor_for(step)[0],
                  "step.not_relevant", "step", f":{n}", {"reason": "Ikke relevant her."},
                  reason="Ikke relevant her.", role=actor_for(step)[1])
            continue
        try:
            complete(n)
        except MoveRefused:
            break
    # Other steps in the open segment in parallel: some started.
    if not snap.closed:
        for n in wait:
            if snap.steps[n] == S.NOT_STARTED and model.step(n).gate is None \
                    and rng.random() < 0.3:
                actor, role = actor_for(model.step(n))
                apply(engine.start(model, snap, n), actor, "step.updated", "step", f":{n}",
                      role=role)
    withdrawn_reason = ""
    if withdraw and not snap.closed:
        when = tick()
        events.append((when, coordinator, "case.withdrawn", "case", None, {"status": status.value},
                       {"status": "withdrawn", "reason": "Behovet er bortfaldet."},
                       "coordinator"))
        status = engine.CaseStatus.WITHDRAWN
        snap = replace(snap, status=status)
        withdrawn_reason = "Behovet er bortfaldet."
        wait = []
        since = when
    sysname = rng.choice(SYSTEMS)
    case = {
        "unit": unit, "coordinator": coordinator["id"], "created_by": requester["id"],
        "title": f"Nyt {sysname} til {FORVALTNINGER[org['forv'].index(fv)].split('-')[0].lower()}",
        "need": f"Vi har behov for et {sysname}, der understøtter arbejdsgangene.",
        "strategic_fit": "Understøtter kommunens digitaliseringsstrategi.",
        "user_impact": "Medarbejderne sparer tid, og borgerne får hurtigere svar.",
        "candidate_system": f"{sysname.title()} 360" if rng.random() < 0.6 else "",
        "supplier_name": rng.choice(SUPPLIERS) if rng.random() < 0.6 else "",
        "replaces_system": replaces,
        "replaced_system_name": f"Gammelt {sysname}" if replaces else "",
        "value": rng.randrange(50_000, 20_000_000, 1000) if rng.random() < 0.7 else None,
        "records": f"{created.year % 100:02d}.{rng.randint(1, 99):02d}.{rng.randint(1, 99):02d}"
                   f"-G01-{rng.randint(1, 999)}-{created.year % 100:02d}",
        "status": status.value, "withdrawn_reason": withdrawn_reason,
        "restricted": rng.random() < 0.05, "created": created, "updated": t,
        "version": 1 + len(events), "snap": snap, "wait": wait, "since": since,
        "year": created.year, "requester": requester,
    }
    return {"case": case, "states": states, "decisions": decisions, "events": events,
            "documents": documents, "sysname": sysname}


CASE_COLUMNS = ["id", "organisation_id", "model_version_id", "number", "title", "need",
                "strategic_fit", "user_impact", "requesting_unit_id", "coordinator_id",
                "created_by_id", "candidate_system", "supplier_name", "replaces_system",
                "replaced_system_name", "estimated_contract_value", "records_case_number",
                "status", "phase", "withdrawn_reason", "restricted", "version", "created_at",
                "updated_at", "waiting_steps", "waiting_roles", "steps_in_progress",
                "waiting_since", "search_text"]


def _db_value(obj, field):
    from django.db import models

    value = getattr(obj, field.attname)
    return json.dumps(value) if isinstance(field, models.JSONField) else value


# --- the portfolio --------------------------------------------------------------------------------

LIFECYCLE_ORDER = ["Operational", "PhasingOut", "NotInUse"]


def copy_models(cur, model, objs: list) -> None:
    """COPY model instances with every concrete column, so a field added later needs no edit
    here (its Python default is what the instance holds)."""
    fields = model._meta.concrete_fields
    copy(cur, model._meta.db_table, [f.column for f in fields],
         ([_db_value(o, f) for f in fields] for o in objs))


def build_portfolio(conn, org: dict, sims: list, case_ids: list, numbers: list, model,
                    rng: random.Random) -> int:
    """The municipality's systems as the case events would have left them: an imported base
    portfolio (one old system per kind, which replacing cases phase out at step 13 and close at
    step 21), and per case past step 12 its acquired system (phasing in, in operation at 20)
    with its contract, and a signed DPA when it holds personal data."""
    from anskaf.portfolio.models import CaseSystem, Contract, DataProcessingAgreement, LinkKind, System
    from anskaf.portfolio.services import system_search_text
    from anskaf.process.engine import StepStatus

    step = {s.key: s.number for s in model.steps}
    done = StepStatus.DONE
    it_owner = org["wide"]["it"]["id"]
    start = NOW - timedelta(days=365 * YEARS + 30)
    base = {}
    for k, sysname in enumerate(SYSTEMS):
        base[sysname] = System(name=f"Gammelt {sysname}", supplier=SUPPLIERS[k % len(SUPPLIERS)],
                               purpose=f"Kommunens nuværende {sysname}.",
                               notes="Importeret fra KITOS.", hosting="local",
                               owner_unit_id=org["forv"][k % len(org["forv"])]["unit"],
                               system_owner_id=it_owner, personal_data=k % 2 == 0,
                               lifecycle="Operational", created_at=start, updated_at=start)
    acquired, links, contracts, dpas = [], [], [], []
    for sim, cid, number in zip(sims, case_ids, numbers, strict=True):
        c, st = sim["case"], sim["states"]
        old = base[sim["sysname"]] if c["replaces_system"] else None
        if old is not None:
            links.append((cid, old, LinkKind.REPLACED, c["created"]))
            moved = ("NotInUse" if st[step["close_previous_system"]]["status"] == done else
                     "PhasingOut" if st[step["decommissioning_plan"]]["status"] == done else None)
            if moved and LIFECYCLE_ORDER.index(moved) > LIFECYCLE_ORDER.index(old.lifecycle):
                old.lifecycle = moved
        signed = st[step["contract_in_place"]]
        if signed["status"] != done:
            continue
        dpa_step = st[step["data_processing_agreement"]]
        personal = dpa_step["status"] == done and rng.random() < 0.7
        system = System(name=(c["candidate_system"] or c["title"])[:200],
                        supplier=c["supplier_name"], purpose=c["need"], owner_unit_id=c["unit"],
                        lifecycle="Operational" if st[step["in_operation"]]["status"] == done
                        else "PhasingIn", personal_data=personal, hosting="web",
                        created_at=signed["at"], updated_at=signed["at"])
        system.predecessor = old
        acquired.append(system)
        links.append((cid, system, LinkKind.ACQUIRED, signed["at"]))
        value = c["value"] or 400_000
        contracts.append(Contract(
            system=system, number=f"K-{number}", supplier=c["supplier_name"],
            start_date=signed["at"].date(), duration_months=48, option_count=2, option_months=12,
            options_used=rng.choice([0, 0, 1]), notice_months=6,
            notice_to=rng.choice(["none", "month", "quarter"]), annual_cost=value // 4,
            created_at=signed["at"]))
        if personal:
            dpas.append(DataProcessingAgreement(
                system=system, supplier=c["supplier_name"] or "Leverandøren",
                signed_on=dpa_step["at"].date(), sub_processors="Microsoft Ireland",
                oversight_method="isae3402_2", oversight_interval_months=12, case_id=cid,
                created_at=dpa_step["at"]))
    systems = [*base.values(), *acquired]
    for obj, pk in zip(systems, next_ids(conn, "portfolio_system", len(systems)), strict=True):
        obj.pk, obj.organisation_id = pk, org["id"]
        obj.search_text = system_search_text(obj)
    for obj in systems:
        obj.predecessor_id = obj.predecessor.pk if obj.predecessor else None
    link_objs = [CaseSystem(case_id=cid, system=sys_, kind=kind, created_at=at)
                 for cid, sys_, kind, at in links]
    for obj, pk in zip(link_objs, next_ids(conn, "portfolio_casesystem", len(link_objs)),
                       strict=True):
        obj.pk = pk
    for group, table in ((contracts, "portfolio_contract"),
                         (dpas, "portfolio_dataprocessingagreement")):
        for obj, pk in zip(group, next_ids(conn, table, len(group)), strict=True):
            obj.pk, obj.organisation_id, obj.system_id = pk, org["id"], obj.system.pk
    with conn.cursor() as cur:
        for model_, objs in ((System, systems), (CaseSystem, link_objs), (Contract, contracts),
                             (DataProcessingAgreement, dpas)):
            copy_models(cur, model_, objs)
    return len(systems)


# --- one organisation ---------------------------------------------------------------------------


def generate_org(job: tuple) -> dict:
    url, org, n_cases, seed, mv_id, _password_hash = job
    setup_django(url)
    import psycopg

    from anskaf.audit.chain import GENESIS, canonical_json, chain_hash, event_content
    from anskaf.audit.events import EVENTS
    from anskaf.cases.models import Case, ModelVersion
    from anskaf.cases.process_models import model_of
    from anskaf.cases.services import refresh_summary

    timings = {}
    t0 = time.perf_counter()
    rng = random.Random(seed)
    model = model_of(ModelVersion.objects.get(pk=mv_id))
    sims = [simulate(model, rng, org, None) for _ in range(n_cases)]
    sims.sort(key=lambda s: s["case"]["created"])
    timings["simulate"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    n_dec = sum(len(s["decisions"]) for s in sims)
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        case_ids = [r[0] for r in conn.execute(
            "SELECT nextval(pg_get_serial_sequence('cases_case','id')) "
            "FROM generate_series(1, %s)", [n_cases])]
        dec_ids = next_ids(conn, "cases_decision", n_dec)
        doc_ids = next_ids(conn, "documents_document", sum(len(s["documents"]) for s in sims))
        conn.commit()
        # Derived columns added to Case later (e.g. waiting_roles_key) come from refresh_summary.
        extra_fields = [f for f in Case._meta.concrete_fields if f.column not in CASE_COLUMNS]
        extra_cols = [f.column for f in extra_fields]
        case_rows, state_rows, dec_rows, all_events = [], [], [], []
        doc_rows, version_rows = [], []
        per_year: dict[int, int] = {}
        di = doc_i = 0
        for sim, cid in zip(sims, case_ids, strict=True):
            c = sim["case"]
            per_year[c["year"]] = per_year.get(c["year"], 0) + 1
            number = f"{c['year']}-{per_year[c['year']]:03d}"
            obj = Case(number=number, title=c["title"], status=c["status"], phase=None,
                       waiting_steps=c["wait"], waiting_since=c["since"])
            refresh_summary(obj, model, c["snap"])
            case_rows.append((cid, org["id"], mv_id, number, c["title"], c["need"],
                              c["strategic_fit"], c["user_impact"], c["unit"], c["coordinator"],
                              c["created_by"], c["candidate_system"], c["supplier_name"],
                              c["replaces_system"], c["replaced_system_name"], c["value"],
                              c["records"], c["status"], obj.phase, c["withdrawn_reason"],
                              c["restricted"], c["version"], c["created"], c["updated"],
                              json.dumps(obj.waiting_steps), json.dumps(obj.waiting_roles),
                              json.dumps(obj.steps_in_progress), obj.waiting_since,
                              obj.search_text,
                              *(_db_value(obj, f) for f in extra_fields)))
            for n, s in sim["states"].items():
                state_rows.append((cid, n, s["status"].value, json.dumps(s["checked"]),
                                   s["remarks"], s["reason"], s["by"], s["at"], None,
                                   s["version"], s["updated"]))
            dec_pk = {}
            for d in sim["decisions"]:
                did = dec_ids[di]
                di += 1
                dec_pk[(d["step"], d["round"])] = did
                dec_rows.append((did, cid, d["step"], d["round"], d["outcome"], d["rationale"],
                                 d["recommendations"], json.dumps(d["it_contacts"]),
                                 json.dumps(d["missing_documentation"]), d["by"], d["role"],
                                 d["at"]))
            doc_pk = {}
            for doc in sim["documents"]:
                did = doc_ids[doc_i]
                doc_i += 1
                doc_pk[doc["index"]] = did
                doc_rows.append((did, org["id"], cid, doc["step"], doc["type"], doc["title"],
                                 doc["by"], doc["at"]))
                for v in doc["versions"]:
                    version_rows.append((did, v["number"], f"bench/{org['id']}/{did}-{v['number']}",
                                         doc["title"], v["size"], v["sha256"], "application/pdf",
                                         v["by"], v["at"]))
            fields = {"number": number, "title": c["title"], "need": c["need"],
                      "strategic_fit": c["strategic_fit"], "user_impact": c["user_impact"],
                      "candidate_system": c["candidate_system"],
                      "supplier_name": c["supplier_name"], "replaces_system": c["replaces_system"],
                      "replaced_system_name": c["replaced_system_name"],
                      "estimated_contract_value": None if c["value"] is None
                      else f"{c['value']}.00",
                      "records_case_number": c["records"], "unit": c["unit"], "status": "active",
                      "restricted": c["restricted"]}
            all_events.append((c["created"], c["requester"], "case.created", "case", str(cid),
                               cid, None, fields, "requester"))
            for when, actor, etype, otype, oid, before, after, role in sim["events"]:
                if otype == "decision":
                    oid = str(dec_pk[(after["step"], after["round"])])
                elif otype == "document":
                    oid = str(doc_pk[oid])
                elif otype == "case":
                    oid = str(cid)
                else:
                    oid = f"{cid}{oid}"
                all_events.append((when, actor, etype, otype, oid, cid, before, after, role))
        admin = org["wide"]["admin"]  # the base portfolio came in as one KITOS import
        all_events.append((NOW - timedelta(days=365 * YEARS + 30), admin, "system.imported",
                           "System", "None", None, None,
                           {"file": "kitos-eksport.xlsx", "created": len(SYSTEMS),
                            "updated": 0}, "admin"))
        timings["derive"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        all_events.sort(key=lambda e: e[0])
        prev = GENESIS
        event_rows = []
        oid_ = org["id"]
        for seq, (when, actor, etype, otype, oid, cid, before, after, role) in enumerate(
                all_events, 1):
            role = role or "requester"
            otype = EVENTS[etype].object_type  # as audit_append names it (ADR 0038)
            content = event_content(organisation_id=oid_, seq=seq, at=when, actor_id=actor["id"],
                                    actor_name=actor["name"], actor_role=role, event_type=etype,
                                    object_type=otype, object_id=oid, case_id=cid, before=before,
                                    after=after, request_id="")
            digest = chain_hash(content, prev)
            event_rows.append((oid_, seq, when, actor["id"], actor["name"], role, etype, otype,
                               oid, cid, None if before is None else canonical_json(before),
                               canonical_json(after), "", prev, digest))
            prev = digest
        timings["hash"] = time.perf_counter() - t0

        t0 = time.perf_counter()
        with conn.cursor() as cur:
            # Row-by-row foreign-key triggers cost more than the COPY itself; the keys are
            # checked set-wise once all organisations are in (check_foreign_keys).
            cur.execute("SET LOCAL session_replication_role = replica")
            copy(cur, "cases_case", CASE_COLUMNS + extra_cols, case_rows)
            copy(cur, "cases_stepstate", ["case_id", "number", "status", "checked", "remarks",
                                          "not_relevant_reason", "completed_by_id",
                                          "completed_at", "assignee_id", "version",
                                          "updated_at"], state_rows)
            copy(cur, "cases_decision", ["id", "case_id", "step", "round", "outcome",
                                         "rationale", "recommendations", "it_contacts",
                                         "missing_documentation", "decided_by_id",
                                         "decided_role", "decided_at"], dec_rows)
            copy(cur, "audit_auditevent", ["organisation_id", "seq", "at", "actor_id",
                                           "actor_name", "actor_role", "event_type",
                                           "object_type", "object_id", "case_id", "before",
                                           "after", "request_id", "prev_hash", "hash"],
                 event_rows)
            copy(cur, "documents_document", ["id", "organisation_id", "case_id", "step",
                                             "type_key", "title", "created_by_id", "created_at"],
                 doc_rows)
            copy(cur, "documents_documentversion",
                 ["document_id", "number", "storage_name", "original_name", "size", "sha256",
                  "content_type", "uploaded_by_id", "uploaded_at"], version_rows)
            numbers = [row[3] for row in case_rows]
            n_systems = build_portfolio(conn, org, sims, case_ids, numbers, model, rng)
            cur.execute("INSERT INTO audit_chainhead (organisation_id, seq, hash, work_hash, "
                        "shared_work_hash) VALUES (%s, %s, %s, %s, %s)",
                        [oid_, len(event_rows), prev, prev, prev])
            for year, last in per_year.items():
                cur.execute("INSERT INTO cases_casenumbersequence (organisation_id, year, last) "
                            "VALUES (%s, %s, %s)", [oid_, year, last])
        conn.commit()
        timings["copy"] = time.perf_counter() - t0
    return {"org": org["id"], "cases": n_cases, "states": len(state_rows),
            "decisions": len(dec_rows), "events": len(event_rows), "documents": len(doc_rows),
            "systems": n_systems,
            "versions": len(version_rows), "timings": timings}


FK_SQL = """
SELECT c.conrelid::regclass::text, a.attname, c.confrelid::regclass::text, af.attname
FROM pg_constraint c
JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]
JOIN pg_attribute af ON af.attrelid = c.confrelid AND af.attnum = c.confkey[1]
WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND c.connamespace = 'public'::regnamespace
"""


def check_foreign_keys(conn) -> tuple[int, list[str]]:
    """Every foreign key of the schema, checked with one anti-join each (the COPY ran without
    the per-row triggers): returns how many keys were checked and the ones that fail."""
    broken = []
    keys = conn.execute(FK_SQL).fetchall()
    for child, col, parent, pcol in keys:
        bad = conn.execute(
            f'SELECT count(*) FROM {child} ch WHERE ch."{col}" IS NOT NULL AND NOT EXISTS '
            f'(SELECT 1 FROM {parent} p WHERE p."{pcol}" = ch."{col}")').fetchone()[0]
        if bad:
            broken.append(f"{child}.{col} -> {parent}.{pcol}: {bad} rows")
    return len(keys), broken


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--scale", choices=SCALES, default=os.environ.get("SCALE", "municipality"))
    p.add_argument("--reset", action="store_true", help="drop and recreate the bench database")
    p.add_argument("--cases", type=int, help="override the number of cases (for a partial run)")
    p.add_argument("--orgs", type=int, help="override the number of organisations")
    p.add_argument("--jobs", type=int, default=os.cpu_count() or 2)
    p.add_argument("--seed", type=int, default=8)
    args = p.parse_args(argv)
    url = os.environ.get("DATABASE_URL", DEFAULT_URL)
    n_orgs, n_cases = SCALES[args.scale]
    n_orgs = args.orgs or n_orgs
    n_cases = args.cases or n_cases
    clock = Clock()
    log(f"anskaf bench data: scale={args.scale} orgs={n_orgs} cases={n_cases} db={url}")
    ensure_database(url, args.reset)
    clock.lap("create + migrate database")
    setup_django(url)
    import psycopg
    from django.contrib.auth.hashers import make_password

    from anskaf.cases.process_models import current_version

    with psycopg.connect(url.replace("postgres://", "postgresql://", 1)) as conn:
        if conn.execute("SELECT count(*) FROM orgs_organisation").fetchone()[0]:
            log("The bench database already holds data: use --reset to regenerate.")
            return 1
        password_hash = make_password(PASSWORD)
        people = build_orgs(conn, n_orgs, password_hash)
    mv_id = current_version(1).pk  # the shared default model version
    from django.db import connections

    connections.close_all()  # never share a connection with the forked workers
    clock.lap("organisations, units, users, memberships")
    per_org = [n_cases // n_orgs + (1 if i < n_cases % n_orgs else 0) for i in range(n_orgs)]
    jobs = [(url, org, k, args.seed * 1000 + org["id"], mv_id, password_hash)
            for org, k in zip(people, per_org, strict=True)]
    totals = {"cases": 0, "states": 0, "decisions": 0, "events": 0, "documents": 0,
              "versions": 0, "systems": 0}
    phase = {"simulate": 0.0, "derive": 0.0, "hash": 0.0, "copy": 0.0}
    done_orgs = 0
    with Pool(min(args.jobs, n_orgs)) as pool:
        for res in pool.imap_unordered(generate_org, jobs):
            done_orgs += 1
            for k in totals:
                totals[k] += res[k]
            for k in phase:
                phase[k] += res["timings"][k]
            if n_orgs > 1 and (done_orgs % 7 == 0 or done_orgs == n_orgs):
                el = time.perf_counter() - clock.start
                log(f"    {done_orgs}/{n_orgs} orgs, {totals['cases']} cases, "
                    f"{totals['events']} events, {el:.0f} s elapsed, "
                    f"{totals['cases'] / el:.0f} cases/s")
    clock.lap("cases, steps, decisions, audit (wall)")
    log("    worker CPU per phase (sum over workers): "
        + ", ".join(f"{k} {v:.1f} s" for k, v in phase.items()))
    with psycopg.connect(url.replace("postgres://", "postgresql://", 1), autocommit=True) as conn:
        conn.execute("ANALYZE")
        clock.lap("ANALYZE")
        broken = check_foreign_keys(conn)
    clock.lap(f"foreign keys checked ({broken[0]} keys)")
    if broken[1]:
        log("BROKEN foreign keys (the data is not usable):\n  " + "\n  ".join(broken[1]))
        return 2
    log(f"done: {n_orgs} organisations, {totals['cases']} cases, {totals['states']} step states, "
        f"{totals['decisions']} decisions, {totals['events']} audit events, "
        f"{totals['documents']} documents ({totals['versions']} versions), "
        f"{totals['systems']} systems "
        f"in {time.perf_counter() - clock.start:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
