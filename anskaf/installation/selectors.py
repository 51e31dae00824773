"""What the operator reads (ADR 0030): each municipality's counts, never its content. A fixed
number of queries whatever the number of municipalities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import reduce
from operator import or_
from typing import Any

from django.db.models import Count, Model, Q

from anskaf.audit.models import AuditEvent, ChainHead
from anskaf.cases.models import Case
from anskaf.notifications.choices import OutboxStatus
from anskaf.notifications.models import OutboxMessage
from anskaf.notifications.selectors import last_heartbeat, queue_length
from anskaf.orgs.models import Organisation, OrgUnit, User
from anskaf.portfolio.models import TenderThreshold

from .errors import NotFound
from .permissions import require_operator
from .services import installation_organisation, municipalities


@dataclass(frozen=True)
class MunicipalityRow:
    organisation: Organisation
    users: int
    active_users: int
    units: int
    cases: int
    last_activity: dt.datetime | None  # the newest event of its audit trail
    failed_deliveries: int = 0  # e-mails the outbox gave up on (counted, never shown)

    @property
    def suspended(self) -> bool:
        return self.organisation.suspended_at is not None


def _counts(model: type[Model], org_ids: list[int], **filters: Any) -> dict[int, int]:
    rows = (model._default_manager.filter(organisation_id__in=org_ids, **filters)
            .values("organisation_id").annotate(n=Count("pk")).values_list("organisation_id", "n"))
    return dict(rows)


def _last_activity(org_ids: list[int]) -> dict[int, dt.datetime]:
    heads = list(ChainHead.objects.filter(organisation_id__in=org_ids, seq__gt=0)
                 .values_list("organisation_id", "seq"))
    if not heads:
        return {}
    newest = reduce(or_, (Q(organisation_id=org, seq=seq) for org, seq in heads))
    return dict(AuditEvent.objects.filter(newest).values_list("organisation_id", "at"))


def municipality_rows(*, viewer: User, slug: str | None = None) -> list[MunicipalityRow]:
    """Every municipality (or the one named) with its counts, by name."""
    require_operator(viewer)
    orgs = municipalities().order_by("name")
    if slug is not None:
        orgs = orgs.filter(slug=slug)
    organisations = list(orgs)
    if slug is not None and not organisations:
        raise NotFound(f"Kommunen »{slug[:60]}« findes ikke på installationen.")
    ids = [o.pk for o in organisations]
    users = _counts(User, ids)
    active = _counts(User, ids, is_active=True)
    units = _counts(OrgUnit, ids)
    cases = _counts(Case, ids)
    last = _last_activity(ids)
    failed = _counts(OutboxMessage, ids, status=OutboxStatus.FAILED)
    return [MunicipalityRow(o, users.get(o.pk, 0), active.get(o.pk, 0), units.get(o.pk, 0),
                            cases.get(o.pk, 0), last.get(o.pk), failed.get(o.pk, 0))
            for o in organisations]


def municipality_row(*, viewer: User, slug: str) -> MunicipalityRow:
    return municipality_rows(viewer=viewer, slug=slug)[0]


@dataclass(frozen=True)
class InstallationStatus:
    """The whole installation's worker and queue (no municipality's content)."""

    heartbeat_at: dt.datetime | None
    heartbeat_ok: bool
    immediate: bool
    queue_length: int | None
    queue_error: str
    failed_deliveries: int


def installation_status(*, viewer: User) -> InstallationStatus:
    from django.conf import settings
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    require_operator(viewer)
    beat = last_heartbeat()
    recent = beat is not None and (
        timezone.now() - beat.beat_at).total_seconds() <= settings.ANSKAF_HEARTBEAT_MAX_AGE
    try:
        length, error = queue_length(), ""
    except Exception as exc:  # the queue's own errors (Redis down): shown, not a broken page
        length, error = None, f"{type(exc).__name__}: {exc}"[:200]
    return InstallationStatus(
        heartbeat_at=beat.beat_at if beat else None, heartbeat_ok=bool(HUEY.immediate or recent),
        immediate=bool(HUEY.immediate), queue_length=length, queue_error=error,
        failed_deliveries=OutboxMessage.objects.filter(status=OutboxStatus.FAILED).count())


def thresholds(*, viewer: User) -> list[TenderThreshold]:
    """The installation's EU tender thresholds, newest first (a few a year)."""
    require_operator(viewer)
    return list(TenderThreshold.objects.order_by("-valid_from")[:200])


@dataclass(frozen=True)
class OffboardedRow:
    """A municipality that left the installation, from the installation's audit chain (its
    own rows and chain are gone)."""

    at: dt.datetime
    actor_name: str
    name: str
    slug: str
    reason: str
    export_name: str
    export_sha256: str
    rows: int
    files: int


OFFBOARDED_MAX = 200


def offboarded(*, viewer: User) -> list[OffboardedRow]:
    """The offboarded municipalities, newest first (one query, at most OFFBOARDED_MAX)."""
    require_operator(viewer)
    events = (AuditEvent.objects
              .filter(organisation=installation_organisation(),
                      event_type="organisation.offboarded")
              .order_by("-seq")
              .only("at", "actor_name", "before", "after")[:OFFBOARDED_MAX])
    return [_offboarded_row(e) for e in events]


def _offboarded_row(event: AuditEvent) -> OffboardedRow:
    before, after = event.before or {}, event.after or {}
    rows = after.get("rows") or {}
    return OffboardedRow(
        at=event.at, actor_name=event.actor_name, name=str(before.get("name", "")),
        slug=str(before.get("slug", "")), reason=str(after.get("reason", "")),
        export_name=str(after.get("export_name", "")),
        export_sha256=str(after.get("export_sha256", "")),
        rows=sum(v for v in rows.values() if isinstance(v, int)) if isinstance(rows, dict)
        else 0, files=int(after.get("files") or 0))
