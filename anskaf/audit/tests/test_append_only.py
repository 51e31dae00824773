"""The ORM offers no way to change or delete an audit event."""

from __future__ import annotations

import pytest

from anskaf.audit.models import AppendOnlyError, AuditEvent
from anskaf.audit.services import audit_verify

pytestmark = pytest.mark.django_db


@pytest.fixture
def events(append):
    return append(n=3)


def test_saving_an_existing_event_raises(events, org):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.after = {"forged": True}
    with pytest.raises(AppendOnlyError):
        event.save()
    assert AuditEvent.objects.get(pk=event.pk).after != {"forged": True}
    assert audit_verify(org.pk).ok


def test_saving_with_update_fields_raises(events):
    event = AuditEvent.objects.get(pk=events[0].pk)
    event.actor_name = "Mallory"
    with pytest.raises(AppendOnlyError):
        event.save(update_fields=["actor_name"])


def test_deleting_an_event_raises(events, org):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.get(pk=events[-1].pk).delete()
    assert AuditEvent.objects.filter(organisation=org).count() == 3


def test_queryset_update_raises(events, org):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(organisation=org).update(actor_name="Mallory")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().update(after=None)
    assert audit_verify(org.pk).ok


def test_queryset_delete_raises(events, org):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(organisation=org).delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == 3


def test_bulk_update_raises(events):
    rows = list(AuditEvent.objects.all())
    for row in rows:
        row.actor_name = "Mallory"
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.bulk_update(rows, ["actor_name"])


def test_update_or_create_cannot_change_an_event(events):
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.update_or_create(pk=events[0].pk, defaults={"actor_name": "Mallory"})
    assert AuditEvent.objects.get(pk=events[0].pk).actor_name != "Mallory"


def test_the_audit_event_has_no_admin():
    from django.apps import apps

    if apps.is_installed("django.contrib.admin"):
        from django.contrib import admin

        assert AuditEvent not in admin.site._registry
