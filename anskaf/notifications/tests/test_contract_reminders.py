"""Contract notice dates and DPA oversight dates (issue 7 item 5): reminders at the lead times,
then repeating after the date until the decision (the oversight) is recorded; never twice for
the same moment (a controlled clock)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases.errors import NotFound, PermissionDenied
from anskaf.notifications import jobs
from anskaf.notifications.models import Notification
from anskaf.portfolio import services as portfolio
from anskaf.portfolio.models import Contract, DataProcessingAgreement, System
from anskaf.portfolio.notice import binding_notice_date
from anskaf.portfolio.selectors import notice_deadline, terms_of

pytestmark = pytest.mark.django_db

NOTICE_BY = dt.date(2026, 9, 30)  # 36 months from 2024-01-01 end 2026-12-31; 3 months' notice


def at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def before(days: int, due: dt.date = NOTICE_BY) -> dt.datetime:
    return at(due - dt.timedelta(days=days))


def told() -> list[tuple[str, str]]:
    return [(n.recipient.username, n.subject) for n in
            Notification.objects.order_by("id").select_related("recipient")]


@pytest.fixture
def owner(org, unit):
    return testing.make_user(org, "systemejer", "it", unit=unit)


@pytest.fixture
def buyer(org):
    return testing.make_user(org, "indkob", "procurement")


@pytest.fixture
def isk(org):
    return testing.make_user(org, "isk", "security")


@pytest.fixture
def system(org, unit, owner):
    return System.objects.create(organisation=org, name="Omsorgssystem", owner_unit=unit,
                                 system_owner=owner)


@pytest.fixture
def contract(settings, system, buyer, isk, requester):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (90, 30, 7)
    settings.ANSKAF_REMINDER_REPEAT_DAYS = 5
    return Contract.objects.create(organisation_id=system.organisation_id, system=system,
                                   number="K-17", start_date=dt.date(2024, 1, 1),
                                   duration_months=36, notice_months=3)


def test_lead_times_fire_once_each_then_repeat_until_decided(contract, owner, buyer):
    assert binding_notice_date(terms_of(contract)) == NOTICE_BY
    assert jobs.contract_reminders(now=before(100)) == 0
    assert jobs.contract_reminders(now=before(91)) == 0
    for lead in (90, 30, 7):
        assert jobs.contract_reminders(now=before(lead)) == 1
        assert jobs.contract_reminders(now=before(lead)) == 0  # the same moment: nothing new
        assert jobs.contract_reminders(now=before(lead - 1)) == 0  # still the same lead time
    assert len(told()) == 6  # three moments, to the system owner and procurement
    assert {u for u, _ in told()} == {"systemejer", "indkob"}
    subject = told()[0][1]
    assert subject == "Omsorgssystem: opsigelsesfrist for kontrakt K-17 om 90 dage (30.09.2026)"
    detail = reverse("portfolio:system_detail", kwargs={"system_pk": contract.system_id})
    assert Notification.objects.first().url == detail
    assert jobs.contract_reminders(now=before(0)) == 0  # the day itself is the 7-day moment

    after = [NOTICE_BY + dt.timedelta(days=d) for d in (1, 2, 5, 6, 11)]
    assert [jobs.contract_reminders(now=at(day)) for day in after] == [1, 0, 0, 1, 1]
    assert jobs.contract_reminders(now=at(after[-1], 15)) == 0

    portfolio.contract_mark_notice_decided(actor=buyer, contract_id=contract.pk)
    assert jobs.contract_reminders(now=at(NOTICE_BY + dt.timedelta(days=16))) == 0
    assert jobs.contract_reminders(now=at(NOTICE_BY + dt.timedelta(days=60))) == 0


def test_a_terminated_contract_gets_no_reminders(contract):
    Contract.objects.filter(pk=contract.pk).update(terminated_on=dt.date(2026, 12, 31))
    for days in (90, 30, 7, 0, -1, -20):
        assert jobs.contract_reminders(now=before(days)) == 0
    assert told() == []


def test_the_mark_is_for_procurement_and_the_like_audited_and_not_for_a_requester(
        contract, requester, buyer, outsider):
    with pytest.raises(PermissionDenied):
        portfolio.contract_mark_notice_decided(actor=requester, contract_id=contract.pk)
    with pytest.raises((NotFound, PermissionDenied)):
        portfolio.contract_mark_notice_decided(actor=outsider, contract_id=contract.pk)
    contract.refresh_from_db()
    assert contract.notice_decision_on is None
    portfolio.contract_mark_notice_decided(actor=buyer, contract_id=contract.pk)
    portfolio.contract_mark_notice_decided(actor=buyer, contract_id=contract.pk)  # no change
    contract.refresh_from_db()
    assert contract.notice_decision_by == buyer
    # The date the page showed when the decision was marked.
    assert contract.notice_decision_for == notice_deadline(contract, timezone.localdate())
    events = AuditEvent.objects.filter(event_type="contract.notice_decided")
    assert events.count() == 1
    assert str(events.get().object_id) == str(contract.pk)


def test_the_system_page_marks_the_decision(client, contract, buyer):
    client.force_login(buyer)
    detail = reverse("portfolio:system_detail", kwargs={"system_pk": contract.system_id})
    assert "Markér beslutning truffet" in client.get(detail).content.decode()
    url = reverse("portfolio:contract_notice_decided",
                  kwargs={"system_pk": contract.system_id, "pk": contract.pk})
    response = client.post(url)
    assert response.status_code == 302 and response.url == detail
    html = client.get(detail).content.decode()
    assert "Beslutning truffet" in html and "Markér beslutning truffet" not in html


def test_dpa_reminders_reach_security_and_stop_when_the_oversight_is_recorded(
        settings, system, isk, owner, buyer):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (90, 30, 7)
    settings.ANSKAF_REMINDER_REPEAT_DAYS = 5
    dpa = DataProcessingAgreement.objects.create(
        organisation_id=system.organisation_id, system=system, supplier="Hostingfirma A/S",
        oversight_interval_months=12, last_oversight_on=dt.date(2025, 6, 1))
    due = dt.date(2026, 6, 1)
    assert jobs.dpa_reminders(now=before(100, due)) == 0
    assert jobs.dpa_reminders(now=before(30, due)) == 1
    assert jobs.dpa_reminders(now=before(30, due)) == 0
    assert jobs.dpa_reminders(now=at(due + dt.timedelta(days=1))) == 1
    assert [u for u, _ in told()] == ["isk", "isk"]
    assert told()[0][1] == ("Omsorgssystem: tilsyn med databehandler Hostingfirma A/S om 30 "
                            "dage (01.06.2026)")
    DataProcessingAgreement.objects.filter(pk=dpa.pk).update(last_oversight_on=due)
    for day in (6, 11, 40):
        assert jobs.dpa_reminders(now=at(due + dt.timedelta(days=day))) == 0
    assert len(told()) == 2


@pytest.mark.parametrize("raw", ["", "90,,7", "90;30", "30,0", "7,7", "x"])
def test_contract_reminder_days_are_parsed_strictly(raw):
    from django.core.exceptions import ImproperlyConfigured

    from anskaf.settings import _lead_days

    with pytest.raises(ImproperlyConfigured):
        _lead_days(raw)
    assert _lead_days("7, 90,30") == (90, 30, 7)
