"""Forvaltningers' own models, the installation's shared versions and the shipped model on
upgrade (issue 17, ADR 0032)."""

from __future__ import annotations

import pytest

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases.errors import NotFound, PermissionDenied
from anskaf.cases.models import ModelVersion
from anskaf.cases.process_models import (
    current_version,
    may_publish_shared,
    model_adopt_shared,
    model_for,
    model_publish,
    model_publish_shared,
    newer_shared,
    shared_latest,
    sync_shipped_model,
)
from anskaf.process.loader import sha256_of
from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(model_admin):
    return model_admin


def _renamed(title: str) -> str:
    return rename_step(shipped(), "initial_supplier_dialogue", title)


def test_new_cases_take_the_nearest_forvaltning_with_a_model_else_the_municipalitys(
        org, admin, unit, other_unit, coordinator):
    department = testing.make_unit(org, "Ældreafdelingen", parent=unit)
    in_department = testing.make_user(org, "afd", "coordinator", unit=department)
    elsewhere = testing.make_user(org, "andet", "coordinator", unit=other_unit)
    model_publish(actor=admin, organisation_id=org.pk, content=_renamed("Kommunens"),
                  reason="Kommunen")
    own = model_publish(actor=admin, organisation_id=org.pk, unit_id=unit.pk,
                        content=insert_step(shipped(), after=3), reason="Forvaltningen").version
    assert own.unit_id == unit.pk
    assert current_version(org.pk, department.pk) == own
    assert len(model_for(testing.new_case(in_department)).steps) == 22  # from its parent
    assert len(model_for(testing.new_case(coordinator)).steps) == 22
    theirs = testing.new_case(elsewhere)
    assert model_for(theirs).step(3).title.da == "Kommunens"
    assert current_version(org.pk).unit_id is None  # the municipality level is untouched
    event = AuditEvent.objects.filter(event_type="model.published").last()
    assert event.after["unit"] == {"id": unit.pk, "name": unit.name}


def test_only_a_forvaltning_of_the_municipality_gets_a_model(org, admin, unit, other_org):
    department = testing.make_unit(org, "Afdeling", parent=unit)
    foreign = testing.make_unit(other_org, "Fremmed forvaltning")
    for bad in (department.pk, foreign.pk, "x"):
        with pytest.raises(NotFound):
            model_publish(actor=admin, organisation_id=org.pk, unit_id=bad,
                          content=_renamed("X"), reason="r")
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_a_newer_shared_version_pins_the_municipalities_that_ran_the_default(
        org, other_org, admin, coordinator):
    before = current_version(org.pk)  # the shared default, stored from the shipped file
    case = testing.new_case(coordinator)
    result = model_publish_shared(actor=None, content=_renamed("KL's udgave"),
                                  reason="KL anbefaler")
    assert result.created and result.version.organisation_id is None
    for municipality in (org, other_org):
        mine = current_version(municipality.pk)
        assert (mine.organisation_id, mine.sha256, mine.published_via) == (
            municipality.pk, before.sha256, "pinned")  # nothing changed for them silently
        assert AuditEvent.objects.filter(organisation=municipality,
                                         event_type="model.pinned").count() == 1
        assert AuditEvent.objects.get(organisation=municipality,
                                      event_type="model.shared_published").after["pinned"]
        assert audit_verify(municipality.pk).ok
    assert model_for(case).step(3).title.da != "KL's udgave"
    newer = newer_shared(current_version(org.pk))
    assert newer is not None and newer.newest == result.version
    assert any("KL's udgave" in line for line in newer.diff.lines())
    adopted = model_adopt_shared(actor=admin, organisation_id=org.pk,
                                 version_id=result.version.pk, reason="Vi følger KL").version
    assert (adopted.sha256, adopted.adopted_from_id) == (result.version.sha256,
                                                         result.version.pk)
    assert newer_shared(current_version(org.pk)) is None
    # An own adaptation keeps its lineage: a later shared version is still offered.
    model_publish(actor=admin, organisation_id=org.pk, content=_renamed("Vores"), reason="r")
    assert newer_shared(current_version(org.pk)) is None
    later = model_publish_shared(actor=None, content=_renamed("KL 2"), reason="r").version
    assert newer_shared(current_version(org.pk)).newest == later
    assert current_version(org.pk).sha256 == sha256_of(_renamed("Vores"))


