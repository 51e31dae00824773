"""Issue 19 item 8: one notice date - the last day to give notice for the earliest end still
reachable from today - shown identically by the system's page, the reminder e-mail, the API
and the export (one function: `notice.notice_date`)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from hypothesis import given, settings
from hypothesis import strategies as st

from anskaf import testing
from anskaf.api.services import token_create
from anskaf.notifications import jobs
from anskaf.notifications.models import Notification, OutboxMessage
from anskaf.portfolio import notice, selectors
from anskaf.portfolio.models import Contract, System

# (start, months, options, months per option, used, notice months, notice to)
CASES = [
    ("2024-02-29", 12, 0, 0, 0, 3, "none"),      # a leap day start
    ("2024-02-29", 36, 2, 12, 1, 1, "month"),    # leap day, an option used, month ends
    ("2023-01-31", 24, 0, 0, 0, 1, "month"),     # a month's last day
    ("2024-01-01", 36, 0, 0, 0, 3, "quarter"),   # binding period over: the next quarter end
    ("2025-05-15", 24, 2, 12, 0, 6, "quarter"),  # unused options move nothing
    ("2026-06-30", 12, 3, 6, 2, 2, "none"),      # two options used
    ("2020-03-01", 12, 0, 0, 0, 0, "none"),      # no notice period, runs on day to day
]


@pytest.fixture
def holder(org, unit):
    user = testing.make_user(org, "indkob", "procurement")
    user.email = "indkob@kommune.dk"
    user.save(update_fields=["email"])
    return user


def _make(org, unit, n, row):
    start, months, count, per, used, notice_months, notice_to = row
    system = System.objects.create(organisation=org, name=f"System {n}", owner_unit=unit)
    return Contract.objects.create(
        organisation=org, system=system, number=f"K-{n}", start_date=dt.date.fromisoformat(start),
        duration_months=months, option_count=count, option_months=per, options_used=used,
        notice_months=notice_months, notice_to=notice_to)


def test_page_email_api_and_export_show_the_same_date(settings, org, unit, holder):
    settings.ANSKAF_CONTRACT_REMINDER_DAYS = (3650,)  # every contract's reminder fires today
    today = timezone.localdate()
    contracts = [_make(org, unit, n, row) for n, row in enumerate(CASES)]
    expected = {c.number: notice.notice_date(selectors.terms_of(c), today) for c in contracts}
    assert jobs.contract_reminders() == len(CASES)

    browser = Client()
    browser.force_login(holder)
    api = Client(HTTP_AUTHORIZATION=f"Bearer {token_create(user=holder)}")
    export = list(csv.reader(io.StringIO(
        browser.get(reverse("portfolio:contract_export")).content.decode("utf-8-sig")),
        delimiter=";"))
    by_number = {row[1]: row for row in export[1:]}
    for c in contracts:
        due = expected[c.number]
        page = browser.get(reverse("portfolio:system_detail", args=[c.system_id]))
        row = re.search(rf"<tr>\s*<td>{re.escape(c.number)}</td>(.*?)</tr>",
                        page.content.decode(), re.S)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1), re.S)
        assert cells[5].strip().startswith(date_format(due, "j. F Y")), (c.number, cells[5])
        items = api.get(f"/api/v1/systems/{c.system_id}/contracts").json()["items"]
        assert items[0]["notice_by"] == due.isoformat()
        assert by_number[c.number][6] == due.strftime("%d.%m.%Y")
        mail = Notification.objects.get(subject__contains=f"kontrakt {c.number} ")
        assert f"skal opsiges senest {due.strftime('%d.%m.%Y')}" in mail.body
        assert due.strftime("%d.%m.%Y") in mail.subject
    for message in OutboxMessage.objects.filter(to_email="indkob@kommune.dk"):
        number = re.search(r"kontrakt (K-\d+) ", message.subject).group(1)
        assert expected[number].strftime("%d.%m.%Y") in message.body


def test_the_date_of_the_issue_example():
    """The page said 31.12.2026, the e-mail 30.06.2026 for the same contract: start 2024-01-01,
    24 months, 6 months' notice to a quarter end, seen on 2026-03-01."""
    terms = notice.Terms(start=dt.date(2024, 1, 1), duration_months=24, notice_months=6,
                         notice_to="quarter")
    today = dt.date(2026, 3, 1)
    assert notice.binding_notice_date(terms) == dt.date(2025, 6, 30)  # passed
    assert notice.notice_date(terms, today) == dt.date(2026, 3, 31)
    contract = Contract(pk=1, start_date=terms.start, duration_months=24, notice_months=6,
                        notice_to="quarter")
    due, _key = jobs.contract_moment(contract, today)
    assert due == notice.notice_date(terms, today)


TERMS = st.builds(
    lambda start, months, count, per, used, notice_months, to: notice.Terms(
        start=start, duration_months=months, option_count=count, option_months=per,
        options_used=min(used, count), notice_months=notice_months, notice_to=to),
    st.dates(dt.date(2016, 1, 1), dt.date(2030, 12, 31)), st.integers(1, 72),
    st.integers(0, 4), st.integers(0, 24), st.integers(0, 4), st.integers(0, 12),
    st.sampled_from(["none", "month", "quarter"]))


@settings(max_examples=300, deadline=None)
@given(terms=TERMS, today=st.dates(dt.date(2016, 1, 1), dt.date(2034, 12, 31)))
def test_the_reminder_counts_to_the_pages_date(terms, today):
    contract = Contract(pk=7, start_date=terms.start, duration_months=terms.duration_months,
                        option_count=terms.option_count, option_months=terms.option_months,
                        options_used=terms.options_used, notice_months=terms.notice_months,
                        notice_to=terms.notice_to)
    page = selectors.contract_views([contract], today)[0].dates
    assert page.notice_by == notice.notice_date(terms, today)
    # Still reachable from today, not before the binding period's end, and a day the
    # contract may end on.
    assert page.notice_by >= today
    assert page.end >= notice.binding_end(terms)
    assert notice.align(page.end, terms.notice_to) == page.end
    moment = jobs.contract_moment(contract, today)
    if moment is not None:
        assert moment[0] == page.notice_by
