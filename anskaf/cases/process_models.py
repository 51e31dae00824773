"""Stored process model versions and their parsed form, cached by content hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone

from anskaf.process.loader import DEFAULT_MODEL_PATH, load_text, sha256_of
from anskaf.process.model import ProcessModel

from .errors import Conflict, NotFound, PermissionDenied, ValidationFailed
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


# --- publishing (issue 17, ADR 0019) ---------------------------------------------------------

REASON_MAX = 2000


@dataclass(frozen=True)
class Published:
    version: ModelVersion
    created: bool  # False: the content is the current version's already; nothing was stored


def organisation_versions(organisation_id: int) -> list[ModelVersion]:
    """The organisation's own published versions, newest first, with who published them
    (two queries at most, whatever the number of versions); not their YAML."""
    return list(ModelVersion.objects.filter(organisation_id=organisation_id)
                .select_related("published_by").defer("content").order_by("-version"))


def model_publish(*, actor: Any, organisation_id: int, content: str, reason: str,
                  base_version_id: int | None = None, via: str = "web",
                  restored_from: ModelVersion | None = None) -> Published:
    """Publish `content` as the organisation's newest model version: new cases start on it.

    Refuses an invalid model (ModelInvalid, with line numbers), an empty reason
    (ValidationFailed), and, when `base_version_id` names the version the publisher looked at,
    a publish that another one beat to it (Conflict). Content identical to the current
    version stores nothing (Published.created is False). One transaction: the organisation's
    row is locked, so concurrent publishes queue and the later one sees the winner.
    `actor` is the administrator, or None for the command line (`via="cli"`).
    """
    from anskaf.audit.services import audit_append
    from anskaf.orgs.models import Organisation
    from anskaf.orgs.selectors import is_org_admin

    if actor is not None and (actor.organisation_id != organisation_id
                              or not is_org_admin(actor)):
        raise PermissionDenied("Kun kommunens administratorer kan udgive en procesmodel.")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Skriv, hvorfor modellen ændres."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Begrundelsen må højst være {REASON_MAX} tegn."})
    content = normalise_content(content)
    model = load_text(content)  # ModelInvalid before anything is locked or stored
    digest = sha256_of(content)
    with transaction.atomic():
        Organisation.objects.select_for_update().only("pk").get(pk=organisation_id)
        current = current_version(organisation_id)
        if base_version_id is not None and current.pk != base_version_id:
            raise Conflict(
                f"En anden har udgivet version {current.version} af modellen, mens du arbejdede. "
                "Se ændringerne igen, og udgiv så på ny.")
        if current.sha256 == digest:
            return Published(current, created=False)
        own = ModelVersion.objects.filter(organisation_id=organisation_id).order_by("-version")
        latest = own.values_list("version", flat=True).first() or 0
        try:
            with transaction.atomic():
                version = ModelVersion.objects.create(
                    organisation_id=organisation_id, key=model.key, content=content,
                    sha256=digest, version=latest + 1, published_by=actor,
                    published_at=timezone.now(), published_via=via, reason=reason,
                )
        except IntegrityError:
            raise Conflict("En anden udgav en version af modellen samtidig. Prøv igen.") from None
        after: dict[str, Any] = {"version": version.version, "key": model.key,
                                 "sha256": digest, "reason": reason, "via": via}
        if restored_from is not None:
            after["restored_from"] = {"version": restored_from.version,
                                      "sha256": restored_from.sha256}
        audit_append(
            organisation_id=organisation_id, actor=actor,
            actor_role="admin" if actor is not None else "cli",
            event_type="model.published", object_type="model_version", object_id=version.pk,
            before={"version": current.version, "key": current.key, "sha256": current.sha256,
                    "shared": current.organisation_id is None},
            after=after,
        )
    return Published(version, created=True)


def model_rollback(*, actor: Any, organisation_id: int, version_id: int, reason: str,
                   base_version_id: int | None = None, via: str = "web") -> Published:
    """Publish an earlier version's content again, as a new version (audited like any publish).
    The earlier version is the organisation's own or the shared default; else NotFound."""
    earlier = ModelVersion.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True), pk=version_id
    ).first()
    if earlier is None:
        raise NotFound("Versionen findes ikke.")
    return model_publish(actor=actor, organisation_id=organisation_id, content=earlier.content,
                         reason=reason, base_version_id=base_version_id, via=via,
                         restored_from=earlier)


# --- checking a model before it is published -------------------------------------------------

MAX_MODEL_BYTES = 1_000_000


@dataclass(frozen=True)
class Line:
    number: int
    text: str
    problems: tuple[str, ...]


@dataclass(frozen=True)
class ModelCheck:
    """What the Procesmodel page shows about a model an admin uploaded or edited."""

    content: str
    sha256: str
    current: ModelVersion  # what new cases start on now (the diff's base)
    model: ProcessModel | None  # None when invalid
    problems: tuple[Any, ...]  # loader Problems (line, message)
    warnings: tuple[str, ...]  # steps the apps bind to that the model lacks
    diff: Any  # process.diff.ModelDiff, against the current version; None when invalid

    @property
    def ok(self) -> bool:
        return self.model is not None

    @property
    def unchanged(self) -> bool:
        return self.sha256 == self.current.sha256

    def lines(self) -> list[Line]:
        """The YAML's lines, numbered, each with the problems the loader found on it."""
        on: dict[int, list[str]] = {}
        for p in self.problems:
            if p.line:
                on.setdefault(p.line, []).append(p.message)
        return [Line(i, text, tuple(on.get(i, ())))
                for i, text in enumerate(self.content.split("\n"), start=1)]

    @property
    def general_problems(self) -> list[str]:
        return [p.message for p in self.problems if not p.line]


def model_check(*, organisation_id: int, content: str) -> ModelCheck:
    """Load the content (every problem with its line), warn about the steps the apps bind to
    that it lacks, and compare it with the version new cases start on now."""
    from anskaf.process.bindings import unbound
    from anskaf.process.diff import diff_models
    from anskaf.process.loader import ModelInvalid

    from .extensions import step_bindings

    content = normalise_content(content)
    current = current_version(organisation_id)
    try:
        model = load_text(content)
    except ModelInvalid as exc:
        return ModelCheck(content, sha256_of(content), current, None, tuple(exc.problems), (),
                          None)
    warnings = tuple(unbound(model, step_bindings()))
    return ModelCheck(content, sha256_of(content), current, model, (), warnings,
                      diff_models(model_of(current), model))


def normalise_content(content: str) -> str:
    """A browser's textarea sends CRLF line ends: store the LF the download gives, so the same
    model has the same sha256 however it arrived."""
    return content.replace("\r\n", "\n").replace("\r", "\n")
