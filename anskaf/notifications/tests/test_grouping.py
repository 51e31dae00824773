"""Notices grouped per case and deduplicated, each saying why (issue 20): the centre and the
daily digest follow the same rule."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from anskaf import testing
from anskaf.notifications import jobs, services
from anskaf.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


def _notice(case, subject: str, kind: str = "step_opened", step: int | None = None):
    return services.Notice(kind=kind, organisation_id=case.organisation_id, subject=subject,
                           body="Se sagen.", path=f"/sager/{case.pk}/", case=case, step=step)


@pytest.fixture
def two_cases(coordinator):
    return (testing.new_case(coordinator, title="Økonomisystem"),
            testing.new_case(coordinator, title="Vagtplan"))


def test_the_centre_groups_per_case_folds_repeats_and_says_why(client, board_member,
                                                               two_cases):
    first, second = two_cases
    for _ in range(3):  # the same notice three times (e.g. a step reopened and redone)
        services.notify([board_member], _notice(first, "Trin venter på dig"))
    services.notify([board_member], _notice(second, "Beslutning truffet", kind="decision"))
    services.notify([board_member], _notice(first, "Frist overskredet", kind="deadline"))
    client.force_login(board_member)
    html = client.get("/notifikationer/").content.decode()
    assert html.count("Trin venter på dig") == 3  # one entry: its heading and two buttons
    assert "(og 2 gange mere)" in html
    # Grouped per case: the first case's two kinds together, its newest notice first.
    first_group = html.split('id="notifikationer-1"')[1].split('id="notifikationer-2"')[0]
    assert f"Sag {first.number}: Økonomisystem" in first_group
    assert "Frist overskredet" in first_group and "Trin venter på dig" in first_group
    assert "Beslutning truffet" not in first_group
    assert "Du får den, fordi trinnet venter på dig eller din rolle." in html
    assert "Du får den, fordi en frist på et trin" in html


def test_the_digest_follows_the_same_rule(board_member, two_cases):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    services.preferences_set(actor=board_member, modes={"step_opened": "digest"})
    first, second = two_cases
    for _ in range(2):
        services.notify([board_member], _notice(first, "Trin venter på dig"))
    services.notify([board_member], _notice(second, "Trin venter på dig"))
    now = timezone.make_aware(dt.datetime(2026, 3, 2, 7, 0))
    assert jobs.send_digests(now=now) == 1
    body = OutboxMessage.objects.get(to_email=board_member.email).body
    assert f"Sag {first.number}: Økonomisystem" in body
    assert f"Sag {second.number}: Vagtplan" in body
    assert body.count("* Trin venter på dig") == 2  # once per case, the repeat folded
    assert "(og 1 gang mere)" in body
    assert "Du får den, fordi trinnet venter på dig eller din rolle." in body


def test_marking_a_folded_notice_read_reads_every_notice_it_stands_for(client, board_member,
                                                                       two_cases):
    """"Markér som læst" on an entry that folds repeats reads the whole fold (the page, and the
    API's operation through the same service), not only the newest; other notices stay unread."""
    from anskaf.notifications.models import Notification

    first, second = two_cases
    for _ in range(3):
        services.notify([board_member], _notice(first, "Trin venter på dig"))
    services.notify([board_member], _notice(first, "Frist overskredet", kind="deadline"))
    services.notify([board_member], _notice(second, "Trin venter på dig"))
    mine = Notification.objects.filter(recipient=board_member)
    newest = mine.filter(case=first, subject="Trin venter på dig").order_by("-created_at", "-id")[0]
    client.force_login(board_member)
    response = client.post(f"/notifikationer/{newest.pk}/laest/")
    assert response.status_code == 302
    assert not mine.filter(case=first, subject="Trin venter på dig", read_at__isnull=True).exists()
    assert set(mine.filter(read_at__isnull=True).values_list("subject", "case_id")) >= {
        ("Frist overskredet", first.pk), ("Trin venter på dig", second.pk)}
    html = client.get("/notifikationer/?vis=ulaeste").content.decode()
    assert "(og 2 gange mere)" not in html


def test_the_api_reads_the_fold_too_and_a_newer_notice_stays_unread(board_member, two_cases):
    from anskaf.notifications.models import Notification

    first, _second = two_cases
    for _ in range(2):
        services.notify([board_member], _notice(first, "Trin venter på dig"))
    older = Notification.objects.filter(recipient=board_member).order_by("-created_at", "-id")[0]
    services.notify([board_member], _notice(first, "Trin venter på dig"))  # after the page
    services.notification_mark_read(actor=board_member, notification_id=older.pk)
    unread = Notification.objects.filter(recipient=board_member, read_at__isnull=True,
                                         subject="Trin venter på dig")
    assert unread.count() == 1 and unread.get().created_at >= older.created_at
