"""Moving open cases to the current model version (issue 17 item 2, ADR 0032)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases import services
from anskaf.cases.errors import NotFound, PermissionDenied
from anskaf.cases.model_migration import (
    MigrationRefused,
    case_migrate,
    cases_migrate,
    migration_plan,
)
from anskaf.cases.models import Case, Decision, StepState
from anskaf.cases.process_models import model_for, model_publish
from anskaf.notifications.models import Notification
from anskaf.process.tests.model_edits import insert_step, inserted_and_renamed, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(model_admin):
    return model_admin


def _publish(org, admin, content=None):
    return model_publish(actor=admin, organisation_id=org.pk,
                         content=content or inserted_and_renamed(),
                         reason="Sikkerhed tidligt").version


def test_the_journey_publish_new_cases_22_older_21_dry_run_then_migrate(org, admin,
                                                                      coordinator):
    from anskaf.documents.testing import upload

    older = testing.new_case(coordinator, title="Før")
    upload(coordinator, older, 2, "requirements_specification")
    upload(coordinator, older, 4, "product_description")
    older = testing.advance(coordinator, older, through=7)
    from anskaf.discussion.services import comment_create
    from anskaf.notifications.models import StepDeadline
    from anskaf.notifications.services import deadline_set

    comment = comment_create(actor=coordinator, case_id=older.pk, body="Om trinnet", step=9)
    deadline_set(actor=coordinator, case_id=older.pk, number=9, due_date="2099-12-31")
    done_before = {s.number: (s.completed_by_id, s.completed_at, s.pk)
                   for s in older.step_states.filter(status="done")}
    events_before = AuditEvent.objects.filter(case_id=older.pk).count()
    decided_before = list(Decision.objects.filter(case=older).values_list("step", flat=True))
    assert decided_before
    from anskaf.documents.models import Document

    documents_before = dict(Document.objects.filter(case=older).values_list("pk", "step"))
    assert documents_before
    version = _publish(org, admin)
    newer = testing.new_case(coordinator, title="Efter")
    assert len(model_for(newer).steps) == 22
    assert model_for(newer).step(3).title.da == "Leverandørmøde"
    assert len(model_for(older).steps) == 21

    plans = migration_plan(actor=admin, organisation_id=org.pk)
    assert [p.case_id for p in plans] == [older.pk]  # the new case is on the version already
    plan = plans[0]
    assert plan.ok, plan.refusals
    assert [(n.key, n.number, n.status) for n in plan.new] == [
        ("security_pre_screening", 4, "not_started")]
    assert {(m.old_number, m.new_number) for m in plan.renumbered} >= {(4, 5), (21, 22)}
    assert [m.title_before for m in plan.renamed] == [
        model_for(older).step(3).title.da]
    assert StepState.objects.get(case=older, number=4).status == "done"  # dry run: no change

    case_migrate(actor=admin, organisation_id=org.pk, case_id=older.pk)
    older.refresh_from_db()
    assert older.model_version_id == version.pk
    states = {s.number: s for s in older.step_states.all()}
    assert len(states) == 22
    assert states[4].status == "not_started"  # the new step, open
    assert 4 in older.waiting_steps
    for old_number, (by, at, pk) in done_before.items():
        new_number = old_number + 1 if old_number > 3 else old_number
        state = states[new_number]
        assert (state.pk, state.status, state.completed_by_id, state.completed_at) == (
            pk, "done", by, at)  # the same row, its history attached
        assert state.completed_under_id is not None  # the texts it was completed under
    assert Decision.objects.filter(case=older).count() == len(decided_before)
    assert set(Decision.objects.filter(case=older).values_list("step", flat=True)) == {
        n + 1 if n > 3 else n for n in decided_before}  # decisions follow their gates by key
    assert dict(Document.objects.filter(case=older).values_list("pk", "step")) == {
        pk: n + 1 if n > 3 else n for pk, n in documents_before.items()}  # and documents
    comment.refresh_from_db()
    assert comment.step == 10  # comments and deadlines too
    assert StepDeadline.objects.get(case=older).step == 10
    assert AuditEvent.objects.filter(case_id=older.pk).count() == events_before + 1
    event = AuditEvent.objects.get(case_id=older.pk, event_type="case.model_migrated")
    assert event.before["sha256"] != event.after["sha256"] == version.sha256
    assert "security_pre_screening" in event.after["new_steps"]
    notice = Notification.objects.get(recipient=coordinator, kind="model")
    assert "Forhåndsvurdering af informationssikkerhed" in notice.body
    assert "Leverandørmøde" in notice.body
    assert audit_verify(org.pk).ok
    assert migration_plan(actor=admin, organisation_id=org.pk) == []


def test_a_removed_completed_step_is_refused_and_nothing_changes(org, admin, coordinator):
    case = testing.advance(coordinator, testing.new_case(coordinator), through=2)
    from anskaf.process.tests.model_edits import dump, load

    data = load(shipped())
    # Take out step 2 (done on this case) by giving it another key: removed + added.
    step = next(s for s in data["steps"] if s["number"] == 2)
    step["key"] = "something_else"
    _publish(org, admin, dump(data))
    plan = migration_plan(actor=admin, organisation_id=org.pk)[0]
    assert not plan.ok
    assert any("findes ikke i den nye model" in r for r in plan.refusals)
    with pytest.raises(MigrationRefused):
        case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)
    case.refresh_from_db()
    assert len(model_for(case).steps) == 21
    assert not AuditEvent.objects.filter(event_type="case.model_migrated").exists()
    result = cases_migrate(actor=admin, organisation_id=org.pk)
    assert (result.migrated, [p.case_id for p in result.refused]) == ([], [case.pk])


def test_only_admins_migrate_and_other_municipalities_cases_are_not_found(org, admin,
                                                                        coordinator):
    case = testing.new_case(coordinator)
    _publish(org, admin)
    with pytest.raises(PermissionDenied):
        migration_plan(actor=coordinator, organisation_id=org.pk)
    other = testing.make_org("aabenraa", "Aabenraa Kommune")
    other_admin = testing.make_user(other, "oadmin", "admin")
    with pytest.raises(NotFound):
        migration_plan(actor=other_admin, organisation_id=other.pk, case_ids=[case.pk])


def test_a_migration_waits_for_a_racing_step_completion_and_plans_with_it(org, admin,
                                                                        coordinator):
    """The step move and the migration lock the same case row: whichever commits first, the
    other sees it. Here the completion lands first; the migration carries it over."""
    case = testing.new_case(coordinator)
    plan_before = migration_plan(actor=admin, organisation_id=org.pk)
    assert plan_before == []
    _publish(org, admin)
    testing.tick_required(coordinator, case, 1)
    services.step_complete(actor=coordinator, case_id=case.pk, number=1)
    case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)
    assert StepState.objects.get(case=case, number=1).status == "done"
    with pytest.raises(MigrationRefused):  # twice: already there
        case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)


def test_a_migrated_case_shows_the_texts_its_steps_were_finished_under(org, admin,
                                                                       coordinator):
    from django.test import Client

    from anskaf.documents.guide import build_guide

    case = testing.advance(coordinator, testing.new_case(coordinator), through=3)
    old_title = model_for(case).step(3).title.da
    _publish(org, admin)
    case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)
    guide = build_guide(viewer=coordinator, case_id=case.pk)
    assert [r.title for r in guide.rows if r.number == 3] == [old_title]
    assert [r.title for r in guide.rows if r.number == 4] == [
        "Forhåndsvurdering af informationssikkerhed"]
    client = Client()
    client.force_login(coordinator)
    html = client.get(f"/sager/{case.pk}/trin/3/").content.decode()
    assert f"Dengang hed det »{old_title}«" in html
    timeline = client.get(f"/sager/{case.pk}/dele/tidslinje/").content.decode()
    assert "flyttede sagen fra version" in timeline
    # Reopened and finished again, the step is under the case's version from then on.
    services.step_reopen(actor=coordinator, case_id=case.pk, number=3, reason="Igen")
    assert StepState.objects.get(case=case, number=3).completed_under_id is None


def test_a_migrated_case_runs_the_whole_journey_on_the_22_step_model(org, admin, coordinator):
    """Meetings, documents, portfolio and notifications keep working on the moved case: every
    step to the end, by key, with the apps' guards and events on the new numbers."""
    case = testing.advance(coordinator, testing.new_case(coordinator), through=7)
    _publish(org, admin)
    case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)
    case = testing.advance(coordinator, Case.objects.get(pk=case.pk), through=22)
    assert case.status == "completed"
    assert StepState.objects.filter(case=case).exclude(
        status__in=("done", "not_relevant")).count() == 0
    assert audit_verify(org.pk).ok


def test_a_case_breaking_a_rule_of_the_new_model_is_refused(org, admin, coordinator):
    """A finished step that, in the new model, requires a step the case has not finished."""
    from anskaf.process.tests.model_edits import edit_step

    case = testing.advance(coordinator, testing.new_case(coordinator), through=2)
    content = edit_step(insert_step(shipped(), after=1), "needs_or_market_analysis",
                        requires=[2])
    _publish(org, admin, content)
    [plan] = migration_plan(actor=admin, organisation_id=org.pk)
    assert plan.case_id == case.pk
    assert any("kræver i den nye model trin 2" in r for r in plan.refusals), plan.refusals
