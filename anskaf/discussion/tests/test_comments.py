"""Comments on a case: @mentions notify through the outbox as each person chose, only people
who may see the case can be mentioned, and edits and deletions are audited."""

from __future__ import annotations

import pytest
from django.core import mail
from django.urls import reverse

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.cases.errors import NotFound, PermissionDenied, ValidationFailed
from anskaf.discussion import services
from anskaf.discussion.models import Comment
from anskaf.notifications import services as notification_services
from anskaf.notifications.delivery import deliver
from anskaf.notifications.models import Notification, OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def colleague(board_member):
    board_member.email = "visitation@haderslev.dk"
    board_member.save()
    return board_member


@pytest.fixture
def stranger(org, other_unit):
    """A requester in another unit: sees open cases, not restricted ones."""
    return testing.make_user(org, "fremmedenhed", "requester", unit=other_unit,
                             full_name="Frida Fremmed")


def test_names_are_read_from_the_text_not_from_mail_addresses():
    assert services.mentioned_names("Hej @karen. Skriv til ole@haderslev.dk og @bo-li!") == [
        "karen", "bo-li"]


def test_a_mention_notifies_the_person_by_mail(case, coordinator, colleague):
    comment = services.comment_create(actor=coordinator, case_id=case.pk,
                                      body="Kan @visitation se på budgettet?")
    notice = Notification.objects.get(recipient=colleague, kind="mention")
    assert notice.case_id == case.pk and notice.url.endswith(f"#kommentar-{comment.pk}")
    message = OutboxMessage.objects.get(recipient=colleague)
    assert "nævnte dig" in message.subject and "budgettet" in message.body
    deliver(message.pk)
    assert mail.outbox[-1].to == ["visitation@haderslev.dk"]
    assert list(comment.mentions.all()) == [colleague]


def test_a_mention_respects_the_persons_digest_choice(case, coordinator, colleague):
    notification_services.preferences_set(actor=colleague, modes={"mention": "digest"})
    services.comment_create(actor=coordinator, case_id=case.pk, body="Til @visitation")
    assert Notification.objects.get(recipient=colleague, kind="mention").digest_pending
    assert not OutboxMessage.objects.filter(recipient=colleague).exists()


def test_the_picker_mentions_too_and_the_author_is_not_told(case, coordinator, colleague):
    services.comment_create(actor=coordinator, case_id=case.pk, body="Status",
                            mention=["visitation", "koordinator"])
    assert Notification.objects.filter(kind="mention").count() == 1


def test_someone_who_cannot_see_the_case_cannot_be_mentioned(case, coordinator, stranger):
    case.restricted = True
    case.save(update_fields=["restricted"])
    with pytest.raises(ValidationFailed) as refused:
        services.comment_create(actor=coordinator, case_id=case.pk,
                                body="Hej @fremmedenhed og @ingen")
    message = refused.value.errors["body"]
    assert "@fremmedenhed (Frida Fremmed)" in message and "@ingen" in message
    assert not Comment.objects.exists() and not Notification.objects.exists()


def test_only_people_who_see_the_case_see_or_write_comments(case, coordinator, outsider):
    services.comment_create(actor=coordinator, case_id=case.pk, body="Intern")
    with pytest.raises(NotFound):
        services.comment_create(actor=outsider, case_id=case.pk, body="Hej")
    from anskaf.discussion import selectors
    with pytest.raises(NotFound):
        selectors.case_comments(viewer=outsider, case_id=case.pk)


def test_edit_and_delete_are_own_and_audited(case, coordinator, colleague):
    comment = services.comment_create(actor=coordinator, case_id=case.pk, body="Første udgave")
    with pytest.raises(PermissionDenied):
        services.comment_edit(actor=colleague, case_id=case.pk, comment_id=comment.pk, body="x")
    services.comment_edit(actor=coordinator, case_id=case.pk, comment_id=comment.pk,
                          body="Anden udgave til @visitation")
    updated = AuditEvent.objects.get(event_type="comment.updated")
    assert updated.before["body"] == "Første udgave"
    assert updated.after == {"body": "Anden udgave til @visitation", "step": None,
                             "mentions": ["visitation"]}
    assert updated.case_id == case.pk
    assert Notification.objects.filter(recipient=colleague, kind="mention").count() == 1
    with pytest.raises(PermissionDenied):
        services.comment_delete(actor=colleague, case_id=case.pk, comment_id=comment.pk)
    services.comment_delete(actor=coordinator, case_id=case.pk, comment_id=comment.pk)
    deleted = AuditEvent.objects.get(event_type="comment.deleted")
    assert deleted.before["body"] == "Anden udgave til @visitation" and deleted.after is None
    assert not Comment.objects.exists()


def test_the_case_page_shows_the_form_the_comments_and_the_timeline(client, case, coordinator):
    services.comment_create(actor=coordinator, case_id=case.pk, body="Synlig tekst", step=2)
    client.force_login(coordinator)
    url = reverse("cases:case_detail", kwargs={"pk": case.pk})
    page = testing.page_with_parts(client, url, opened=True)  # the timeline loads when opened
    assert 'id="kommentarer"' in page and "Synlig tekst" in page
    assert "skrev en kommentar om trin 2" in page


def test_a_refused_mention_keeps_the_typed_text(client, case, coordinator, stranger):
    case.restricted = True
    case.save(update_fields=["restricted"])
    client.force_login(coordinator)
    url = reverse("discussion:comment_create", kwargs={"pk": case.pk})
    response = client.post(url, {"body": "Min lange tekst til @fremmedenhed", "step": ""})
    assert response.status_code == 400
    page = response.content.decode()
    assert "Min lange tekst til @fremmedenhed</textarea>" in page
    assert "Frida Fremmed" in page
    response = client.post(url, {"body": "Fint", "step": "3"})
    assert response.status_code == 302 and Comment.objects.get().step == 3


def test_the_api_lists_creates_edits_and_deletes(client, case, coordinator, colleague, outsider):
    client.force_login(coordinator)
    base = f"/api/v1/cases/{case.pk}/comments"
    created = client.post(base, {"body": "Hej @visitation"}, content_type="application/json",
                          HTTP_X_CSRFTOKEN="x")
    assert created.status_code == 201, created.content
    cid = created.json()["id"]
    assert created.json()["mentions"] == ["visitation"]
    assert client.get(base).json()["items"][0]["body"] == "Hej @visitation"
    edited = client.patch(f"{base}/{cid}", {"body": "Rettet"}, content_type="application/json")
    assert edited.status_code == 200 and edited.json()["edited_at"]
    bad = client.post(base, {"body": "Til @fremmed"}, content_type="application/json")
    assert bad.status_code == 409 and "@fremmed" in bad.json()["fields"]["body"]
    assert client.delete(f"{base}/{cid}").status_code == 204
    client.force_login(outsider)
    assert client.get(base).status_code == 404


def test_the_menu_says_1_ulaest_and_2_ulaeste(client, case, coordinator, colleague):
    client.force_login(colleague)
    services.comment_create(actor=coordinator, case_id=case.pk, body="@visitation én")
    assert "(1<span class=\"sr-only\"> ulæst</span>)" in client.get("/sager/").content.decode()
    services.comment_create(actor=coordinator, case_id=case.pk, body="@visitation to")
    assert "(2<span class=\"sr-only\"> ulæste</span>)" in client.get("/sager/").content.decode()
