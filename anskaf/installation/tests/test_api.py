"""The operator's API operations (ADR 0030): the same services as the pages."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from anskaf.api.services import token_create
from anskaf.installation import services
from anskaf.orgs.models import Organisation

P = "/api/v1/installation/organisations"
BODY = {"name": "Aabenraa Kommune", "slug": "aabenraa", "cvr": "29189854",
        "units": ["Børn og Skole"], "admin_name": "Mette Holm",
        "admin_email": "mette@aabenraa.dk"}


@pytest.fixture
def api(db):
    operator = services.operator_add(actor=None, username="drift", via="cli")[0]
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=operator)}"}
    client = Client()

    def call(method, url, body=None):
        if method == "get":
            return client.get(url, **headers)
        return getattr(client, method)(url, data=json.dumps(body or {}),
                                       content_type="application/json", **headers)

    return call


def test_the_operator_creates_lists_suspends_and_resumes_by_api(api, coordinator):
    created = api("post", P, BODY)
    assert created.status_code == 201, created.content
    assert created.json()["slug"] == "aabenraa" and created.json()["users"] == 1
    rows = {r["slug"]: r for r in api("get", P).json()["items"]}
    assert set(rows) == {"haderslev", "aabenraa"}
    assert rows["haderslev"]["users"] >= 1 and "title" not in json.dumps(rows)
    suspended = api("post", f"{P}/aabenraa/suspend", {"reason": "Opsagt"})
    assert suspended.status_code == 200 and suspended.json()["suspended"] is True
    assert api("post", f"{P}/aabenraa/suspend", {"reason": "Igen"}).status_code == 409
    resumed = api("post", f"{P}/aabenraa/resume")
    assert resumed.status_code == 200 and resumed.json()["suspended"] is False
    assert api("get", f"{P}/atlantis").status_code == 404


def test_a_well_formed_but_invalid_cvr_is_409_with_the_field(api):
    response = api("post", P, {**BODY, "cvr": "29189855"})
    assert response.status_code == 409 and response.json()["error"] == "invalid_combination"
    assert "kontrolcifferet" in response.json()["fields"]["cvr"]
    assert not Organisation.objects.filter(slug="aabenraa").exists()
    missing = api("post", P, {"name": "Aabenraa Kommune"})
    assert missing.status_code == 400 and {"slug", "cvr"} <= set(missing.json()["fields"])


def test_operator_add_by_api(api, coordinator):
    response = api("post", "/api/v1/installation/operators",
                   {"username": "drift2", "email": "drift2@example.org"})
    assert response.status_code == 201 and response.json() == {"username": "drift2",
                                                               "created": True}
    refused = api("post", "/api/v1/installation/operators", {"username": coordinator.username})
    assert refused.status_code == 409


def test_the_operator_gets_404_on_a_municipalitys_operations(api, coordinator):
    assert api("get", "/api/v1/cases").status_code == 404
    assert api("get", "/api/v1/systems").status_code == 404


def test_the_installation_status_by_api(api, coordinator):
    body = api("get", "/api/v1/installation/status").json()
    assert body["failed_deliveries"] == 0 and body["immediate"] is True
    assert set(body) == {"heartbeat_at", "heartbeat_ok", "immediate", "queue_length",
                         "queue_error", "failed_deliveries"}


def test_the_operator_lists_and_publishes_shared_model_versions_by_api(api, org):
    from anskaf.cases.process_models import current_version
    from anskaf.process.tests.model_edits import rename_step, shipped

    url = "/api/v1/installation/process-model/shared"
    current_version(org.pk)
    assert [v["version"] for v in api("get", url).json()["items"]] == [1]
    content = rename_step(shipped(), "initial_supplier_dialogue", "Leverandørmøde (KL)")
    assert api("post", url, {"content": content}).status_code == 400  # no reason
    broken = content.replace("effect: reject", "effect: explode", 1)
    refused = api("post", url, {"content": broken, "reason": "KL"})
    assert refused.status_code == 409 and "linje " in refused.json()["fields"]["content"]
    created = api("post", url, {"content": content, "reason": "KL"})
    assert created.status_code == 201, created.content
    assert (created.json()["version"], created.json()["published_by"]) == (2, "drift")
    assert api("post", url, {"content": content, "reason": "KL"}).status_code == 200
