"""API v1 for documents: list, multipart upload, download; same permissions and refusals."""

from __future__ import annotations

import hashlib

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.documents.models import DocumentVersion
from anskaf.documents.testing import MINIMAL_PDF, upload

from .conftest import stored_names


def auth(person) -> dict[str, str]:
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=person)}"}


def docs_url(case, number: int = 4) -> str:
    return f"/api/v1/cases/{case.pk}/steps/{number}/documents"


def post_file(person, case, content: bytes, name: str, type_key: str = "product_description",
              number: int = 4, **extra):
    return Client().post(docs_url(case, number), {
        "type": type_key, "file": SimpleUploadedFile(name, content), **extra}, **auth(person))


def test_upload_list_and_download_round_trip(coordinator, case):
    response = post_file(coordinator, case, MINIMAL_PDF, "Beskrivelse æøå.pdf")
    assert response.status_code == 201, response.content
    document = response.json()["document"]
    assert document["title"] == "Beskrivelse æøå.pdf" and document["type"] == "product_description"
    version = document["versions"][0]
    assert version["number"] == 1 and version["sha256"] == hashlib.sha256(MINIMAL_PDF).hexdigest()
    again = post_file(coordinator, case, MINIMAL_PDF + b"2", "Beskrivelse æøå.pdf")
    assert [v["number"] for v in again.json()["document"]["versions"]] == [2, 1]

    listed = Client().get(docs_url(case), **auth(coordinator)).json()
    by_key = {t["key"]: t for t in listed["items"]}
    assert by_key["security_description"]["confidential"] is True
    assert by_key["product_description"]["documents"][0]["versions"][0]["number"] == 2
    assert listed["may_upload"] is True and listed["missing"] == []

    got = Client().get(version["download"], **auth(coordinator))
    assert got.status_code == 200 and b"".join(got.streaming_content) == MINIMAL_PDF
    assert "filename*=utf-8''Beskrivelse%20%C3%A6%C3%B8%C3%A5.pdf" in got["Content-Disposition"]


def test_a_step_lists_what_is_missing(coordinator, case):
    listed = Client().get(docs_url(case, 12), **auth(coordinator)).json()
    assert listed["missing"] == ["Underskrevet kontrakt"]
    assert listed["items"][0]["required"] and listed["items"][0]["missing"]


@pytest.mark.parametrize(("content", "name", "needle"), [
    (b"MZ\x90\x00" + b"\x00" * 64, "faktura.pdf", "program"),
    (b"", "tom.pdf", "tom"),
    (b'<svg xmlns="http://www.w3.org/2000/svg"/>', "a.svg", "SVG"),
])
def test_bad_files_are_409_file_refused_in_danish_and_nothing_stored(coordinator, case, store,
                                                                     content, name, needle):
    """A file is "binary" to the OpenAPI document: a refused one is a business refusal."""
    before = set(stored_names(store))
    response = post_file(coordinator, case, content, name)
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "file_refused" and needle in body["message"]
    assert not DocumentVersion.objects.exists() and set(stored_names(store)) == before


def test_an_oversized_file_is_409_file_refused(coordinator, case, settings):
    settings.ANSKAF_DOCUMENT_MAX_BYTES = 100
    response = post_file(coordinator, case, MINIMAL_PDF + b"x" * 200, "stor.pdf")
    assert response.status_code == 409 and "for stor" in response.json()["message"]


def test_no_file_and_an_unknown_type_are_400_naming_the_field(coordinator, case):
    none = Client().post(docs_url(case), {"type": "product_description"}, **auth(coordinator))
    assert none.status_code == 400 and "file" in none.json()["fields"]
    wrong = post_file(coordinator, case, MINIMAL_PDF, "a.pdf", type_key="nope")
    assert wrong.status_code == 409 and "type" in wrong.json()["fields"]


def test_permissions_across_roles_and_municipalities(org, unit, coordinator, outsider, case):
    testing.advance(coordinator, case, through=11)
    contract = upload(coordinator, case, 12, "signed_contract", "Kontrakt.pdf")
    url = (f"/api/v1/cases/{case.pk}/documents/{contract.document_id}/versions/1/download")
    it = testing.make_user(org, "it-api", "it")
    security = testing.make_user(org, "isk-api", "security", unit=unit)
    assert Client().get(url).status_code == 401
    assert Client().get(url, **auth(outsider)).status_code == 404
    forbidden = Client().get(url, **auth(it))
    assert forbidden.status_code == 403 and forbidden.json()["error"] == "forbidden"
    assert Client().get(url, **auth(security)).status_code == 200
    # the list shows that the contract exists, but not its versions, to those who may not read it
    listed = Client().get(docs_url(case, 12), **auth(it)).json()
    assert listed["items"][0]["readable"] is False
    assert listed["items"][0]["documents"][0]["versions"] == []
    assert Client().get(docs_url(case, 12), **auth(outsider)).status_code == 404
    archive = testing.make_user(org, "arkiv-api", "archive", unit=unit)
    refused = post_file(archive, case, MINIMAL_PDF, "a.pdf")
    assert refused.status_code == 403


def test_completing_step_12_without_the_contract_is_409_naming_it(coordinator, case):
    testing.advance(coordinator, case, through=11)
    testing.tick_required(coordinator, case, 12)
    response = Client().post(f"/api/v1/cases/{case.pk}/steps/12/complete", "{}",
                             content_type="application/json", **auth(coordinator))
    assert response.status_code == 409
    body = response.json()
    assert body["error"] == "requirement_missing" and "Underskrevet kontrakt" in body["message"]


def test_the_document_a_version_is_for_is_parsed_where_it_enters(coordinator, case):
    """`document` (multipart text) is parsed by the upload's boundary (ADR 0040): no whole
    number is 400 naming the field, a number that names no document of the step is 404, the
    document's id adds a version to it."""
    first = post_file(coordinator, case, MINIMAL_PDF, "a.pdf").json()["document"]
    bad = post_file(coordinator, case, MINIMAL_PDF + b"2", "a.pdf", document="x1")
    assert bad.status_code == 400, bad.content
    assert bad.json()["error"] == "validation_error"
    assert bad.json()["fields"] == {"document": "Angiv dokumentet med dets id (et heltal)."}
    missing = post_file(coordinator, case, MINIMAL_PDF + b"2", "a.pdf", document="99999999")
    assert missing.status_code == 404, missing.content
    # The schema calls it an integer: one beyond the database's range names nothing either
    # (found by schemathesis' stateful run: it was 400).
    huge = post_file(coordinator, case, MINIMAL_PDF + b"2", "a.pdf", document="9" * 30)
    assert huge.status_code == 404, huge.content
    again = post_file(coordinator, case, MINIMAL_PDF + b"2", "b.pdf", document=str(first["id"]))
    assert again.status_code == 201, again.content
    assert [v["number"] for v in again.json()["document"]["versions"]] == [2, 1]
    assert DocumentVersion.objects.count() == 2
