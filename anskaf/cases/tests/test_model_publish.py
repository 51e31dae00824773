"""Publishing a process model version (issue 17): audited, reasoned, one winner, no duplicates."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases.errors import Conflict, NotFound, PermissionDenied, ValidationFailed
from anskaf.cases.models import ModelVersion
from anskaf.cases.process_models import (
    current_model,
    current_version,
    model_for,
    model_publish,
    model_rollback,
    organisation_versions,
)
from anskaf.process.loader import ModelInvalid, sha256_of
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(org):
    return testing.make_user(org, "admin", "admin")


def _changed() -> str:
    return rename_step(insert_step(shipped(), after=3), "initial_supplier_dialogue",
                       "Leverandørmøde")


def test_a_published_version_is_what_new_cases_start_on_and_older_cases_keep_theirs(
        org, admin, coordinator):
    older = testing.new_case(coordinator, title="Før")
    result = model_publish(actor=admin, organisation_id=org.pk, content=_changed(),
                           reason="Sikkerhed tidligt")
    assert result.created
    version = result.version
    assert (version.version, version.published_by, version.reason, version.published_via) == (
        1, admin, "Sikkerhed tidligt", "web")
    assert version.published_at is not None
    assert current_version(org.pk) == version
    assert len(current_model(org.pk).steps) == 22
    newer = testing.new_case(coordinator, title="Efter")
    assert len(model_for(newer).steps) == 22
    assert model_for(newer).step(3).title.da == "Leverandørmøde"
    assert len(model_for(older).steps) == 21


def test_publishing_is_audited_with_the_sha256_and_the_reason(org, admin):
    content = _changed()
    model_publish(actor=admin, organisation_id=org.pk, content=content, reason="Fordi")
    event = AuditEvent.objects.get(organisation=org, event_type="model.published")
    assert event.after["sha256"] == sha256_of(content)
    assert event.after["reason"] == "Fordi"
    assert event.before["shared"] is True
    assert event.actor_id == admin.pk and event.actor_role == "admin"
    assert audit_verify(org.pk).ok


def test_identical_content_makes_no_new_version(org, admin):
    first = model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="1")
    again = model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="2")
    assert not again.created and again.version == first.version
    assert ModelVersion.objects.filter(organisation=org).count() == 1


def test_the_shipped_content_is_not_published_again_over_the_shared_default(org, admin):
    result = model_publish(actor=admin, organisation_id=org.pk, content=shipped(), reason="x")
    assert not result.created
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_a_reason_is_required(org, admin):
    with pytest.raises(ValidationFailed) as exc:
        model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="  ")
    assert "reason" in exc.value.errors
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_an_invalid_model_stores_nothing_and_names_the_line(org, admin):
    broken = shipped().replace("effect: reject", "effect: explode", 1)
    with pytest.raises(ModelInvalid) as exc:
        model_publish(actor=admin, organisation_id=org.pk, content=broken, reason="x")
    assert exc.value.problems[0].line
    assert not ModelVersion.objects.filter(organisation=org).exists()
    assert not AuditEvent.objects.filter(event_type="model.published").exists()


def test_the_later_of_two_publishes_from_the_same_base_gets_a_conflict(org, admin):
    base = current_version(org.pk).pk
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Først",
                  base_version_id=base)
    with pytest.raises(Conflict) as exc:
        model_publish(actor=admin, organisation_id=org.pk,
                      content=rename_step(shipped(), "need_reported", "Behov"),
                      reason="Anden", base_version_id=base)
    assert "En anden har udgivet version 1" in exc.value.message
    assert ModelVersion.objects.filter(organisation=org).count() == 1


def test_only_the_organisations_admin_publishes(org, other_org, admin, coordinator):
    with pytest.raises(PermissionDenied):
        model_publish(actor=coordinator, organisation_id=org.pk, content=_changed(), reason="x")
    with pytest.raises(PermissionDenied):
        model_publish(actor=admin, organisation_id=other_org.pk, content=_changed(),
                      reason="x")


def test_the_command_line_publishes_without_a_person(org):
    result = model_publish(actor=None, organisation_id=org.pk, content=_changed(),
                           reason="Script", via="cli")
    assert result.version.published_by is None and result.version.published_via == "cli"
    event = AuditEvent.objects.get(event_type="model.published")
    assert (event.actor_id, event.actor_role) == (None, "cli")


def test_a_rollback_publishes_the_earlier_content_as_a_new_version(org, other_org, admin):
    shared = current_version(org.pk)
    model_publish(actor=admin, organisation_id=org.pk, content=_changed(), reason="Ny")
    back = model_rollback(actor=admin, organisation_id=org.pk, version_id=shared.pk,
                          reason="Tilbage")
    assert back.created and back.version.version == 2
    assert back.version.sha256 == shared.sha256
    assert len(current_model(org.pk).steps) == 21
    event = AuditEvent.objects.filter(event_type="model.published").order_by("seq").last()
    assert event.after["restored_from"] == {"version": shared.version, "sha256": shared.sha256}
    assert [v.version for v in organisation_versions(org.pk)] == [2, 1]
    foreign = model_publish(actor=None, organisation_id=other_org.pk, content=_changed(),
                            reason="x", via="cli").version
    with pytest.raises(NotFound):
        model_rollback(actor=admin, organisation_id=org.pk, version_id=foreign.pk, reason="x")
    assert audit_verify(org.pk).ok


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_publishes_from_the_same_base_give_one_winner_and_one_conflict():
    import threading

    from django.db import connection

    org = testing.make_org()
    admins = [testing.make_user(org, f"admin-{i}", "admin") for i in range(2)]
    base = current_version(org.pk).pk
    contents = [_changed(), rename_step(shipped(), "need_reported", "Behov")]
    barrier = threading.Barrier(2)
    results: dict[int, str] = {}

    def publish(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            model_publish(actor=admins[index], organisation_id=org.pk, content=contents[index],
                          reason=f"Nr. {index}", base_version_id=base)
            results[index] = "published"
        except Conflict:
            results[index] = "conflict"
        finally:
            connection.close()

    threads = [threading.Thread(target=publish, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(results.values()) == ["conflict", "published"], results
    assert ModelVersion.objects.filter(organisation=org).count() == 1
    assert AuditEvent.objects.filter(organisation=org, event_type="model.published").count() == 1
    assert audit_verify(org.pk).ok