def test_a_new_municipality_runs_the_newest_shared_version(db):
    model_publish_shared(actor=None, content=_renamed("KL"), reason="r")
    late = testing.make_org("ny", "Ny Kommune")
    assert current_version(late.pk) == shared_latest()


def test_shared_versions_are_published_by_the_cli_or_an_operator_only(org, admin):
    with pytest.raises(PermissionDenied):
        model_publish_shared(actor=admin, content=_renamed("X"), reason="r")
    current_version(org.pk)  # stores the shipped default as the first shared version
    same = model_publish_shared(actor=None, content=shipped(), reason="r")
    assert not same.created  # identical to the current shared version: nothing stored


def test_a_changed_shipped_model_becomes_a_newer_shared_version_once(org, tmp_path):
    first = current_version(org.pk)  # the shipped default, stored as before
    assert sync_shipped_model() is None  # unchanged on disk
    changed = tmp_path / "haderslev.yaml"
    changed.write_text(_renamed("Ny leveret udgave"), encoding="utf-8")
    result = sync_shipped_model(changed)
    assert result is not None and result.version.published_via == "shipped"
    assert current_version(org.pk).sha256 == first.sha256  # pinned, not silently changed
    assert sync_shipped_model(changed) is None  # a second upgrade run stores nothing
    # An operator's later shared version is not overwritten by the unchanged shipped file.
    model_publish_shared(actor=None, content=_renamed("KL"), reason="r")
    assert sync_shipped_model(changed) is None
    assert AuditEvent.objects.filter(organisation=org,
                                     event_type="model.shared_published").count() == 2


def test_two_publishes_for_a_forvaltning_from_the_same_base_one_wins(org, admin, unit):
    from anskaf.cases.errors import Conflict

    base = current_version(org.pk, unit.pk).pk  # inherited: the shared default
    model_publish(actor=admin, organisation_id=org.pk, unit_id=unit.pk, content=_renamed("A"),
                  reason="a", base_version_id=base)
    with pytest.raises(Conflict):
        model_publish(actor=admin, organisation_id=org.pk, unit_id=unit.pk,
                      content=_renamed("B"), reason="b", base_version_id=base)
    assert ModelVersion.objects.filter(organisation=org, unit=unit).count() == 1
    same = model_publish(actor=admin, organisation_id=org.pk, unit_id=unit.pk,
                         content=_renamed("A"), reason="igen")
    assert not same.created  # identical content: no version, and it says so


def test_migrate_stores_a_changed_shipped_model_as_a_shared_version(org, tmp_path,
                                                                     monkeypatch, capsys):
    from django.core.management.sql import emit_post_migrate_signal

    from anskaf.cases import process_models

    first = current_version(org.pk)
    changed = tmp_path / "haderslev.yaml"
    changed.write_text(_renamed("Leveret i ny udgave"), encoding="utf-8")
    monkeypatch.setattr(process_models, "DEFAULT_MODEL_PATH", changed)
    emit_post_migrate_signal(1, False, "default")
    assert "Shipped process model stored as shared version 2" in capsys.readouterr().out
    assert shared_latest().published_via == "shipped"
    assert current_version(org.pk).sha256 == first.sha256
    emit_post_migrate_signal(1, False, "default")
    assert ModelVersion.objects.filter(organisation__isnull=True).count() == 2


def test_the_installations_operator_publishes_a_shared_version(org, admin):
    from anskaf.installation.services import operator_add

    operator = operator_add(actor=None, username="drift", via="cli")[0]
    assert may_publish_shared(operator) and may_publish_shared(None)
    assert not may_publish_shared(admin)
    current_version(org.pk)
    published = model_publish_shared(actor=operator, content=_renamed("KL"), reason="KL's model",
                                      via="web")
    assert published.created and published.version.published_by == operator
    event = AuditEvent.objects.filter(organisation=org, event_type="model.shared_published").get()
    assert (event.actor_id, event.actor_role) == (operator.pk, "operator")
    operator.is_active = False
    assert not may_publish_shared(operator)
