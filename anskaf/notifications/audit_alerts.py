"""The worker's watch over the audit trail: anchor the chain heads every few minutes, verify
every chain against every anchor each hour, and alert when either fails (ADR 0023).

An alert is an e-mail through the outbox to the organisation's information security
consultants and administrators, and to ANSKAF_OPERATOR_EMAILS; the same problem is told at most
once a day (a ReminderSent key), however often the worker finds it again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections import defaultdict

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from anskaf.audit import anchors
from anskaf.orgs.choices import Role
from anskaf.orgs.models import Membership, Organisation, User

from .models import ReminderSent
from .services import outbox_add

ALERT_ROLES = (Role.SECURITY, Role.ADMIN)
EVERYONE = 0  # problems of the anchor log itself concern every organisation


def anchor_run() -> dict[int, list[str]]:
    """`anskaf audit anchor`, as the worker runs it: the problems, by organisation id."""
    problems: dict[int, list[str]] = defaultdict(list)
    try:
        run = anchors.anchor()
    except anchors.AnchorError as exc:
        problems[EVERYONE].append(f"Forankringen fejlede: {exc}")
        return problems
    for org_id, _slug, reason in run.refused:
        problems[org_id].append(f"Kæden blev ikke forankret, den holder ikke: {reason}")
    return problems


def verify_run() -> dict[int, list[str]]:
    """`anskaf audit verify`, as the worker runs it: the problems, by organisation id."""
    problems: dict[int, list[str]] = defaultdict(list)
    organisations = list(Organisation.objects.order_by("slug").values_list("pk", "slug"))
    try:
        result = anchors.verify(organisations)
    except anchors.AnchorError as exc:
        problems[EVERYONE].append(f"Verifikationen fejlede: {exc}")
        return problems
    for problem in [*result.log.problems, *result.missing]:
        problems[EVERYONE].append(f"Forankringsloggen: {problem}")
    for verdict in result.verdicts:
        if not verdict.ok:
            problems[verdict.organisation_id].append(
                f"Kæden er brudt ved hændelse nr. {verdict.broken_seq}: {verdict.reason}")
    return problems


def alert(problems: dict[int, list[str]], *, what: str, now: dt.datetime | None = None) -> int:
    """Tell each affected organisation's security consultants and administrators, and the
    operator. Returns the e-mails written."""
    now = now or timezone.now()
    shared = problems.get(EVERYONE, [])
    affected = (Organisation.objects.values_list("pk", flat=True) if shared
                else [org_id for org_id in problems if org_id != EVERYONE])
    written = 0
    for org_id in affected:
        lines = [*shared, *problems.get(org_id, [])]
        if lines:
            written += _alert_once(org_id, lines, what, now)
    return written


def _alert_once(org_id: int, lines: list[str], what: str, now: dt.datetime) -> int:
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()[:16]
    key = f"audit:{org_id}:{digest}:{timezone.localdate(now).isoformat()}"
    org = Organisation.objects.get(pk=org_id)
    body = ("anskaf's kontrol af revisionssporet (" + what + ") fandt et problem i "
            f"{org.name}:\n\n" + "\n".join(f"* {line}" for line in lines) +
            "\n\nKør `anskaf audit verify` for detaljer, og se docs/drift.md, "
            "\"Revisionssporets forankring\".\n")
    addresses = {person.email: person for person in _alerted(org_id) if person.email}
    for email in settings.ANSKAF_OPERATOR_EMAILS:
        addresses.setdefault(email, None)
    if not addresses:
        return 0
    try:
        with transaction.atomic():
            ReminderSent.objects.create(key=key, level="audit", sent_at=now)
            for email, person in sorted(addresses.items()):
                outbox_add(organisation_id=org_id, to_email=email, recipient=person, now=now,
                           subject=f"[anskaf] Revisionssporet i {org.name} holder ikke",
                           body=body)
    except IntegrityError:
        return 0  # told today already
    return len(addresses)


def _alerted(org_id: int) -> list[User]:
    people = Membership.objects.filter(organisation_id=org_id, role__in=ALERT_ROLES).values(
        "person_id")
    return list(User.objects.filter(pk__in=people, is_active=True).order_by("pk"))
