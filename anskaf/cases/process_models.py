"""Stored process model versions and their parsed form, cached by content hash."""

from __future__ import annotations

from functools import lru_cache

from django.db import transaction

from anskaf.process.loader import DEFAULT_MODEL_PATH, load_text, sha256_of
from anskaf.process.model import ProcessModel

from .models import ModelVersion


@lru_cache(maxsize=32)
def _parse(sha256: str, content: str) -> ProcessModel:
    return load_text(content)


def model_of(version: ModelVersion) -> ProcessModel:
    return _parse(version.sha256, version.content)


def store_version(*, content: str, organisation_id: int | None = None) -> ModelVersion:
    """Store a model's content as a new version unless the same content is the latest one."""
    model = load_text(content)  # refuses an invalid model before anything is stored
    digest = sha256_of(content)
    with transaction.atomic():
        versions = ModelVersion.objects.select_for_update().filter(
            organisation_id=organisation_id, key=model.key
        ).order_by("-version")
        latest = versions.first()
        if latest is not None and latest.sha256 == digest:
            return latest
        return ModelVersion.objects.create(
            organisation_id=organisation_id, key=model.key, content=content, sha256=digest,
            version=(latest.version + 1) if latest else 1,
        )


def current_version(organisation_id: int) -> ModelVersion:
    """The version new cases start on: the organisation's own, else the shared default."""
    own = ModelVersion.objects.filter(organisation_id=organisation_id).order_by("-version").first()
    if own is not None:
        return own
    shared = ModelVersion.objects.filter(organisation__isnull=True).order_by("-version").first()
    if shared is not None:
        return shared
    return store_version(content=DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))
