"""API test helpers: JSON requests as a given person, with a bearer token or a session."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from anskaf.api.services import token_create
from anskaf.cases.process_models import model_of

API = "/api/v1"


class ApiClient:
    """A Django test client that speaks JSON and carries one person's API token."""

    def __init__(self, user: Any = None, *, token: str | None = None,
                 client: Client | None = None) -> None:
        self.client = client or Client()
        self.headers: dict[str, str] = {}
        if token is None and user is not None:
            token = token_create(user=user, name="test")
        if token is not None:
            self.headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"

    def _send(self, method: str, path: str, body: Any = None, *, raw: bytes | str | None = None,
              **extra: Any):
        url = path if path.startswith("/api/") else f"{API}{path}"
        data: Any = raw if raw is not None else (json.dumps(body) if body is not None else "")
        handler = getattr(self.client, method)
        if method == "get":
            return handler(url, **self.headers, **extra)
        return handler(url, data=data, content_type="application/json", **self.headers, **extra)

    def get(self, path: str, **extra: Any):
        return self._send("get", path, **extra)

    def post(self, path: str, body: Any = None, **extra: Any):
        return self._send("post", path, body, **extra)

    def patch(self, path: str, body: Any = None, **extra: Any):
        return self._send("patch", path, body, **extra)

    def put(self, path: str, body: Any = None, **extra: Any):
        return self._send("put", path, body, **extra)

    def delete(self, path: str, **extra: Any):
        return self._send("delete", path, **extra)


def error_of(response: Any) -> str:
    """The error code of an error response, after checking its shape."""
    assert response["Content-Type"].startswith("application/json"), response.content[:300]
    body = json.loads(response.content)
    assert set(body) >= {"error", "message"}, body
    assert isinstance(body["message"], str) and body["message"], body
    return body["error"]


def step_of(case_body: dict[str, Any], number: int) -> dict[str, Any]:
    return next(s for s in case_body["steps"] if s["number"] == number)


def required_items(case: Any, number: int) -> list[dict[str, Any]]:
    step = model_of(case.model_version).step(number)
    return [{"id": i.id, "done": True} for i in step.checklist if i.required]


@pytest.fixture
def api(coordinator) -> ApiClient:
    """The coordinator, with a bearer token."""
    return ApiClient(coordinator)


@pytest.fixture
def anon() -> ApiClient:
    return ApiClient()


@pytest.fixture
def outsider_api(outsider) -> ApiClient:
    return ApiClient(outsider)


@pytest.fixture
def orgless(db):
    from anskaf.orgs.models import User

    return User.objects.create_user(username="uden-kommune", password="x-long-password-1")



@pytest.fixture
def decider(org, unit):
    """One person who may do everything on the unit's cases, gates included: for tests of the
    decision mechanics rather than of who may decide (the access tests cover that)."""
    from anskaf import testing

    return testing.make_user(org, "beslutter", "coordinator", "management", "it_board",
                             unit=unit)


@pytest.fixture
def decider_api(decider) -> ApiClient:
    return ApiClient(decider)


def pytest_terminal_summary(terminalreporter: Any) -> None:
    """The fuzzing suite's line (test_fuzz.py): requests generated and failures, in make
    test's output."""
    from .test_fuzz import summary_line

    if (line := summary_line()) is not None:
        terminalreporter.write_sep("-", "schemathesis")
        terminalreporter.write_line(line)
        # for make test's summary (scripts/test_summary.py), when it says where
        if results := os.environ.get("ANSKAF_TEST_RESULTS"):
            Path(results, "fuzz.line").write_text(line + "\n", encoding="utf-8")
