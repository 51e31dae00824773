"""Who may call the API: bearer tokens, sessions with CSRF, and people without a municipality."""

from __future__ import annotations

import hashlib

import pytest
from django.test import Client
from django.utils.crypto import get_random_string

from anskaf.api.models import ApiToken
from anskaf.api.services import token_authenticate, token_create
from anskaf.testing import case_data, make_user

from .conftest import ApiClient, error_of

pytestmark = pytest.mark.django_db


def test_a_request_without_credentials_is_401_unauthenticated(anon, case):
    response = anon.get("/cases")
    assert response.status_code == 401
    assert error_of(response) == "unauthenticated"
    assert response["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize("path", ["/cases", "/cases/1", "/cases/1/events"])
def test_every_read_endpoint_needs_authentication(anon, path):
    response = anon.get(path)
    assert response.status_code == 401
    assert error_of(response) == "unauthenticated"


def test_an_unknown_token_is_401(coordinator, case):
    response = ApiClient(token="not-a-real-token").get("/cases")
    assert response.status_code == 401
    assert error_of(response) == "unauthenticated"


def test_an_authorization_header_of_another_scheme_is_401(coordinator):
    client = ApiClient()
    response = client.get("/cases", HTTP_AUTHORIZATION="Basic a29vcmRpbmF0b3I6ZGVtbw==")
    assert response.status_code == 401


def test_a_bad_token_is_401_even_with_a_valid_session(coordinator, case):
    session = Client()
    session.force_login(coordinator)
    response = ApiClient(token="wrong", client=session).get("/cases")
    assert response.status_code == 401


def test_a_valid_bearer_token_authenticates_its_user(api, case):
    response = api.get("/cases")
    assert response.status_code == 200
    assert [item["id"] for item in response.json()["items"]] == [case.pk]


def test_the_token_of_a_deactivated_user_is_refused(coordinator):
    client = ApiClient(coordinator)
    coordinator.is_active = False
    coordinator.save()
    assert client.get("/cases").status_code == 401


def test_a_demo_accounts_token_works_only_in_demo_mode(org, unit, settings):
    demo = make_user(org, "demo-koordinator", "coordinator", unit=unit, is_demo=True)
    client = ApiClient(demo)
    settings.DEMO_MODE = False
    assert client.get("/cases").status_code == 401
    settings.DEMO_MODE = True
    assert client.get("/cases").status_code == 200


def test_token_create_stores_only_the_hash_of_the_token(coordinator):
    token = token_create(user=coordinator, name="ci")
    stored = ApiToken.objects.get(user=coordinator)
    assert stored.name == "ci"
    assert stored.key_hash == hashlib.sha256(token.encode()).hexdigest()
    assert token not in {stored.key_hash, stored.name}
    assert len(token) >= 40


def test_token_create_makes_a_different_token_each_time(coordinator):
    assert token_create(user=coordinator) != token_create(user=coordinator)
    assert ApiToken.objects.filter(user=coordinator, name="cli").count() == 2


def test_using_a_token_records_when_it_was_last_used(coordinator):
    token = token_create(user=coordinator)
    assert ApiToken.objects.get().last_used_at is None
    assert token_authenticate(token) == coordinator
    assert ApiToken.objects.get().last_used_at is not None


def test_a_logged_in_session_may_read_without_a_csrf_token(coordinator, case):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.get("/api/v1/cases")
    assert response.status_code == 200


def test_a_session_write_without_a_csrf_token_is_403_forbidden(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    response = client.post("/api/v1/cases", data=case_data(), content_type="application/json")
    assert response.status_code == 403
    assert error_of(response) == "forbidden"
    assert "CSRF" in response.json()["message"]


def test_a_session_write_with_the_csrf_token_succeeds(coordinator):
    client = Client(enforce_csrf_checks=True)
    client.force_login(coordinator)
    token = get_random_string(32)  # what Django keeps in the csrftoken cookie
    client.cookies["csrftoken"] = token
    response = client.post("/api/v1/cases", data=case_data(), content_type="application/json",
                           HTTP_X_CSRFTOKEN=token)
    assert response.status_code == 201, response.content


def test_a_bearer_token_needs_no_csrf_token(coordinator):
    client = ApiClient(coordinator, client=Client(enforce_csrf_checks=True))
    assert client.post("/cases", case_data()).status_code == 201


def test_unauthenticated_comes_before_a_bad_body(anon, case):
    response = anon.post(f"/cases/{case.pk}/withdraw", raw="{not json")
    assert response.status_code == 401


def test_unauthenticated_comes_before_a_missing_csrf_token(case):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/api/v1/cases/{case.pk}/withdraw", data={"reason": "x"},
                           content_type="application/json")
    assert response.status_code == 401


def test_a_person_without_a_municipality_is_403_forbidden_on_the_case_list(orgless):
    response = ApiClient(orgless).get("/cases")
    assert response.status_code == 403
    assert error_of(response) == "forbidden"


def test_a_person_without_a_municipality_cannot_create_a_case(orgless):
    response = ApiClient(orgless).post("/cases", case_data())
    assert response.status_code == 403
    assert error_of(response) == "forbidden"


def test_a_person_without_a_municipality_sees_no_case(orgless, case):
    """404 comes before 403: no case is visible to someone outside every municipality."""
    response = ApiClient(orgless).get(f"/cases/{case.pk}")
    assert response.status_code == 404
    assert error_of(response) == "not_found"


CASE_URLS = [
    ("get", "/cases/{id}"), ("patch", "/cases/{id}"), ("post", "/cases/{id}/withdraw"),
    ("patch", "/cases/{id}/steps/2"), ("post", "/cases/{id}/steps/1/complete"),
    ("post", "/cases/{id}/steps/3/not-relevant"), ("post", "/cases/{id}/steps/1/reopen"),
    ("post", "/cases/{id}/decisions"), ("get", "/cases/{id}/events"),
]


@pytest.mark.parametrize(("method", "path"), CASE_URLS)
def test_every_case_url_is_404_for_another_municipality(outsider_api, case, method, path):
    send = getattr(outsider_api, method)
    response = send(path.format(id=case.pk)) if method == "get" else send(
        path.format(id=case.pk), {"reason": "x", "step": 6, "outcome": "yes", "rationale": "x"})
    assert response.status_code == 404
    assert error_of(response) == "not_found"


@pytest.mark.parametrize(("method", "path"), CASE_URLS)
def test_every_case_url_is_401_without_credentials(anon, case, method, path):
    response = getattr(anon, method)(path.format(id=case.pk))
    assert response.status_code == 401
    assert error_of(response) == "unauthenticated"


@pytest.mark.parametrize(("method", "path"), CASE_URLS)
def test_every_case_url_is_404_for_a_person_without_a_municipality(orgless, case, method,
                                                                     path):
    response = getattr(ApiClient(orgless), method)(path.format(id=case.pk))
    assert response.status_code == 404
