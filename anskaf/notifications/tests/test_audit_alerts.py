"""The worker anchors the audit chains and verifies them; a failure is mailed (through the
outbox) to the organisation's security consultants and administrators and the operator, once a
day per problem (issue 21, item 4; ADR 0023)."""

from __future__ import annotations

import pytest
from django.db import connection

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.notifications import audit_alerts
from anskaf.notifications.models import OutboxMessage

pytestmark = pytest.mark.django_db


@pytest.fixture
def watchers(org, unit):
    people = [testing.make_user(org, "isk", "security", unit=unit),
              testing.make_user(org, "admin", "admin")]
    for person in people:
        person.email = f"{person.username}@haderslev.dk"
        person.save(update_fields=["email"])
    return people


def cut_back(org, seq):
    keep = AuditEvent.objects.get(organisation=org, seq=seq)
    with connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditevent WHERE organisation_id = %s AND seq > %s",
                       [org.pk, seq])
        cursor.execute("UPDATE audit_chainhead SET seq = %s, hash = %s "
                       "WHERE organisation_id = %s", [seq, keep.hash, org.pk])


def test_a_sound_trail_is_anchored_and_verified_without_alerts(coordinator, case, watchers):
    testing.advance(coordinator, case, 2)
    assert audit_alerts.alert(audit_alerts.anchor_run(), what="forankring") == 0
    assert audit_alerts.alert(audit_alerts.verify_run(), what="verifikation") == 0
    assert not OutboxMessage.objects.exists()


def test_a_cut_off_chain_alerts_security_admins_and_the_operator_once(
        coordinator, case, watchers, other_org, settings):
    settings.ANSKAF_OPERATOR_EMAILS = ["drift@example.org"]
    outsider = testing.make_user(other_org, "isk2", "security")
    outsider.email = "isk2@aabenraa.dk"
    outsider.save(update_fields=["email"])
    testing.advance(coordinator, case, 3)
    audit_alerts.anchor_run()
    cut_back(coordinator.organisation, 2)

    assert audit_alerts.alert(audit_alerts.anchor_run(), what="forankring") == 3
    mails = list(OutboxMessage.objects.order_by("to_email"))
    assert sorted(m.to_email for m in mails) == sorted(
        [watchers[0].email, watchers[1].email, "drift@example.org"])
    assert outsider.email not in {m.to_email for m in mails}
    assert "ikke forankret" in mails[0].body and "seq 2" in mails[0].body
    # The hourly verification names the cut; the same problem again the same day: no new mail.
    assert audit_alerts.alert(audit_alerts.verify_run(), what="verifikation") == 3
    assert "cut off" in OutboxMessage.objects.order_by("-pk").first().body
    assert audit_alerts.alert(audit_alerts.verify_run(), what="verifikation") == 0
