"""Builders for tests, demo data and benchmarks: real rows made through the real services."""

from __future__ import annotations

from typing import Any

from anskaf.cases import services
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_of
from anskaf.orgs.choices import Role, UnitKind
from anskaf.orgs.models import Membership, Organisation, OrgUnit, User
from anskaf.process.engine import FINISHED, StepStatus


def make_org(slug: str = "haderslev", name: str = "Haderslev Kommune") -> Organisation:
    return Organisation.objects.create(slug=slug, name=name,
                                       procurement_email="udbud-indkob@haderslev.dk")


def make_unit(org: Organisation, name: str = "Social- og Sundhedsforvaltningen",
              parent: OrgUnit | None = None) -> OrgUnit:
    kind = UnitKind.DEPARTMENT if parent else UnitKind.ADMINISTRATION
    return OrgUnit.objects.create(organisation=org, name=name, parent=parent, kind=kind)


def make_user(org: Organisation, username: str, *roles: str, unit: OrgUnit | None = None,
              password: str = "demo", full_name: str = "", is_demo: bool = False) -> User:
    first, _, last = full_name.partition(" ")
    user = User.objects.create_user(username=username, password=password, organisation=org,
                                    unit=unit, first_name=first, last_name=last,
                                    is_demo=is_demo)
    for role in roles:
        Membership.objects.create(organisation=org, person=user, role=Role(role), unit=unit)
    return user


def case_data(**overrides: Any) -> dict[str, Any]:
    data = {
        "title": "Nyt økonomisystem",
        "need": "Vi mangler et system til budgetopfølgning.",
        "strategic_fit": "Understøtter kommunens digitaliseringsstrategi.",
        "user_impact": "Medarbejderne sparer tid; borgerne mærker det ikke direkte.",
        "replaces_system": False,
    }
    data.update(overrides)
    return data


def new_case(actor: User, **overrides: Any) -> Case:
    return services.case_create(actor=actor, data=case_data(**overrides))


def tick_required(actor: User, case: Case, number: int) -> None:
    step = model_of(case.model_version).step(number)
    items = [{"id": i.id, "done": True} for i in step.checklist if i.required]
    if items:
        services.step_update(actor=actor, case_id=case.pk, number=number, checklist=items)


def advance(actor: User, case: Case, through: int, *, rationale: str = "Begrundelse") -> Case:
    """Complete every applicable step and decide every gate Ja, up to and including `through`."""
    model = model_of(case.model_version)
    for step in model.steps:
        if step.number > through:
            break
        status = case.step_states.get(number=step.number).status
        if status in FINISHED or status == StepStatus.DONE:
            continue
        if step.gate is not None:
            services.decision_record(actor=actor, case_id=case.pk, step=step.number,
                                     outcome="yes", rationale=rationale)
        else:
            tick_required(actor, case, step.number)
            services.step_complete(actor=actor, case_id=case.pk, number=step.number)
    case.refresh_from_db()
    return case
