"""Never a 500 for any input: odd values everywhere answer with a JSON 4xx (or success)."""

from __future__ import annotations

import base64
import json

import pytest

from .conftest import error_of

pytestmark = pytest.mark.django_db

HUGE = 10**30
ODD_VALUES = [None, True, 0, -1, HUGE, 1.5, 1e308, "", " ", "x" * 30000, "\x00", "∞",
              "Infinity", "sNaN", "1e999999999", [], [None], {}, {"a": {"b": []}}]
BODY_FIELDS = {
    "/cases": ["title", "need", "replaces_system", "unit", "estimated_contract_value",
               "replaced_system_name", "records_case_number", "candidate_system"],
    "PATCH /cases/{id}": ["title", "unit", "estimated_contract_value", "replaces_system",
                          "version", "supplier_name"],
    "/cases/{id}/withdraw": ["reason", "version"],
    "PATCH /cases/{id}/steps/2": ["remarks", "checklist", "status", "version"],
    "/cases/{id}/steps/2/complete": ["remarks", "version"],
    "/cases/{id}/steps/3/not-relevant": ["reason", "version"],
    "/cases/{id}/steps/1/reopen": ["reason", "version"],
    "/cases/{id}/decisions": ["step", "outcome", "rationale", "recommendations", "it_contacts",
                              "missing_documentation", "version"],
}
BASE_BODIES = {
    "/cases": {"title": "T", "need": "N", "strategic_fit": "S", "user_impact": "U",
               "replaces_system": False},
    "/cases/{id}/decisions": {"step": 6, "outcome": "yes", "rationale": "R"},
}


@pytest.mark.parametrize("endpoint", list(BODY_FIELDS))
def test_odd_values_in_any_body_field_never_cause_a_500(api, case, endpoint):
    method, _, path = endpoint.rpartition(" ")
    send = api.patch if method == "PATCH" else api.post
    path = path.replace("{id}", str(case.pk))
    for field in BODY_FIELDS[endpoint]:
        for value in ODD_VALUES:
            body = {**BASE_BODIES.get(endpoint, {}), field: value}
            response = send(path, body)
            assert response.status_code < 500, (endpoint, field, value, response.content[:300])
            if response.status_code >= 400:
                error_of(response)


@pytest.mark.parametrize("raw", ["", "   ", "null", "0", "{", '{"a":', "\xff\xfe", "[" * 5000,
                                 '{"title": "\\u0000"}', '{"reason": "\\udfff"}'])
def test_odd_raw_bodies_never_cause_a_500(api, case, raw):
    for path in (f"/cases/{case.pk}/withdraw", "/cases", f"/cases/{case.pk}/decisions"):
        response = api.post(path, raw=raw.encode("utf-8", "surrogateescape")
                            if isinstance(raw, str) else raw)
        assert response.status_code < 500, (path, raw[:20], response.content[:200])
        error_of(response) if response.status_code >= 400 else None


def _cursor(payload: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(payload).encode()).decode().rstrip("=")


@pytest.mark.parametrize("query", [
    f"unit={HUGE}", f"phase={HUGE}", "phase=-1", "q=" + "x" * 5000, "q=%ED%A0%80",
    "status=%00", "limit=99999999999999999999999", "cursor=%00", "limit=%00",
    f"cursor={_cursor(['0001-01-01T00:00:00+14:00', 1])}",
    f"cursor={_cursor(['9999-12-31T23:59:59-14:00', 1])}",
    f"cursor={_cursor(['2026-01-01T00:00:00+00:00', HUGE])}",
    f"cursor={_cursor(['2026-01-01T00:00:00+00:00', 'x'])}",
])
def test_odd_query_parameters_never_cause_a_500(api, case, query):
    for path in ("/cases", f"/cases/{case.pk}/events"):
        response = api.get(f"{path}?{query}")
        assert response.status_code < 500, (path, query, response.content[:200])
        if response.status_code >= 400:
            error_of(response)


def test_an_events_cursor_beyond_any_sequence_is_404(api, case):
    response = api.get(f"/cases/{case.pk}/events?cursor={HUGE}")
    assert response.status_code == 404
