"""Every row that belongs to one municipality, found through the models themselves (ADR 0030).

A row belongs to the municipality when its `organisation` is the municipality, or when a
foreign key leads to a row that does (a step state through its case, a document version
through its document, an API token through its user), and M2M link rows through either end.
Found from the model graph, not from a list, so a model added later is exported and deleted
with the rest; `test_offboarding.py` fails for a model whose rows it cannot place.

The installation-wide rows (the shared process model, the tender thresholds, the worker's
heartbeat) belong to no municipality and are never touched.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import connection, models

from anskaf.orgs.models import Organisation

MAX_DEPTH = 4
CHUNK = 500
# Rows of the whole installation, not of any municipality.
SHARED = {"portfolio.TenderThreshold", "notifications.WorkerHeartbeat"}


def _own_models() -> list[type[models.Model]]:
    return [model for model in apps.get_models(include_auto_created=True)
            if model is not Organisation and model._meta.label not in SHARED]


def _paths(model: type[models.Model]) -> list[str]:
    """Lookups from `model` to Organisation: its own `organisation` when it has one (an audit
    event is its chain's, whoever the actor), else every foreign key path."""
    if any(f.name == "organisation" and f.related_model is Organisation
           for f in model._meta.concrete_fields):
        return ["organisation"]
    found: list[str] = []
    frontier: list[tuple[type[models.Model], str, int]] = [(model, "", 0)]
    while frontier:
        current, prefix, depth = frontier.pop(0)
        for field in current._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            path = f"{prefix}{field.name}"
            if field.related_model is Organisation:
                found.append(path)
            elif depth + 1 < MAX_DEPTH and field.related_model is not current:
                frontier.append((field.related_model, f"{path}__", depth + 1))
    return found


def placeable(model: type[models.Model]) -> bool:
    return bool(_paths(model))


def org_rows(organisation_id: int) -> list[tuple[type[models.Model], list[Any]]]:
    """Each model with the primary keys of its rows that belong to the municipality (models
    with none left out). Shared-default rows (organisation None, e.g. the default process
    model) are not the municipality's. A row without an `organisation` of its own counts when
    any of its paths leads to the municipality (a step state through its case or assignee)."""
    out = []
    for model in _own_models():
        paths = _paths(model)
        if not paths:
            continue
        condition = models.Q()
        for path in paths:
            condition |= models.Q(**{path: organisation_id})
        pks = list(model._default_manager.filter(condition).order_by("pk")
                   .values_list("pk", flat=True).distinct())
        if pks:
            out.append((model, pks))
    return out


def counts(rows: Iterable[tuple[type[models.Model], list[Any]]]) -> dict[str, int]:
    return {model._meta.label: len(pks) for model, pks in rows}


def storage_names(rows: Iterable[tuple[type[models.Model], list[Any]]]) -> list[str]:
    """The stored files of the rows (every model with a `storage_name`: document versions and
    the municipality's templates)."""
    names: list[str] = []
    for model, pks in rows:
        if any(f.name == "storage_name" for f in model._meta.concrete_fields):
            for start in range(0, len(pks), CHUNK):
                names += model._default_manager.filter(pk__in=pks[start:start + CHUNK]) \
                    .values_list("storage_name", flat=True)
    return sorted(names)


def delete_rows(rows: list[tuple[type[models.Model], list[Any]]]) -> int:
    """Delete the rows with plain SQL, in the caller's transaction. The foreign keys are checked
    at commit (Django makes them deferrable on PostgreSQL and SQLite), so the order does not
    matter; the audit trail's append-only guard is in its model methods, which this bypasses on
    purpose: the offboarding is itself audited in the installation's chain."""
    deleted = 0
    with connection.cursor() as cursor:
        for model, pks in rows:
            table = connection.ops.quote_name(model._meta.db_table)
            column = connection.ops.quote_name(model._meta.pk.column)
            for start in range(0, len(pks), CHUNK):
                part = pks[start:start + CHUNK]
                marks = ", ".join(["%s"] * len(part))
                cursor.execute(f"DELETE FROM {table} WHERE {column} IN ({marks})", part)
                deleted += cursor.rowcount
    return deleted
