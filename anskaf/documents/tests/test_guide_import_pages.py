"""Ny sag -> Importér fra Word (issue 17): the page, the preview, confirming; and the API's
two operations (preview and import)."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anskaf import testing
from anskaf.api.tests.conftest import ApiClient, error_of
from anskaf.audit.models import AuditEvent
from anskaf.cases.models import Case, Decision
from anskaf.cases.process_models import current_model
from anskaf.documents.models import Document

from .test_guide_import import _all_yes_until, seed_guide

pytestmark = pytest.mark.django_db
PAGE = "/sager/ny/importer/"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


@pytest.fixture
def web(coordinator):
    client = Client()
    client.force_login(coordinator)
    return client


def _file(data: bytes, name: str = "vejledning.docx") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=DOCX)


def test_new_case_links_to_the_import_for_coordinators_only(web, requester):
    assert f'href="{PAGE}"' in web.get("/sager/ny/").content.decode()
    other = Client()
    other.force_login(requester)
    assert f'href="{PAGE}"' not in other.get("/sager/ny/").content.decode()
    assert other.get(PAGE).status_code == 403


def test_preview_then_name_the_outcome_then_import(web, org, coordinator):
    model = current_model(org.pk)
    data = seed_guide(model, _all_yes_until(model, "it_board_decision"),
                      {"need_reported": "Meldt ind i marts"})
    page = web.get(PAGE)
    assert page.status_code == 200 and 'type="file"' in page.content.decode()
    preview = web.post(PAGE, {"file": _file(data), "action": "vis"})
    html = preview.content.decode()
    assert preview.status_code == 200
    assert "Forhåndsvisning: vejledning.docx" in html
    assert "Meldt ind i marts" in html
    assert "Afvist:" in html and 'name="outcome_it_board_decision"' in html
    assert 'value="importer"' not in html  # nothing to confirm while a gate is refused
    assert not Case.objects.exists()
    assert not AuditEvent.objects.exists()
    again = web.post(PAGE, {"file": _file(data), "action": "vis",
                                "outcome_it_board_decision": "yes", "title": "Omsorg"})
    assert 'value="importer"' in again.content.decode()
    done = web.post(PAGE, {"file": _file(data), "action": "importer", "title": "Omsorg",
                               "outcome_it_board_decision": "yes", "replaces_system": "false"})
    case = Case.objects.get()
    assert done.status_code == 302 and done["Location"] == f"/sager/{case.pk}/"
    assert case.title == "Omsorg" and case.coordinator == coordinator
    assert Decision.objects.get(case=case).outcome == "yes"
    detail = testing.page_with_parts(web, done["Location"], opened=True)  # with its timeline
    assert "importerede sagen fra Word" in detail
    first = web.get(f"/sager/{case.pk}/trin/{model.first_step.number}/").content.decode()
    kept = Document.objects.get(case=case)  # the kept guide, among the first step's files
    assert f"/sager/{case.pk}/dokumenter/{kept.pk}/v1/" in first


def test_a_bad_file_gets_a_danish_error_and_stores_nothing(web):
    response = web.post(PAGE, {"file": _file(b"%PDF-1.7 x", "guide.pdf"), "action": "vis"})
    assert response.status_code == 400
    assert "ikke et Word-dokument" in response.content.decode()
    assert "Der er ikke gemt noget." in response.content.decode()
    assert web.post(PAGE, {"action": "vis"}).status_code == 400
    assert not Case.objects.exists()


def test_the_api_previews_and_imports_the_same_way(org, coordinator, requester):
    model = current_model(org.pk)
    data = seed_guide(model, _all_yes_until(model, "it_board_decision"))
    api = ApiClient(coordinator)

    def post(path: str, **fields):
        return api.client.post(f"/api/v1{path}", {"file": _file(data), **fields},
                               **api.headers)

    body = post("/cases/import/preview").json()
    assert body["ok"] is False and body["layout"] == "guide"
    gate = next(s for s in body["steps"] if s["key"] == "it_board_decision")
    assert gate["outcome_choices"] == [{"key": "yes", "label": "Ja"}] and gate["refusal"]
    refused = post("/cases/import", title="Omsorg")
    assert refused.status_code == 409 and error_of(refused) == "import_refused"
    assert not Case.objects.exists()
    assert error_of(post("/cases/import", outcomes="[1]")) == "validation_error"
    outcomes = json.dumps({"it_board_decision": "yes"})
    created = post("/cases/import", title="Omsorg", outcomes=outcomes, sha256=body["sha256"])
    assert created.status_code == 201, created.content
    assert Case.objects.get(pk=created.json()["id"]).title == "Omsorg"
    other = ApiClient(requester)
    forbidden = other.client.post("/api/v1/cases/import/preview", {"file": _file(data)},
                                  **other.headers)
    assert error_of(forbidden) == "forbidden"
    admin = ApiClient(testing.make_user(org, "adm", "admin"))
    assert admin.client.post("/api/v1/cases/import/preview", {"file": _file(data)},
                             **admin.headers).status_code == 200
