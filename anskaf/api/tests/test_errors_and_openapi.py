"""Every error under /api/ is JSON; the OpenAPI document describes the endpoints and errors."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anskaf.cases import selectors

from .conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", [
    "/api/v1/nowhere", "/api/v1/cases/abc", "/api/v1/cases/1/steps/x", "/api/v1/cases/1/foo",
    "/api/v1/", "/api/", "/api/v2/cases", "/api/v1/cases/",
])
def test_an_unknown_path_under_api_is_a_json_404(api, path):
    response = api.client.get(path, **api.headers)
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_an_unknown_path_is_404_also_without_credentials(anon):
    response = anon.get("/api/v1/nowhere")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_pages_outside_the_api_keep_their_html_errors(db):
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert not response["Content-Type"].startswith("application/json")


@pytest.mark.parametrize(("method", "path"), [
    ("delete", "/cases"), ("put", "/cases"), ("delete", "/cases/1"),
    ("get", "/cases/1/withdraw"), ("get", "/cases/1/steps/3/complete"), ("post", "/cases/1"),
    ("post", "/cases/1/events"), ("get", "/cases/1/decisions"),
])
def test_a_wrong_method_is_a_json_405_method_not_allowed(api, method, path):
    response = getattr(api, method)(path)
    assert response.status_code == 405
    assert error_of(response) == "method_not_allowed"
    assert response["Allow"]


def test_an_unexpected_exception_is_a_json_500_server_error(api, case, monkeypatch):
    def explode(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(selectors, "case_detail", explode)
    response = api.get(f"/cases/{case.pk}")
    assert response.status_code == 500
    assert error_of(response) == "server_error"
    assert "boom" not in response.content.decode()
    assert response["X-Request-ID"] in response.json()["message"]


def test_an_exception_escaping_a_view_is_a_json_500(rf, db):
    from anskaf.api.middleware import ApiErrorMiddleware

    middleware = ApiErrorMiddleware(lambda request: None)
    response = middleware.process_exception(rf.get("/api/v1/cases"), RuntimeError("boom"))
    assert response.status_code == 500
    assert error_of(response) == "server_error"
    assert middleware.process_exception(rf.get("/sager/"), RuntimeError("boom")) is None


def test_an_html_error_under_api_is_rewritten_as_json(rf):
    from django.http import HttpResponseBadRequest

    from anskaf.api.middleware import ApiErrorMiddleware

    middleware = ApiErrorMiddleware(lambda request: HttpResponseBadRequest("<h1>Bad</h1>"))
    response = middleware(rf.get("/api/v1/cases"))
    assert response.status_code == 400
    assert error_of(response) == "validation_error"


def test_the_openapi_document_is_served_as_json_without_login(db):
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["openapi"].startswith("3.")
    paths = schema["paths"]
    # Other apps mount their own routers (meetings: /meetings, /board, .../put-forward).
    assert set(paths) >= {
        "/api/v1/cases", "/api/v1/cases/{case_id}", "/api/v1/cases/{case_id}/withdraw",
        "/api/v1/cases/{case_id}/steps/{number}",
        "/api/v1/cases/{case_id}/steps/{number}/complete",
        "/api/v1/cases/{case_id}/steps/{number}/not-relevant",
        "/api/v1/cases/{case_id}/steps/{number}/reopen",
        "/api/v1/cases/{case_id}/decisions", "/api/v1/cases/{case_id}/events",
    }
    assert set(paths["/api/v1/cases"]) == {"get", "post"}


def test_the_openapi_document_describes_error_responses_and_request_bodies(db):
    schema = Client().get("/api/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    assert set(components["ErrorOut"]["properties"]) >= {"error", "message"}
    complete = schema["paths"]["/api/v1/cases/{case_id}/steps/{number}/complete"]["post"]
    assert {"200", "400", "401", "404", "409", "500"} <= set(complete["responses"])
    assert complete["responses"]["409"]["content"]["application/json"]["schema"]["$ref"] \
        .endswith("/ErrorOut")
    decide = schema["paths"]["/api/v1/cases/{case_id}/decisions"]["post"]
    ref = decide["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    body = components[ref.rsplit("/", 1)[-1]]
    assert body["required"] == ["step", "outcome", "rationale"]
    assert "200" in decide["responses"]
    assert "201" in schema["paths"]["/api/v1/cases"]["post"]["responses"]
    # every $ref points at a component that exists
    import json
    import re

    for name in re.findall(r'"#/components/schemas/([^"]+)"', json.dumps(schema)):
        assert name in components, name
    assert {"BearerToken", "SessionWithCsrf"} <= set(schema["components"]["securitySchemes"])


def test_there_is_no_docs_page_that_would_load_scripts_from_a_cdn(db):
    response = Client().get("/api/v1/docs")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


def test_error_messages_are_danish_text_in_utf8(api):
    response = api.delete("/cases")
    assert "på denne adresse" in response.content.decode("utf-8")


def test_a_wrong_path_type_for_the_step_is_404(api, case):
    response = api.post(f"/cases/{case.pk}/steps/tre/complete", {})
    assert response.status_code == 404


def test_a_case_id_beyond_any_integer_column_is_404(api, case):
    response = api.get("/cases/99999999999999999999999999")
    assert response.status_code == 404
    assert error_of(response) == "not_found"
    response = api.post("/cases/99999999999999999999999999/steps/3/complete", {})
    assert response.status_code == 404


def test_a_request_id_header_is_returned_with_errors(anon):
    response = anon.get("/api/v1/cases", HTTP_X_REQUEST_ID="abc-123")
    assert response.status_code == 401
    assert response["X-Request-ID"] == "abc-123"


def test_any_client_can_read_the_error_shape(db):
    response = ApiClient().get("/cases")
    assert set(response.json()) == {"error", "message"}


@pytest.mark.parametrize(("exception", "status", "code"), [
    ("Http404", 404, "not_found"), ("PermissionDenied", 403, "forbidden"),
    ("SuspiciousOperation", 400, "validation_error"),
])
def test_django_http_exceptions_escaping_a_view_keep_their_status(rf, exception, status, code):
    from django import http
    from django.core import exceptions

    from anskaf.api.middleware import ApiErrorMiddleware

    kind = getattr(http, exception, None) or getattr(exceptions, exception)
    middleware = ApiErrorMiddleware(lambda request: None)
    response = middleware.process_exception(rf.get("/api/v1/x"), kind("no"))
    assert response.status_code == status
    assert error_of(response) == code


def test_django_ninjas_own_validation_errors_become_400_in_danish(rf):
    from ninja.errors import ValidationError

    from anskaf.api.urls import api

    error = ValidationError([{"type": "int_parsing", "loc": ("query", "limit"), "msg": "x"},
                             {"type": "missing", "loc": ("body", "payload", "reason")}])
    response = api.on_exception(rf.get("/api/v1/cases"), error)
    assert response.status_code == 400
    body = json.loads(response.content)
    assert body["error"] == "validation_error"
    assert body["fields"] == {"limit": "Skal være et heltal.", "payload": "Feltet mangler."}
    assert "»limit«" in body["message"]


def test_an_error_raised_by_outer_middleware_is_json_too(api):
    response = api.get("/cases", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert error_of(response) == "validation_error"
