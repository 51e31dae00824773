"""Builders for tests, demo data and benchmarks: real rows made through the real services."""

from __future__ import annotations

import re
from html import unescape
from typing import Any, cast

from anskaf.cases import permissions, services
from anskaf.cases.inputs import CaseData, case_values
from anskaf.cases.models import Case
from anskaf.cases.process_models import model_of
from anskaf.orgs.choices import Role, UnitKind
from anskaf.orgs.models import Membership, Organisation, OrgUnit, User
from anskaf.orgs.viewer import access_changed
from anskaf.process.engine import FINISHED


def make_org(slug: str = "haderslev", name: str = "Haderslev Kommune") -> Organisation:
    return Organisation.objects.create(slug=slug, name=name,
                                       procurement_email="udbud-indkob@haderslev.dk")


def make_unit(org: Organisation, name: str = "Social- og Sundhedsforvaltningen",
              parent: OrgUnit | None = None) -> OrgUnit:
    kind = UnitKind.DEPARTMENT if parent else UnitKind.ADMINISTRATION
    access_changed(org.pk)  # written without the services: cached viewers must still follow
    return OrgUnit.objects.create(organisation=org, name=name, parent=parent, kind=kind)


# Roles that serve the whole municipality; the others belong to the person's own unit.
ORGANISATION_WIDE = {"it", "it_board", "security", "procurement", "legal", "archive", "admin"}


def make_user(org: Organisation, username: str, *roles: str, unit: OrgUnit | None = None,
              password: str | None = "demo", full_name: str = "", is_demo: bool = False) -> User:
    first, _, last = full_name.partition(" ")
    user = User.objects.create_user(username=username, password=password, organisation=org,
                                    unit=unit, first_name=first, last_name=last,
                                    is_demo=is_demo)
    if roles:
        access_changed(org.pk, user)
    for role in roles:
        scope = None if role in ORGANISATION_WIDE else unit
        Membership.objects.create(organisation=org, person=user, role=Role(role), unit=scope)
    return user


def stand_in(case: Case, roles: tuple[str, ...]) -> User:
    """Someone who holds one of the roles for the case's unit; made on demand for tests."""
    unit = case.requesting_unit
    for role in roles:
        scope = None if role in ORGANISATION_WIDE else unit
        existing = Membership.objects.filter(organisation_id=case.organisation_id, role=role,
                                             unit=scope).select_related("person").first()
        if existing is not None:
            return existing.person
    role = roles[0]
    org = Organisation.objects.get(pk=case.organisation_id)
    return make_user(org, f"auto-{role}-{case.organisation_id}-{unit.pk if unit else 0}", role,
                     unit=None if role in ORGANISATION_WIDE else unit, password=None)


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
    """A case started as the page and the API start one: the fields checked where they enter
    (`case_values`), then the service."""
    return services.case_create(actor=actor, data=case_values(
        cast(CaseData, case_data(**overrides)), creating=True))


def tick_required(actor: User, case: Case, number: int) -> None:
    step = model_of(case.model_version).step(number)
    items = [{"id": i.id, "done": True} for i in step.checklist if i.required]
    extra = case.step_states.get(number=number).extra_items  # e.g. Måske's missing documents
    items += [{"id": i["id"], "done": True} for i in extra]
    if items:
        services.step_update(actor=actor, case_id=case.pk, number=number, checklist=items)


def _able(actor: User, case: Case, step: Any, refusal: Any, roles: tuple[str, ...]) -> User:
    """The actor when the rules let them act on the step, else someone who may."""
    model = model_of(case.model_version)
    if refusal(actor, case, model, step) is None:
        return actor
    return stand_in(case, roles)


