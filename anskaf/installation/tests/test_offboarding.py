"""Offboarding a municipality (ADR 0030): a complete export first, then the deletion of its
every row and file, audited; the other municipality and the installation's chain untouched."""

from __future__ import annotations

import json
import tarfile
from datetime import date

import pytest
from django.apps import apps
from django.db import connection

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cli import main
from anskaf.documents.storage import document_storage
from anskaf.installation import offboarding, services
from anskaf.installation.errors import OperatorRefused
from anskaf.installation.services import installation_organisation
from anskaf.orgs.models import Organisation


def test_every_model_of_anskaf_is_placed_in_a_municipality_or_shared():
    for model in apps.get_models():
        if not model.__module__.startswith("anskaf.") or model is Organisation:
            continue
        assert model._meta.label in offboarding.SHARED or offboarding.placeable(model), (
            f"{model._meta.label}: no foreign key path to a municipality; add it to "
            "offboarding.SHARED if it is the installation's")


def _fill(coordinator, board_member):
    """A municipality with something in every app."""
    from anskaf.discussion.services import comment_create
    from anskaf.documents.testing import upload
    from anskaf.meetings.testing import schedule
    from anskaf.notifications.services import Notice, notify
    from anskaf.portfolio.models import Contract, DataProcessingAgreement, System

    org = coordinator.organisation
    case = testing.new_case(coordinator, title="Udfases")
    testing.advance(coordinator, case, 3)
    version = upload(coordinator, case, 10, "support_agreement", "Aftale.pdf")
    comment_create(actor=coordinator, case_id=case.pk, body="Hej")
    schedule(board_member)
    notify([coordinator], Notice(kind="decision", organisation_id=org.pk, subject="S",
                                 body="B", path="/"))
    system = System.objects.create(organisation=org, name="System")
    Contract.objects.create(organisation=org, system=system, number="K-1",
                            start_date=date(2026, 1, 1), duration_months=12)
    DataProcessingAgreement.objects.create(organisation=org, system=system, supplier="A/S")
    token_create(user=coordinator)
    return version


def _municipal_rows(org_id: int) -> int:
    return sum(offboarding.counts(offboarding.org_rows(org_id)).values())


def test_offboard_exports_everything_then_deletes_it_and_only_it(
        coordinator, board_member, outsider, capsys, tmp_path, settings,
        django_capture_on_commit_callbacks):
    settings.ANSKAF_ANCHOR_LOG = str(tmp_path / "anchors.jsonl")
    version = _fill(coordinator, board_member)
    _fill(testing.make_user(outsider.organisation, "k2", "coordinator", unit=outsider.unit),
          testing.make_user(outsider.organisation, "b2", "it_board"))
    org, other = coordinator.organisation, outsider.organisation
    stored = version.document.versions.first().storage_name
    assert document_storage().exists(stored)
    other_before = _municipal_rows(other.pk)
    assert main(["audit", "anchor"]) == 0
    export = tmp_path / "haderslev.tar"

    assert main(["org", "offboard", org.slug, "--reason", "Forlader", "-o", str(export)]) == 1
    assert "suspend haderslev first" in capsys.readouterr().err and not export.exists()

    assert main(["org", "suspend", org.slug, "--reason", "Forlader installationen"]) == 0
    rows_before = offboarding.counts(offboarding.org_rows(org.pk))
    assert {"cases.Case", "cases.StepState", "documents.DocumentVersion", "meetings.Meeting",
            "discussion.Comment", "audit.AuditEvent", "audit.ChainHead", "orgs.User",
            "api.ApiToken", "portfolio.Contract", "notifications.Notification"} <= set(rows_before)
    with django_capture_on_commit_callbacks(execute=True):  # the files go after the commit
        assert main(["org", "offboard", org.slug, "--reason", "Forlader", "-o",
                     str(export)]) == 0
    out = capsys.readouterr().out
    assert "Exported Haderslev Kommune" in out and "Deleted Haderslev Kommune" in out

    with tarfile.open(export) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
        names = tar.getnames()
        cases = json.load(tar.extractfile("data/cases.Case/00000.json"))
    assert manifest["rows"] == rows_before and manifest["organisation"]["slug"] == "haderslev"
    assert f"documents/{stored}" in names and "manifest.sig" in names
    assert [c["fields"]["title"] for c in cases] == ["Udfases"]

    assert not Organisation.objects.filter(pk=org.pk).exists()
    assert _municipal_rows(org.pk) == 0
    assert not document_storage().exists(stored)
    assert _municipal_rows(other.pk) == other_before
    connection.check_constraints()  # no row points at a deleted one
    event = AuditEvent.objects.filter(organisation=installation_organisation()).latest("seq")
    assert event.event_type == "organisation.offboarded"
    assert event.after["reason"] == "Forlader" and event.after["rows"] == rows_before
    assert event.before["chain_head"]["seq"] == rows_before["audit.AuditEvent"]
    assert audit_verify(other.pk).ok and audit_verify(installation_organisation().pk).ok
    assert main(["audit", "verify"]) == 0  # the anchored, offboarded chain is not "missing"


def test_offboard_refuses_when_the_data_changed_since_the_export(coordinator):
    services.org_suspend(actor=None, slug=coordinator.organisation.slug, reason="x", via="cli")
    rows = offboarding.counts(offboarding.org_rows(coordinator.organisation_id))
    testing.make_user(coordinator.organisation, "sen")
    with pytest.raises(OperatorRefused, match="ændret siden eksporten"):
        services.org_offboard(actor=None, slug=coordinator.organisation.slug, reason="x",
                              export_sha256="0", export_rows=rows, via="cli")
    assert Organisation.objects.filter(pk=coordinator.organisation_id).exists()
