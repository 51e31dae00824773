"""Deputies for absence: while a person is away, their deputy sees and acts on their assignments."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction

from anskaf.audit import events
from anskaf.audit.services import audit_append
from anskaf.http.dates import parse_date

from . import hooks
from .errors import ReferenceRefused
from .errors import ValidationFailed as OrgValidationFailed
from .models import Deputy, User
from .permissions import forget_access
from .viewer import access_changed


def _date(value: Any, field: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    try:
        parsed = parse_date(value)  # the API's ISO form, or as typed: "31.01.2027"
    except ValueError:
        parsed = None
    if parsed is None:
        raise OrgValidationFailed({field: "Angiv datoen som dd.mm.åååå, fx 31.01.2027."})
    return parsed


@transaction.atomic
def deputy_add(*, actor: User, deputy_username: Any, starts_on: Any, ends_on: Any) -> Deputy:
    """The actor names a deputy for a period of absence."""
    starts, ends = _date(starts_on, "starts_on"), _date(ends_on, "ends_on")
    if ends < starts:
        raise ReferenceRefused({"ends_on": "Slutdatoen skal ligge på eller efter startdatoen."})
    deputy = User.objects.filter(organisation_id=actor.organisation_id, is_active=True,
                                 username=deputy_username).first()
    if deputy is None:
        raise ReferenceRefused({"deputy": "Vælg en person i din kommune."})
    if deputy.pk == actor.pk:
        raise ReferenceRefused({"deputy": "Du kan ikke være din egen stedfortræder."})
    access_changed(actor.organisation_id, actor)  # the deputy acts with the actor's roles
    record = Deputy.objects.create(organisation_id=actor.organisation_id, person=actor,
                                   deputy=deputy, starts_on=starts, ends_on=ends)
    audit_append(organisation_id=actor.organisation_id, actor=actor, actor_role=events.PERSONAL,
                 event_type="deputy.added", object_id=record.pk,
                 before=None, after={"person": actor.username, "deputy": deputy.username,
                                     "starts_on": starts.isoformat(), "ends_on": ends.isoformat()})
    hooks.emit("deputy.added", deputy=record, actor=actor)
    forget_access()  # the deputy acts with the actor's roles from today
    return record


@transaction.atomic
def deputy_remove(*, actor: User, deputy_id: Any) -> None:
    record = Deputy.objects.select_for_update().filter(pk=deputy_id, person=actor).first()
    if record is None:
        raise OrgValidationFailed({"deputy": "Stedfortræderen findes ikke."})
    access_changed(actor.organisation_id, actor)
    before = {"person": actor.username, "deputy": record.deputy.username,
              "starts_on": record.starts_on.isoformat(), "ends_on": record.ends_on.isoformat()}
    hooks.emit("deputy.removed", deputy=record, actor=actor)
    Deputy.objects.filter(pk=record.pk).delete()
    audit_append(organisation_id=actor.organisation_id, actor=actor, actor_role=events.PERSONAL,
                 event_type="deputy.removed", object_id=deputy_id,
                 before=before, after=None)
    forget_access()
