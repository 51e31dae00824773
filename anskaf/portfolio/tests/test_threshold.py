"""The tender threshold rule, the seeded period and procurement's confirmation."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from anskaf import testing
from anskaf.cases.errors import PermissionDenied, ValidationFailed
from anskaf.portfolio import forms, selectors, services
from anskaf.portfolio.models import TenderThreshold, ThresholdConfirmation

T = TenderThreshold(valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31),
                    amount=Decimal("1644638"))


@pytest.mark.parametrize("value, expected", [
    (Decimal("1644638"), "above"),       # at the threshold counts as above
    (Decimal("1644638.01"), "above"),
    (Decimal("1644637.99"), "below"),
    (Decimal("0"), "below"),
    (None, "no_value"),
])
def test_threshold_rule(value, expected):
    assert selectors.threshold_rule(value, T) == expected


def test_no_period_covering_the_day_means_outdated():
    assert selectors.threshold_rule(Decimal("5000000"), None) == "outdated"


def test_no_figure_is_seeded_and_an_expired_period_is_still_checked(db):
    """Issue 19 item 9: the migrations ship no unsourced figure; when no period covers today
    the last known one is used for the check and marked expired."""
    from importlib import import_module

    assert import_module("anskaf.portfolio.migrations.0002_seed_threshold").Migration.operations == []
    TenderThreshold.objects.all().delete()
    assert selectors.threshold_for_check(date(2026, 6, 1)) is None
    assert selectors.threshold_watch(date(2026, 6, 1)).state == "missing"
    old = TenderThreshold.objects.create(valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31),
                                         amount=Decimal("1644638"), source="test")
    assert selectors.threshold_in_force(date(2026, 1, 1)) is None
    assert selectors.threshold_for_check(date(2026, 1, 1)) == old
    assert selectors.is_expired(old, date(2026, 1, 1))
    assert not selectors.is_expired(old, date(2025, 12, 31))
    assert selectors.threshold_watch(date(2025, 11, 1)).state == "ending"  # 60 days before
    assert selectors.threshold_watch(date(2025, 11, 1) - timedelta(days=1)).state == "ok"
    assert selectors.threshold_watch(date(2026, 1, 1)).state == "expired"


def test_admin_adds_a_period_without_overlap(org):
    admin = testing.make_user(org, "adm", "admin")
    # The seeded 2024-25 period, also after a transactional test has flushed the migrations' data.
    TenderThreshold.objects.get_or_create(
        valid_from=date(2024, 1, 1), kind="goods_services",
        defaults={"valid_to": date(2025, 12, 31), "amount": Decimal("1644638"), "source": "t"})
    with pytest.raises(ValidationFailed, match="overlapper"):
        services.threshold_save(actor=admin, values=forms.threshold_values({"valid_from": "2025-06-01",
                                                   "valid_to": "2026-12-31",
                                                   "amount": "1500000", "kind": "goods_services",
                                                   "source": "t"}))
    services.threshold_save(actor=admin, values=forms.threshold_values({"valid_from": "2026-01-01",
                                               "valid_to": "2027-12-31",
                                               "amount": "1.557.263", "kind": "goods_services",
                                               "source": "t"}))
    assert selectors.threshold_in_force(date(2026, 3, 1)).amount == Decimal("1557263")
    with pytest.raises(PermissionDenied):
        services.threshold_save(actor=testing.make_user(org, "x"), values=forms.threshold_values({
            "valid_from": "2030-01-01", "valid_to": "2030-12-31", "amount": "1", "kind":
            "goods_services", "source": "t"}))


def test_procurement_confirms_a_case_above(coordinator, org, unit):
    TenderThreshold.objects.create(valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31),
                                   amount=Decimal("1557263"))
    above = testing.new_case(coordinator, estimated_contract_value="2.000.000")
    testing.new_case(coordinator, estimated_contract_value="100000")
    buyer = testing.make_user(org, "indkoeb", "procurement")
    _threshold, rows = selectors.cases_to_confirm(buyer, date(2026, 11, 27))
    assert [c.pk for c, confirmation in rows] == [above.pk]
    with pytest.raises(PermissionDenied):
        services.threshold_confirm(actor=coordinator, case_id=above.pk)
    services.threshold_confirm(actor=buyer, case_id=above.pk, note="Udbydes EU-udbud")
    assert ThresholdConfirmation.objects.get(case=above).value == Decimal("2000000")


def test_the_keeper_is_told_60_days_before_and_after_expiry(org, settings):
    """Issue 19 item 9: each municipality's administrators get a notice naming the sources,
    once when the last period has 60 days left, then repeatedly once it has run out."""
    import datetime as dt

    from django.utils import timezone

    from anskaf.notifications import jobs
    from anskaf.notifications.models import Notification

    settings.ANSKAF_REMINDER_REPEAT_DAYS = 7
    admin = testing.make_user(org, "adm", "admin")
    testing.make_user(org, "ikke-admin", "it")
    TenderThreshold.objects.all().delete()
    TenderThreshold.objects.create(valid_from=date(2024, 1, 1), valid_to=date(2025, 12, 31),
                                   amount=Decimal("1644638"), source="t")

    def at(day):
        return timezone.make_aware(dt.datetime.combine(day, dt.time(9)))

    assert jobs.threshold_reminders(now=at(date(2025, 11, 1) - timedelta(days=1))) == 0
    assert jobs.threshold_reminders(now=at(date(2025, 11, 1))) == 1
    assert jobs.threshold_reminders(now=at(date(2025, 11, 20))) == 0  # told once before
    assert jobs.threshold_reminders(now=at(date(2026, 1, 1))) == 1
    assert jobs.threshold_reminders(now=at(date(2026, 1, 5))) == 0
    assert jobs.threshold_reminders(now=at(date(2026, 1, 9))) == 1
    notes = list(Notification.objects.order_by("id"))
    assert {n.recipient for n in notes} == {admin}
    assert "(EU) 2025/2152" in notes[-1].body and "C/2025/7081" in notes[-1].body
    assert "Konkurrence- og Forbrugerstyrelsen" in notes[-1].body
    assert "udløb 31.12.2025" in notes[-1].subject
