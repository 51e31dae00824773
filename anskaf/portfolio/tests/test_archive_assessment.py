"""Archive duties (issue 19, item 12): when a case's system holds personal data or case records,
the archive role is asked for its assessment before the archive step completes, and the decision
is recorded on the system in the portfolio."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of
from anskaf.audit.models import AuditEvent
from anskaf.cases import services as case_services
from anskaf.cases.errors import PermissionDenied, RequirementMissing, ValidationFailed
from anskaf.notifications.models import Notification
from anskaf.portfolio import services
from anskaf.portfolio.models import System
from anskaf.portfolio.steps import ARCHIVE

pytestmark = pytest.mark.django_db

CLOSE_PREVIOUS = 21


@pytest.fixture
def archivist(org):
    return testing.make_user(org, "arkivar", "archive", full_name="Arne Arkivar")


@pytest.fixture
def at_archive_step(coordinator, org, unit):
    """A case that replaces a system with case records, walked up to its archive step."""
    old = System.objects.create(organisation=org, name="Gammelt ESDH", case_records=True,
                                lifecycle="Operational")
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="x")
    services.case_link(actor=coordinator, case_id=case.pk, kind="replaced", system_id=old.pk)
    testing.advance(coordinator, case, through=CLOSE_PREVIOUS - 1)
    return case, old


def _complete(case, actor):
    testing.tick_required(actor, case, CLOSE_PREVIOUS)
    testing.provide_documents(actor, case, CLOSE_PREVIOUS)
    return case_services.step_complete(actor=actor, case_id=case.pk, number=CLOSE_PREVIOUS)


def test_the_archive_step_is_bound_by_kind_not_number():
    from anskaf.process.loader import load_default

    step = ARCHIVE.find(load_default())
    assert step is not None and step.kind == "archive_approval"
    assert step.number == CLOSE_PREVIOUS


def test_the_archive_step_waits_for_the_assessment_then_completes(coordinator, archivist,
                                                                  at_archive_step):
    case, old = at_archive_step
    with pytest.raises(RequirementMissing, match="arkivansvarlige"):
        _complete(case, coordinator)
    services.archive_assessment_record(actor=archivist, system_id=old.pk, case_id=case.pk,
                                       decision="archive",
                                       plan="Arkiveringsversion afleveres til Rigsarkivet.")
    _complete(case, coordinator)
    old.refresh_from_db()
    assert (old.archive_decision, old.archive_assessed_by) == ("archive", archivist)
    event = AuditEvent.objects.get(event_type="system.archive_assessed")
    assert event.after["archive_decision"] == "archive" and event.after["case_id"] == case.pk


def test_the_archive_role_is_asked_when_the_step_opens(coordinator, archivist, at_archive_step):
    case, _ = at_archive_step
    asked = Notification.objects.filter(recipient=archivist, case=case, step=CLOSE_PREVIOUS)
    assert asked.exists()


def test_a_system_without_personal_data_or_case_records_needs_none(coordinator, org):
    old = System.objects.create(organisation=org, name="Skemaværktøj")
    case = testing.new_case(coordinator, replaces_system=True, replaced_system_name="x")
    services.case_link(actor=coordinator, case_id=case.pk, kind="replaced", system_id=old.pk)
    testing.advance(coordinator, case, through=CLOSE_PREVIOUS - 1)
    _complete(case, coordinator)


def test_only_the_archive_role_assesses_and_a_plan_is_required(coordinator, archivist,
                                                              at_archive_step):
    _, old = at_archive_step
    with pytest.raises(PermissionDenied, match="Den arkivansvarlige"):
        services.archive_assessment_record(actor=coordinator, system_id=old.pk,
                                           decision="archive", plan="Plan")
    with pytest.raises(ValidationFailed) as info:
        services.archive_assessment_record(actor=archivist, system_id=old.pk,
                                           decision="maybe", plan=" ")
    assert set(info.value.errors) == {"decision", "plan"}


def test_the_page_keeps_what_was_typed_and_the_api_records_it(client, archivist,
                                                              at_archive_step):
    case, old = at_archive_step
    client.force_login(archivist)
    url = f"/sager/{case.pk}/arkivvurdering/{old.pk}/"
    assert testing.page_with_parts(client, f"/sager/{case.pk}/", opened=True).count(url) == 1
    refused = client.post(url, {"decision": "", "plan": "Min plan"})
    assert refused.status_code == 400 and "Min plan" in refused.content.decode()
    api = ApiClient(archivist)
    bad = api.post(f"/systems/{old.pk}/archive-assessment", {"decision": "later", "plan": "x"})
    assert bad.status_code == 400 and error_of(bad) == "validation_error"
    ok = api.post(f"/systems/{old.pk}/archive-assessment",
                  {"decision": "no_archive", "plan": "Kun kopier af sager i Acadre.",
                   "case": case.pk})
    assert ok.status_code == 200, ok.content
    assert ok.json()["archive"]["decision"] == "no_archive"
    assert ok.json()["archive"]["assessed_by"] == "arkivar"
