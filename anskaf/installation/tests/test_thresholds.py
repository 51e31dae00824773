"""The installation-wide EU tender thresholds, kept by the operator (ADR 0030): the page under
/drift/, its API operations and the service, audited in the installation's chain. The
municipalities' admins keep their own page (Administration → Udbudsgrænser) for the same
figures; both go through portfolio.services.threshold_add."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from django.test import Client

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.audit.models import AuditEvent
from anskaf.audit.services import audit_verify
from anskaf.cases.errors import CombinationRefused
from anskaf.installation import services
from anskaf.installation.errors import NotAnOperator
from anskaf.installation.services import installation_organisation
from anskaf.portfolio import forms
from anskaf.portfolio.models import TenderThreshold

PERIOD = {"valid_from": "2028-01-01", "valid_to": "2029-12-31", "amount": "1.600.000",
          "kind": "goods_services", "source": "C/2027/1234"}


@pytest.fixture
def operator(db):
    TenderThreshold.objects.filter(valid_from__year__gte=2028).delete()
    return services.operator_add(actor=None, username="drift", via="cli")[0]


def test_the_operator_enters_a_period_audited_in_the_installations_chain(operator, org):
    threshold = services.threshold_save(actor=operator, values=forms.threshold_values(PERIOD))
    assert threshold.amount == Decimal("1600000") and threshold.source == "C/2027/1234"
    event = AuditEvent.objects.get(event_type="threshold.created", object_id=str(threshold.pk))
    assert event.organisation_id == installation_organisation().pk
    assert event.actor_role == "operator" and event.after["via"] == "web"
    assert audit_verify(installation_organisation().pk).ok
    with pytest.raises(CombinationRefused, match="overlapper"):
        services.threshold_save(actor=operator, values=forms.threshold_values(
            {**PERIOD, "valid_from": "2029-06-01", "valid_to": "2030-12-31"}))


def test_only_an_operator_may(org, coordinator):
    admin = testing.make_user(org, "adm", "admin")
    for actor in (coordinator, admin, None):
        with pytest.raises(NotAnOperator):
            services.threshold_save(actor=actor, values=forms.threshold_values(PERIOD))
    assert not TenderThreshold.objects.filter(source="C/2027/1234").exists()


def test_the_page_refuses_bad_input_keeping_it_then_saves(operator):
    client = Client()
    client.force_login(operator)
    overview = client.get("/drift/").content.decode()
    assert 'href="/drift/udbudsgraenser/"' in overview
    response = client.post("/drift/udbudsgraenser/", {**PERIOD, "source": ""})
    html = response.content.decode()
    assert response.status_code == 400 and "Skriv, hvor beløbet er offentliggjort" in html
    assert 'value="1.600.000"' in html
    response = client.post("/drift/udbudsgraenser/", PERIOD)
    assert response.status_code == 302 and response["Location"] == "/drift/udbudsgraenser/"
    page = client.get("/drift/udbudsgraenser/").content.decode()
    assert "Tærskelværdien er gemt for hele installationen" in page
    assert "1.600.000 kr." in page and "C/2027/1234" in page


def test_the_api_lists_and_creates_for_the_operator_only(operator, coordinator):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=operator)}"}
    client = Client()
    response = client.post("/api/v1/installation/thresholds", content_type="application/json",
                           data=json.dumps({**PERIOD, "amount": 1600000}), **headers)
    assert response.status_code == 201, response.content
    assert response.json()["source"] == "C/2027/1234"
    listed = client.get("/api/v1/installation/thresholds", **headers).json()
    assert listed[0]["valid_from"] == "2028-01-01"
    event = AuditEvent.objects.get(event_type="threshold.created",
                                   organisation_id=installation_organisation().pk)
    assert event.after["via"] == "api"
    theirs = {"HTTP_AUTHORIZATION": f"Bearer {token_create(user=coordinator)}"}
    assert client.get("/api/v1/installation/thresholds", **theirs).status_code == 404
