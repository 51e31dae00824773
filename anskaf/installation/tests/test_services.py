"""The operator's services (ADR 0030), called directly: create, suspend, resume, operators."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.tokens import default_token_generator

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.installation import services
from anskaf.installation.errors import NotAnOperator, NotFound, OperatorRefused, ValidationFailed
from anskaf.installation.inputs import cvr_problem, org_values
from anskaf.installation.services import installation_organisation
from anskaf.notifications.models import OutboxMessage
from anskaf.orgs.models import Membership, Organisation, OrgUnit, User

AABENRAA = {"name": "Aabenraa Kommune", "slug": "aabenraa", "cvr": "29189854",
            "units": ["Børn og Skole", "Social og Sundhed"], "admin_name": "Mette Holm",
            "admin_email": "mette@aabenraa.dk"}


@pytest.mark.parametrize("cvr", ["29189854", "29189587", "55133018"])
def test_a_valid_cvr_passes_modulus_11(cvr):
    assert cvr_problem(cvr) is None


@pytest.mark.parametrize("cvr, says", [
    ("29189855", "kontrolcifferet"), ("2918985", "8 cifre"), ("2918985x", "8 cifre"),
    ("", "8 cifre"), ("09189854", "begynder ikke med 0")])
def test_an_invalid_cvr_is_refused_with_the_reason(cvr, says):
    assert says in cvr_problem(cvr)


def test_org_create_makes_the_municipality_its_units_its_admin_and_the_invitation(operator):
    org, admin = services.org_create(actor=operator, data=AABENRAA)
    assert (org.name, org.slug, org.cvr, org.is_installation) == (
        "Aabenraa Kommune", "aabenraa", "29189854", False)
    assert sorted(OrgUnit.objects.filter(organisation=org).values_list("name", "kind")) == [
        ("Børn og Skole", "administration"), ("Social og Sundhed", "administration")]
    assert (admin.username, admin.email, admin.organisation_id) == (
        "mette@aabenraa.dk", "mette@aabenraa.dk", org.pk)
    assert not admin.has_usable_password()
    assert Membership.objects.filter(person=admin, role="admin", unit=None).exists()
    [mail] = OutboxMessage.objects.filter(organisation=org)
    assert mail.to_email == "mette@aabenraa.dk"
    token = re.search(r"/invitation/[^/]+/([^/]+)/", mail.body).group(1)
    assert default_token_generator.check_token(admin, token)
    # The municipality's own chain tells its beginning; the installation's the operator's act.
    assert list(AuditEvent.objects.filter(organisation=org).order_by("seq").values_list(
        "event_type", flat=True)) == ["organisation.created", "unit.created", "unit.created",
                                      "person.created", "role.added"]
    last = AuditEvent.objects.filter(organisation=installation_organisation()).latest("seq")
    assert (last.event_type, last.actor_id, last.actor_role) == (
        "organisation.created", operator.pk, "operator")
    assert last.after["admin"] == "mette@aabenraa.dk" and last.after["via"] == "web"
    assert audit_verify(org.pk).ok and audit_verify(installation_organisation().pk).ok


def test_org_values_names_every_bad_field(org):
    bad = {"name": "", "slug": "Ikke OK", "cvr": "12345678", "units": ["A", "a"],
           "admin_name": "", "admin_email": "ikke-en-adresse"}
    with pytest.raises(ValidationFailed) as refused:
        org_values(bad)
    assert set(refused.value.errors) == {"name", "slug", "cvr", "units", "admin_name",
                                         "admin_email"}
    assert "små bogstaver" in refused.value.errors["slug"]
    assert "to gange" in refused.value.errors["units"]


@pytest.mark.parametrize("field, value, says", [
    ("name", "Aabenraa\x1bKommune", "kontroltegn"), ("name", "A" * 201, "højst være 200"),
    ("slug", "", "kortnavn"), ("slug", "-aabenraa", "små bogstaver"),
    ("cvr", "29189855", "kontrolcifferet"), ("units", "Børn\u202eSkole", "skriveretningen"),
    ("admin_name", "", ""), ("admin_email", "", "invitationen sendes dertil"),
    ("admin_email", "ikke-en-adresse", "")])
def test_org_values_refuses_each_bad_field_alone(field, value, says):
    with pytest.raises(ValidationFailed) as refused:
        org_values({**AABENRAA, field: value})
    assert set(refused.value.errors) == {field} and says in refused.value.errors[field]


def test_org_values_answers_the_checked_values():
    values = org_values({**AABENRAA, "name": "  Aabenraa   Kommune ", "slug": " Aabenraa ",
                         "cvr": "2918 9854", "units": "Børn og Skole\n\n Social og Sundhed "})
    assert (values["name"], values["slug"], values["cvr"], values["units"]) == (
        "Aabenraa Kommune", "aabenraa", "29189854", ["Børn og Skole", "Social og Sundhed"])


def test_org_create_refuses_a_taken_slug_and_writes_nothing(operator, org):
    with pytest.raises(ValidationFailed) as refused:
        services.org_create(actor=operator, data=org_values({**AABENRAA, "slug": org.slug}))
    assert set(refused.value.errors) == {"slug"}
    assert "allerede i brug" in refused.value.errors["slug"]
    assert Organisation.objects.filter(is_installation=False).count() == 1
    assert not OutboxMessage.objects.exists()


def test_org_create_refuses_the_installations_slug_a_known_cvr_and_a_taken_email(operator):
    services.org_create(actor=operator, data=AABENRAA)
    again = {**AABENRAA, "slug": "installation"}
    with pytest.raises(ValidationFailed) as refused:
        services.org_create(actor=operator, data=again)
    assert set(refused.value.errors) == {"slug", "cvr", "admin_email"}


def test_only_an_operator_or_the_command_line_may_act(org, coordinator):
    admin = testing.make_user(org, "chef", "admin")
    for actor in (coordinator, admin):
        with pytest.raises(NotAnOperator):
            services.org_create(actor=actor, data=AABENRAA)
        with pytest.raises(NotAnOperator):
            services.org_suspend(actor=actor, slug=org.slug, reason="x")
    with pytest.raises(NotAnOperator):
        services.org_create(actor=None, data=AABENRAA, via="web")
    assert not Organisation.objects.filter(slug="aabenraa").exists()


def test_suspend_and_resume_are_audited_in_both_chains(operator, org):
    services.org_suspend(actor=operator, slug=org.slug, reason="Kontrakten er opsagt")
    org.refresh_from_db()
    assert org.suspended_at is not None and org.suspended_reason == "Kontrakten er opsagt"
    assert org.session_epoch == 1
    with pytest.raises(OperatorRefused, match="allerede suspenderet"):
        services.org_suspend(actor=operator, slug=org.slug, reason="igen")
    services.org_resume(actor=operator, slug=org.slug)
    org.refresh_from_db()
    assert org.suspended_at is None and org.session_epoch == 1
    with pytest.raises(OperatorRefused, match="ikke suspenderet"):
        services.org_resume(actor=operator, slug=org.slug)
    for chain in (org.pk, installation_organisation().pk):
        types = list(AuditEvent.objects.filter(organisation_id=chain).order_by("seq")
                     .values_list("event_type", flat=True))
        assert types[-2:] == ["organisation.suspended", "organisation.resumed"]
        assert audit_verify(chain).ok


def test_suspend_needs_a_reason_and_a_known_municipality(operator, org):
    with pytest.raises(ValidationFailed) as refused:
        services.org_suspend(actor=operator, slug=org.slug, reason="  ")
    assert "reason" in refused.value.errors
    with pytest.raises(NotFound):
        services.org_suspend(actor=operator, slug="atlantis", reason="x")
    with pytest.raises(NotFound):  # the installation's own row is no municipality
        services.org_suspend(actor=operator, slug="installation", reason="x")


def test_operator_add_creates_promotes_and_refuses_a_municipalitys_person(operator, coordinator):
    person, created = services.operator_add(actor=operator, username="drift2",
                                            email="drift2@example.org", via="api")
    assert created and person.is_operator and person.organisation_id is None
    assert OutboxMessage.objects.filter(to_email="drift2@example.org").exists()
    loose = User.objects.create_user(username="root", password=None)
    promoted, created = services.operator_add(actor=None, username="root")
    assert not created and promoted.pk == loose.pk and promoted.is_operator
    with pytest.raises(OperatorRefused, match="allerede driftsansvarlig"):
        services.operator_add(actor=None, username="root")
    with pytest.raises(OperatorRefused, match="hører ikke til nogen kommune"):
        services.operator_add(actor=None, username=coordinator.username)
    coordinator.refresh_from_db()
    assert not coordinator.is_operator
    assert audit_verify(installation_organisation().pk).ok


def test_the_command_line_acts_as_cli_in_both_chains_an_operator_as_operator(operator):
    """ADR 0038: without a person the actor_role is `cli`, never `operator`."""
    org, _ = services.org_create(actor=None, data=AABENRAA, via="cli")
    roles = set(AuditEvent.objects.filter(organisation=org).values_list("actor_role", flat=True))
    last = AuditEvent.objects.filter(organisation=installation_organisation()).latest("seq")
    assert roles == {"cli"}
    assert (last.event_type, last.actor_id, last.actor_role, last.object_type) == (
        "organisation.created", None, "cli", "orgs.Organisation")
    services.org_suspend(actor=operator, slug=org.slug, reason="Kontrakten er opsagt")
    suspended = AuditEvent.objects.filter(event_type="organisation.suspended")
    assert {(e.actor_id, e.actor_role) for e in suspended} == {(operator.pk, "operator")}
    assert audit_verify(org.pk).ok and audit_verify(installation_organisation().pk).ok
