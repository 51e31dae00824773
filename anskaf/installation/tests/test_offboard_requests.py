"""Offboarding from the operator's page and the API (ADR 0030): the request is checked and
audited, the worker exports into the export directory and deletes, the overview lists the
result, and a failed export deletes nothing and says why on the municipality's page."""

from __future__ import annotations

import json
import tarfile

import pytest
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.installation import services
from anskaf.installation.services import installation_organisation
from anskaf.orgs.models import Organisation

P = "/api/v1/installation/organisations"


@pytest.fixture
def exports(tmp_path, settings):
    settings.ANSKAF_EXPORT_DIR = tmp_path / "exports"
    settings.ANSKAF_ANCHOR_LOG = str(tmp_path / "anchors.jsonl")
    return settings.ANSKAF_EXPORT_DIR


def _installation_events(kind: str) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(organisation=installation_organisation(),
                                          event_type=kind).order_by("seq"))


def test_the_page_refuses_an_active_municipality_and_a_wrong_confirmation(drift, coordinator,
                                                                          exports):
    org = coordinator.organisation
    url = f"/drift/kommuner/{org.slug}/udfas/"
    refused = drift.post(url, {"reason": "Forlader", "confirm": org.slug})
    assert refused.status_code == 409 and "Suspendér" in refused.content.decode()
    services.org_suspend(actor=None, slug=org.slug, reason="Opsagt", via="cli")
    wrong = drift.post(url, {"reason": "Forlader installationen", "confirm": "aabenraa"})
    page = wrong.content.decode()
    assert wrong.status_code == 400 and f"kortnavn »{org.slug}«" in page
    assert "Forlader installationen" in page  # what was typed is kept
    empty = drift.post(url, {"reason": "", "confirm": ""})
    assert empty.status_code == 400 and "Skriv hvorfor kommunen udfases" in empty.content.decode()
    org.refresh_from_db()
    assert org.offboarding_requested_at is None and not list(exports.glob("*"))


def test_the_page_offboards_through_the_worker_and_lists_the_result(
        drift, operator, coordinator, outsider, exports, django_capture_on_commit_callbacks):
    testing.new_case(coordinator, title="Udfases")
    org = coordinator.organisation
    services.org_suspend(actor=None, slug=org.slug, reason="Opsagt", via="cli")
    with django_capture_on_commit_callbacks(execute=True):
        response = drift.post(f"/drift/kommuner/{org.slug}/udfas/",
                              {"reason": "Forlader installationen", "confirm": org.slug})
    assert response.status_code == 302 and response.url == "/drift/"
    assert not Organisation.objects.filter(pk=org.pk).exists()
    [export] = exports.glob(f"{org.slug}-*.tar")
    with tarfile.open(export) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["organisation"]["slug"] == org.slug and manifest["rows"]["cases.Case"] == 1
    [requested] = _installation_events("organisation.offboard_requested")
    [done] = _installation_events("organisation.offboarded")
    assert requested.actor_id == done.actor_id == operator.pk
    assert done.after["export_name"] == export.name
    page = drift.get("/drift/").content.decode()
    assert "Udfasede kommuner" in page and export.name in page
    assert done.after["export_sha256"] in page and "Forlader installationen" in page
    assert "Udfases" not in page.split("Udfasede kommuner")[1]  # no case title, only counts
    assert Organisation.objects.filter(pk=outsider.organisation_id).exists()
    assert audit_verify(installation_organisation().pk).ok


def test_a_failed_export_deletes_nothing_and_says_why(drift, coordinator, exports, tmp_path,
                                                     settings, django_capture_on_commit_callbacks):
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("x")
    settings.ANSKAF_EXPORT_DIR = blocker / "exports"
    org = coordinator.organisation
    services.org_suspend(actor=None, slug=org.slug, reason="Opsagt", via="cli")
    with django_capture_on_commit_callbacks(execute=True):
        response = drift.post(f"/drift/kommuner/{org.slug}/udfas/",
                              {"reason": "Forlader", "confirm": org.slug})
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.offboarding_requested_at is None and org.suspended_at is not None
    assert "intet er slettet" in org.offboarding_error
    page = drift.get(f"/drift/kommuner/{org.slug}/").content.decode()
    assert "Den seneste udfasning mislykkedes" in page
    [failed] = _installation_events("organisation.offboard_failed")
    assert "intet er slettet" in failed.after["error"]
    assert not _installation_events("organisation.offboarded")


def test_while_the_worker_has_it_nobody_resumes_or_asks_again(drift, coordinator, exports):
    org = coordinator.organisation
    services.org_suspend(actor=None, slug=org.slug, reason="Opsagt", via="cli")
    services.org_offboard_request(actor=None, slug=org.slug, reason="Forlader",
                                  confirm=org.slug, via="cli")  # the worker has not run
    page = drift.get(f"/drift/kommuner/{org.slug}/").content.decode()
    assert "Udfasning i gang" in page and "Genåbn" not in page
    again = drift.post(f"/drift/kommuner/{org.slug}/udfas/",
                       {"reason": "Igen", "confirm": org.slug})
    assert again.status_code == 409 and "ved at blive udfaset" in again.content.decode()
    assert drift.post(f"/drift/kommuner/{org.slug}/genaabn/").status_code == 409
    assert "Udfases" in drift.get("/drift/").content.decode()


def test_the_api_offboards_and_lists_the_offboarded(operator, coordinator, exports,
                                                    django_capture_on_commit_callbacks):
    client = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=operator)}")

    def post(url, body):
        return client.post(url, data=json.dumps(body), content_type="application/json")

    org = coordinator.organisation
    assert client.get("/api/v1/installation/offboarded").json() == {"items": []}
    active = post(f"{P}/{org.slug}/offboard", {"reason": "Forlader", "confirm": org.slug})
    assert active.status_code == 409 and active.json()["error"] == "conflict"
    services.org_suspend(actor=None, slug=org.slug, reason="Opsagt", via="cli")
    wrong = post(f"{P}/{org.slug}/offboard", {"reason": "Forlader", "confirm": "x"})
    assert wrong.status_code == 409 and set(wrong.json()["fields"]) == {"confirm"}
    assert post(f"{P}/{org.slug}/offboard", {"reason": "Forlader"}).status_code == 400
    assert post(f"{P}/atlantis/offboard", {"reason": "x", "confirm": "x"}).status_code == 404
    with django_capture_on_commit_callbacks(execute=True):
        accepted = post(f"{P}/{org.slug}/offboard", {"reason": "Forlader", "confirm": org.slug})
    assert accepted.status_code == 202, accepted.content
    assert accepted.json()["slug"] == org.slug and accepted.json()["reason"] == "Forlader"
    [row] = client.get("/api/v1/installation/offboarded").json()["items"]
    assert row["slug"] == org.slug and row["rows"] > 0 and len(row["export_sha256"]) == 64
    assert row["actor_name"] and row["export_name"].startswith(f"{org.slug}-")
    assert client.get(f"{P}/{org.slug}").status_code == 404
