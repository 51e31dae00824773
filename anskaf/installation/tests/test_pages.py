"""The operator's pages under /drift/ and the invitation link (ADR 0030)."""

from __future__ import annotations

import re

from django.test import Client

from anskaf import testing
from anskaf.installation import services
from anskaf.notifications.models import OutboxMessage
from anskaf.orgs.models import Organisation

FORM = {"name": "Aabenraa Kommune", "slug": "aabenraa", "cvr": "29189854",
        "units": "Børn og Skole\r\nSocial og Sundhed\r\n", "admin_name": "Mette Holm",
        "admin_email": "mette@aabenraa.dk"}


def test_the_overview_shows_counts_and_nothing_of_the_content(drift, coordinator, outsider):
    testing.new_case(coordinator, title="Hemmeligt omsorgssystem")
    page = drift.get("/drift/").content.decode()
    assert "Haderslev Kommune" in page and "Aabenraa" in page
    assert "Hemmeligt omsorgssystem" not in page and coordinator.username not in page
    assert "installation" not in re.findall(r"<td>([a-z-]+)</td>", page)  # its own row: hidden
    detail = drift.get(f"/drift/kommuner/{coordinator.organisation.slug}/").content.decode()
    assert "Hemmeligt" not in detail
    assert re.search(r"<dt>Sager</dt><dd>1</dd>", detail)


def test_the_operator_lands_on_the_installation_after_logging_in(operator):
    operator.set_password("En-lang-adgangskode-1")
    operator.save()
    response = Client().post("/log-ind/", {"username": "drift",
                                           "password": "En-lang-adgangskode-1"})
    assert response["Location"] == "/drift/"


def test_creating_a_municipality_sends_an_invitation_that_logs_its_admin_in(drift):
    response = drift.post("/drift/kommuner/ny/", FORM)
    assert response.status_code == 302 and response["Location"] == "/drift/kommuner/aabenraa/"
    assert "invitation er sendt" in drift.get(response["Location"]).content.decode()
    org = Organisation.objects.get(slug="aabenraa")
    [mail] = OutboxMessage.objects.filter(organisation=org)
    link = re.search(r"http://[^/]+(/invitation/\S+/)", mail.body).group(1)

    admin = Client()
    form_page = admin.get(link, follow=True)
    assert "Vælg din adgangskode" in form_page.content.decode()
    set_url = form_page.redirect_chain[-1][0]
    weak = admin.post(set_url, {"new_password1": "123", "new_password2": "123"})
    assert weak.status_code == 200 and "form-error-message" in weak.content.decode()
    done = admin.post(set_url, {"new_password1": "Sommer-i-Aabenraa-26",
                                "new_password2": "Sommer-i-Aabenraa-26"}, follow=True)
    assert done.status_code == 200
    assert "Din adgangskode er gemt" in done.content.decode()
    assert admin.get("/administration/").status_code == 200  # logged in as the admin
    # The link works once.
    again = Client().get(link, follow=True).content.decode()
    assert "Linket virker ikke" in again
    from anskaf.audit.models import AuditEvent

    assert AuditEvent.objects.filter(organisation=org,
                                     event_type="person.invitation_accepted").exists()


def test_a_bad_form_says_what_is_wrong_and_keeps_what_was_typed(drift):
    response = drift.post("/drift/kommuner/ny/", {**FORM, "cvr": "29189855"})
    page = response.content.decode()
    assert response.status_code == 400
    assert "kontrolcifferet passer ikke" in page
    assert 'value="Aabenraa Kommune"' in page and "Social og Sundhed" in page
    assert not Organisation.objects.filter(slug="aabenraa").exists()


def test_suspend_and_resume_from_the_municipalitys_page(drift, org):
    url = f"/drift/kommuner/{org.slug}/"
    assert drift.post(url + "suspender/", {"reason": ""}).status_code == 400
    response = drift.post(url + "suspender/", {"reason": "Betaling mangler"})
    assert response.status_code == 302
    page = drift.get(url).content.decode()
    assert "Suspenderet siden" in page and "Betaling mangler" in page
    assert drift.post(url + "suspender/", {"reason": "igen"}).status_code == 409
    assert drift.post(url + "genaabn/").status_code == 302
    org.refresh_from_db()
    assert org.suspended_at is None


def test_the_operators_menu_has_no_municipality_pages(drift):
    page = drift.get("/drift/").content.decode()
    assert "Kommuner på installationen" in page
    assert "Mine opgaver" not in page and 'href="/sager/"' not in page


def test_the_overview_counts_failed_e_mails_without_showing_them(drift, coordinator):
    from anskaf.notifications.services import outbox_add

    message = outbox_add(organisation_id=coordinator.organisation_id, to_email="x@haderslev.dk",
                         subject="Fortroligt emne", body="Hej")
    OutboxMessage.objects.filter(pk=message.pk).update(status="failed")
    page = drift.get("/drift/").content.decode()
    assert "Fortroligt emne" not in page and "x@haderslev.dk" not in page
    assert re.search(r'<td class="text-align-right">1</td>\s*</tr>', page)
    assert "Fejlede e-mails i alt</dt><dd>1 " in page
    assert "Opgaver i køen" in page


def _kl_model() -> str:
    from anskaf.process.tests.model_edits import rename_step, shipped

    return rename_step(shipped(), "initial_supplier_dialogue", "Leverandørmøde (KL)")


def test_the_operator_publishes_a_shared_model_version_audited_in_each_municipality(drift, org):
    from anskaf.audit.models import AuditEvent
    from anskaf.cases.process_models import current_version, shared_latest

    current_version(org.pk)  # the shipped default, stored on first use
    page = drift.get("/drift/procesmodel/")
    assert page.status_code == 200 and "Udgiv den fælles version" in page.content.decode()
    missing = drift.post("/drift/procesmodel/udgiv/", {"content": _kl_model(), "reason": " "})
    assert missing.status_code == 400 and "Skriv, hvorfor" in missing.content.decode()
    assert "Leverandørmøde (KL)" in missing.content.decode()  # nothing typed is lost
    broken = _kl_model().replace("effect: reject", "effect: explode", 1)
    refused = drift.post("/drift/procesmodel/udgiv/", {"content": broken, "reason": "KL"})
    assert refused.status_code == 400 and "Linje " in refused.content.decode()
    assert shared_latest().version == 1
    done = drift.post("/drift/procesmodel/udgiv/", {"content": _kl_model(), "reason": "KL's"})
    assert done.status_code == 302
    latest = shared_latest()
    assert (latest.version, latest.reason, latest.published_via) == (2, "KL's", "web")
    event = AuditEvent.objects.get(organisation=org, event_type="model.shared_published")
    assert event.actor_role == "operator"
    own = AuditEvent.objects.get(organisation=services.installation_organisation(),
                                 event_type="model.shared_published")
    assert own.after["version"] == 2 and own.actor_id == event.actor_id
    assert "KL&#x27;s" in drift.get("/drift/procesmodel/").content.decode()
    again = drift.post("/drift/procesmodel/udgiv/", {"content": _kl_model(), "reason": "igen"})
    assert again.status_code == 302 and shared_latest().version == 2
