"""Stored process model versions and their parsed form, cached by content hash."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F, Q

from anskaf.process.loader import DEFAULT_MODEL_PATH, load_text, sha256_of
from anskaf.process.model import ProcessModel

from .models import ModelVersion

# Parsed models by content hash: versions never change, so a hash names one model for good.
_by_sha: dict[str, ProcessModel] = {}


def model_of(version: ModelVersion) -> ProcessModel:
    model = _by_sha.get(version.sha256)
    if model is None:
        model = _by_sha[version.sha256] = load_text(version.content)
    return model


def models_for(version_ids: Iterable[int]) -> dict[int, ProcessModel]:
    """The models of these versions: one small query for their hashes, and their YAML
    (tens of kilobytes each) only the first time a process meets a hash."""
    hashes = dict(ModelVersion.objects.filter(pk__in=set(version_ids))
                  .values_list("pk", "sha256"))
    unknown = {h for h in hashes.values() if h not in _by_sha}
    for version in ModelVersion.objects.filter(sha256__in=unknown).only("sha256", "content"):
        model_of(version)
    return {pk: _by_sha[h] for pk, h in hashes.items()}


def model_for(case: Any) -> ProcessModel:
    """The model a case runs on, without loading the version's YAML with the case."""
    return models_for([case.model_version_id])[case.model_version_id]


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


def current_model(organisation_id: int) -> ProcessModel:
    """The model new cases start on, without reading its YAML once this process has it."""
    versions = ModelVersion.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
    ).order_by(F("organisation_id").desc(nulls_last=True), "-version")
    latest = versions.values_list("pk", "sha256").first()
    if latest is None:
        return model_of(current_version(organisation_id))
    pk, sha = latest
    return _by_sha.get(sha) or models_for([pk])[pk]  # one query once this process has it


def organisation_models(organisation_id: int) -> dict[int, ProcessModel]:
    """Every model version the organisation's cases may run on (its own and the shared ones),
    by version id: one query once this process has read their YAML."""
    hashes = dict(ModelVersion.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True)
    ).values_list("pk", "sha256"))
    unknown = {h for h in hashes.values() if h not in _by_sha}
    for version in ModelVersion.objects.filter(sha256__in=unknown).only("sha256", "content"):
        model_of(version)
    return {pk: _by_sha[h] for pk, h in hashes.items()}
