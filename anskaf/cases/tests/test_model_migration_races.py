"""Moving a case to another model version against a racing step move, and a migration that
fails at its last write: one transaction wins, nothing is half-migrated (ADR 0032)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from anskaf import testing
from anskaf.audit.services import audit_verify
from anskaf.cases import model_migration, services
from anskaf.cases.models import StepState
from anskaf.cases.process_models import model_for, model_publish
from anskaf.process.tests.model_edits import insert_step, shipped


@pytest.mark.django_db(transaction=True)
def test_a_migration_racing_a_step_completion_one_transaction_first_both_hold():
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit)
    admin = testing.make_user(org, "admin", "admin")
    case = testing.new_case(coordinator)
    testing.tick_required(coordinator, case, 1)
    model_publish(actor=admin, organisation_id=org.pk, content=insert_step(shipped(), after=3),
                  reason="r")
    barrier = threading.Barrier(2)
    errors: list[BaseException] = []

    def run(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            if index == 0:
                services.step_complete(actor=coordinator, case_id=case.pk, number=1)
            else:
                model_migration.case_migrate(actor=admin, organisation_id=org.pk,
                                             case_id=case.pk)
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    case.refresh_from_db()
    assert len(model_for(case).steps) == 22
    numbers = sorted(StepState.objects.filter(case=case).values_list("number", flat=True))
    assert numbers == list(range(1, 23))
    assert StepState.objects.get(case=case, number=1).status == "done"
    assert audit_verify(org.pk).ok


@pytest.mark.django_db
def test_a_migration_that_fails_at_its_last_write_leaves_the_case_as_it_was(
        org, coordinator, monkeypatch):
    admin = testing.make_user(org, "admin", "admin")
    case = testing.advance(coordinator, testing.new_case(coordinator), through=5)
    before = list(StepState.objects.filter(case=case).order_by("pk")
                  .values_list("pk", "number", "status"))
    model_publish(actor=admin, organisation_id=org.pk, content=insert_step(shipped(), after=3),
                  reason="r")

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(model_migration, "audit_append", broken)
    with pytest.raises(RuntimeError):
        model_migration.case_migrate(actor=admin, organisation_id=org.pk, case_id=case.pk)
    case.refresh_from_db()
    assert len(model_for(case).steps) == 21
    assert list(StepState.objects.filter(case=case).order_by("pk")
                .values_list("pk", "number", "status")) == before