def advance(actor: User, case: Case, through: int, *, rationale: str = "Begrundelse") -> Case:
    """Complete every applicable step and decide every gate Ja, up to and including `through`."""
    model = model_of(case.model_version)
    for step in model.steps:
        if step.number > through:
            break
        status = case.step_states.get(number=step.number).status
        if status in FINISHED:
            continue
        if step.gate is not None:
            decider = _able(actor, case, step, permissions.decide_refusal,
                            step.gate.deciding_roles)
            services.decision_record(actor=decider, case_id=case.pk, step=step.number,
                                     outcome="yes", rationale=rationale)
        else:
            doer = _able(actor, case, step, permissions.complete_refusal,
                         step.complete_roles or step.role_keys)
            if step.complete_reason and doer is not actor:
                doer = _outside_meeting(case, step.complete_roles or step.role_keys)
            tick_required(doer, case, step.number)
            provide_documents(doer, case, step.number)
            provide_archive_assessment(case, step.number)
            services.step_complete(actor=doer, case_id=case.pk, number=step.number,
                                   remarks=reason_for(case, step))
    case.refresh_from_db()
    return case


def _outside_meeting(case: Case, roles: tuple[str, ...]) -> User:
    """A board member of its own who completes the board's review by hand (a meeting held
    outside anskaf), so the board members a test looks at are still told what waits for them."""
    role = roles[0]
    org = Organisation.objects.get(pk=case.organisation_id)
    username = f"auto-{role}-{case.organisation_id}-udenfor"
    existing = User.objects.filter(username=username).first()
    return existing or make_user(org, username, role, unit=None if role in ORGANISATION_WIDE
                                 else case.requesting_unit, password=None)


def reason_for(case: Case, step: Any) -> str | None:
    """The remarks a step that needs a reason to complete gets when the tests walk past it
    (the board's review, completed outside a meeting): its own remarks, else a stock text."""
    if not step.complete_reason:
        return None
    return (case.step_states.get(number=step.number).remarks
            or "Behandlet af IT-visitationen uden for anskaf.")


def provide_documents(actor: User, case: Case, number: int) -> None:
    """Upload the step's required documents when the documents app gates it."""
    from django.apps import apps

    if apps.is_installed("anskaf.documents"):
        from anskaf.documents.testing import provide_required

        provide_required(actor, case, number)


def provide_archive_assessment(case: Case, number: int) -> None:
    """At the archive step, the archive role assesses the case's systems that need it."""
    from django.apps import apps

    if not apps.is_installed("anskaf.portfolio"):
        return
    from anskaf.portfolio import services as portfolio
    from anskaf.portfolio.steps import ARCHIVE

    if ARCHIVE.number(model_of(case.model_version)) != number:
        return
    for system in portfolio.archive_pending(case.pk):
        portfolio.archive_assessment_record(
            actor=stand_in(case, ("archive",)), system_id=system.pk, case_id=case.pk,
            decision="no_archive", plan="Vurderet af testen: intet at arkivere.")


def gate_actor(actor: User, case: Case, number: Any) -> User:
    """The actor, unless the step is a gate they may not decide: then someone who may."""
    model = model_of(case.model_version)
    if (isinstance(number, bool) or not isinstance(number, int) or not model.has_step(number)
            or model.step(number).gate is None or case.organisation_id != actor.organisation_id):
        return actor
    step = model.step(number)
    if permissions.decide_refusal(actor, case, model, step) is None:
        return actor
    return decider_for(case, number)


def decider_for(case: Case, number: int) -> User:
    """A person who holds a deciding role of the gate for the case's unit."""
    gate = model_of(case.model_version).step(number).gate
    assert gate is not None, f"step {number} is not a gate"
    return stand_in(case, gate.deciding_roles)


_LAZY_PART = re.compile(r'<div class="anskaf-lazy" id="[^"]*" hx-get="([^"]+)" hx-trigger="load"'
                        r'.*?</div>', re.S)


_OPENED_PART = re.compile(r'hx-get="([^"]+)" hx-trigger="toggle once"')


def page_with_parts(client: Any, url: str, *, opened: bool = False) -> str:
    """A case page as a browser shows it once loaded: each part it loads by itself (ADR 0042)
    fetched as htmx does and put in its placeholder's place; `opened`: also what loads when
    opened (the timeline, the closed steps' bodies), at the end."""
    html = client.get(url).content.decode()

    def fetch(part_url: str) -> str:
        return client.get(unescape(part_url), headers={"HX-Request": "true"}).content.decode()

    html = _LAZY_PART.sub(lambda m: fetch(m.group(1)), html)
    if opened:
        html += "".join(fetch(u) for u in _OPENED_PART.findall(html))
    return html
