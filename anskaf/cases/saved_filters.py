"""Saved filters of the case list (issue 20): a person saves the list's current filter and sort
under a name, sees their saved filters on the list, applies one (a link with its query) and
deletes it. The page and the API (`/api/v1/saved-filters`) use these functions.

A saved filter is the case list's own query parameters, checked by the list's parser and
written in a fixed order, so what is saved is exactly what the list (and the API's case list,
which takes the same parameters) shows. Personal: only its owner sees, applies or deletes it.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import audit_append
from anskaf.orgs.models import User
from anskaf.validation.text import text_problem

from . import selectors
from .errors import NotFound, ValidationFailed
from .models import SavedFilter
from .process_models import current_model

# The case list's parameters a filter keeps, in the order its query is written.
FILTER_KEYS = ("mine", "q", "status", "phase", "unit", "without_coordinator", "sort")
NAME_MAX = 80
MAX_PER_PERSON = 50


def normalised_query(actor: User, params: Any) -> str:
    """The case list's filter and sort in `params` (a QueryDict, a mapping or a query string),
    checked as the list checks them (ValidationFailed naming the bad ones) and written in a
    fixed order without empty values, paging or the default sort."""
    if isinstance(params, str):
        params = QueryDict(params.lstrip("?"))
    model = current_model(actor.municipality_id)
    selectors.parse_filters(params, model.phase_numbers)  # raises on a bad value
    pairs = []
    for key in FILTER_KEYS:
        value = str(params.get(key) or "").strip()
        if not value or (key == "sort" and value == selectors.DEFAULT_SORT):
            continue
        if key in ("mine", "without_coordinator"):
            if value.lower() not in ("1", "true", "on"):
                continue
            value = "1"
        pairs.append((key, value))
    query = urlencode(pairs)
    if len(query) > 500:
        raise ValidationFailed({"query": "Filteret er for langt til at gemme. Forkort søgeteksten."})
    return query


def saved_filters(*, viewer: User) -> list[SavedFilter]:
    """The viewer's own saved filters, by name (one query)."""
    return list(
        SavedFilter.objects.filter(owner=viewer, organisation_id=viewer.municipality_id).order_by(
            "name", "pk"
        )
    )


def _clean_name(name: Any) -> str:
    if not isinstance(name, str) or not name.strip():
        raise ValidationFailed({"name": "Giv filteret et navn."})
    name = " ".join(name.split())
    if len(name) > NAME_MAX:
        raise ValidationFailed({"name": f"Navnet må højst være {NAME_MAX} tegn."})
    if (problem := text_problem(name, name=True)) is not None:
        raise ValidationFailed({"name": problem})
    return name


@transaction.atomic
def saved_filter_save(*, actor: User, name: Any, query: Any) -> SavedFilter:
    """Save the case list's filter and sort under a name; a name the person has used already
    gets the new filter (audited either way)."""
    if actor.organisation_id is None:
        raise ValidationFailed({"organisation": "Din bruger hører ikke til en kommune."})
    clean_name = _clean_name(name)
    if query is None:
        query = ""
    if not isinstance(query, str | QueryDict | dict):
        raise ValidationFailed({"query": "Angiv filteret som sagslistens parametre."})
    clean_query = normalised_query(actor, query)
    existing = SavedFilter.objects.select_for_update().filter(owner=actor, name=clean_name).first()
    if existing is not None:
        if existing.query == clean_query:
            return existing
        before = {"name": existing.name, "query": existing.query}
        existing.query = clean_query
        existing.save(update_fields=["query"])
        record, event = existing, "saved_filter.updated"
    else:
        if SavedFilter.objects.filter(owner=actor).count() >= MAX_PER_PERSON:
            raise ValidationFailed(
                {"name": f"Du kan højst gemme {MAX_PER_PERSON} filtre. Slet et, du ikke bruger."}
            )
        before = None
        record = SavedFilter.objects.create(
            organisation_id=actor.organisation_id,
            owner=actor,
            name=clean_name,
            query=clean_query,
            created_at=timezone.now(),
        )
        event = "saved_filter.created"
    audit_append(
        organisation_id=actor.organisation_id,
        actor=actor,
        actor_role=events.PERSONAL,
        event_type=event,
        object_id=record.pk,
        before=before,
        after={"name": record.name, "query": record.query},
    )
    return record


@transaction.atomic
def saved_filter_delete(*, actor: User, filter_id: int) -> None:
    """Delete one of the person's own saved filters (NotFound for anyone else's)."""
    record = SavedFilter.objects.select_for_update().filter(pk=filter_id, owner=actor).first()
    if record is None:
        raise NotFound("Filteret findes ikke.")
    before = {"name": record.name, "query": record.query}
    record.delete()
    audit_append(
        organisation_id=actor.municipality_id,
        actor=actor,
        actor_role=events.PERSONAL,
        event_type="saved_filter.deleted",
        object_id=filter_id,
        before=before,
        after=None,
    )
