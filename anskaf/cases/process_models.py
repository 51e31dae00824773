"""Stored process model versions and their parsed form, cached by content hash."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.core.cache import cache
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
    hashes = version_hashes(version_ids)
    unknown = {h for h in hashes.values() if h not in _by_sha}
    for version in ModelVersion.objects.filter(sha256__in=unknown).only("sha256", "content"):
        model_of(version)
    return {pk: _by_sha[h] for pk, h in hashes.items()}


def version_hashes(version_ids: Iterable[int]) -> dict[int, str]:
    """Each version's hash: from the cache (a stored version's content never changes), else
    in one query for those not cached yet."""
    keys = {pk: f"anskaf:model-sha:{pk}" for pk in set(version_ids)}
    cached = cache.get_many(list(keys.values()))
    hashes = {pk: cached[key] for pk, key in keys.items() if key in cached}
    missing = set(keys) - set(hashes)
    if missing:
        read = dict(ModelVersion.objects.filter(pk__in=missing).values_list("pk", "sha256"))
        cache.set_many({keys[pk]: digest for pk, digest in read.items()}, timeout=None)
        hashes.update(read)
    return hashes


def model_for(case: Any) -> ProcessModel:
    """The model a case runs on, without loading the version's YAML with the case."""
    return models_for([case.model_version_id])[case.model_version_id]


def store_version(*, content: str, organisation_id: int | None = None) -> ModelVersion:
    """Store a model's content as a new version unless the same content is the latest one."""
    model = load_text(content)  # refuses an invalid model before anything is stored
    digest = sha256_of(content)
    with transaction.atomic():
        versions = ModelVersion.objects.select_for_update().filter(
            organisation=organisation_id, key=model.key
        ).order_by("-version")
        latest = versions.first()
        if latest is not None and latest.sha256 == digest:
            return latest
        return ModelVersion.objects.create(
            organisation_id=organisation_id, key=model.key, content=content, sha256=digest,
            version=(latest.version + 1) if latest else 1,
            published_via=SHIPPED if organisation_id is None else None,
        )


# How a version came to be (ModelVersion.published_via): the page, the command line, the API
# (recorded as "web" like the page), the file shipped with anskaf, and a municipality pinned
# to the shared version it ran before a newer shared one was stored (ADR 0032).
SHIPPED, PINNED = "shipped", "pinned"


def shared_latest() -> ModelVersion | None:
    return (ModelVersion.objects.filter(organisation__isnull=True)
            .order_by("-version").first())


def shared_versions(limit: int = 50) -> list[ModelVersion]:
    """The installation's shared versions, newest first, without their content (the
    operator's page and API)."""
    return list(ModelVersion.objects.filter(organisation__isnull=True)
                .select_related("published_by").defer("content").order_by("-version")[:limit])


def _shared_or_shipped() -> ModelVersion:
    shared = shared_latest()
    if shared is not None:
        return shared
    return store_version(content=DEFAULT_MODEL_PATH.read_text(encoding="utf-8"))


def unit_chain(organisation_id: int, unit_id: int | None) -> list[int]:
    """The unit and its parents, nearest first (one query: a municipality has tens of units)."""
    if unit_id is None:
        return []
    from anskaf.orgs.models import OrgUnit

    parents = dict(OrgUnit.objects.filter(organisation_id=organisation_id)
                   .values_list("pk", "parent_id"))
    chain: list[int] = []
    current: int | None = unit_id
    while current is not None and current in parents and current not in chain:
        chain.append(current)
        current = parents[current]
    return chain


def current_version(organisation_id: int, unit_id: int | None = None) -> ModelVersion:
    """The version new cases start on: that of the nearest unit from `unit_id` upwards with a
    published version of its own, else the municipality's own, else the shared default."""
    chain = unit_chain(organisation_id, unit_id)
    if chain:
        own_units = ModelVersion.objects.filter(organisation_id=organisation_id,
                                                unit_id__in=chain).order_by("-version")
        newest: dict[int, ModelVersion] = {}
        for version in own_units.defer("content"):
            if version.unit_id is not None:  # always (unit_id__in)
                newest.setdefault(version.unit_id, version)
        for unit in chain:
            if unit in newest:
                return ModelVersion.objects.get(pk=newest[unit].pk)
    own = (ModelVersion.objects.filter(organisation_id=organisation_id, unit__isnull=True)
           .order_by("-version").first())
    if own is not None:
        return own
    return _shared_or_shipped()


def current_model(organisation_id: int) -> ProcessModel:
    """The model the municipality's new cases start on (its own level, not a forvaltning's),
    without reading its YAML once this process has it."""
    versions = ModelVersion.objects.filter(
        Q(organisation_id=organisation_id, unit__isnull=True) | Q(organisation__isnull=True)
    ).order_by(F("organisation_id").desc(nulls_last=True), "-version")
    latest = versions.values_list("pk", "sha256").first()
    if latest is None:
        return model_of(current_version(organisation_id))
    pk, sha = latest
    return _by_sha.get(sha) or models_for([pk])[pk]  # one query once this process has it


def texts_then(states: Iterable[Any], model: ProcessModel) -> dict[int, Any]:
    """For the finished steps of a migrated case: the step as the version it was finished
    under had it (its title, description, checklist), by the case's step number. Empty, and
    no query, for a case that was never migrated (ADR 0032)."""
    states = [s for s in states if getattr(s, "completed_under_id", None) is not None
              and s.status in ("done", "not_relevant")]
    if not states:
        return {}
    models = models_for({s.completed_under_id for s in states})
    then = {}
    for state in states:
        if not model.has_step(state.number):
            continue
        old = models[state.completed_under_id].step_by_key(model.step(state.number).key)
        if old is not None:
            then[state.number] = old
    return then


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


# --- publishing (issue 17, ADRs 0019 and 0032) ------------------------------------------------

REASON_MAX = 2000


@dataclass(frozen=True)
class Published:
    version: ModelVersion
    created: bool  # False: the content is the current version's already; nothing was stored


def organisation_versions(organisation_id: int, unit_id: int | None = None
                          ) -> list[ModelVersion]:
    """The municipality's own published versions (or one forvaltning's), newest first, with
    who published them (two queries at most, whatever the number of versions); not their YAML."""
    return list(ModelVersion.objects.filter(organisation_id=organisation_id, unit_id=unit_id)
                .select_related("published_by").defer("content").order_by("-version"))


def publishing_units(organisation_id: int) -> list[Any]:
    """The units that may have their own model: the municipality's forvaltninger."""
    from anskaf.orgs.choices import UnitKind
    from anskaf.orgs.models import OrgUnit

    return list(OrgUnit.objects.filter(organisation_id=organisation_id,
                                       kind=UnitKind.ADMINISTRATION).order_by("name"))


def publishing_unit(organisation_id: int, unit_id: int | None) -> Any:
    """The forvaltning `unit_id` names in the organisation (None for the municipality level);
    NotFound for anything else (another municipality's unit, an afdeling)."""
    if unit_id is None:
        return None
    unit = next((u for u in publishing_units(organisation_id) if u.pk == unit_id), None)
    if unit is None:
        raise NotFound("Forvaltningen findes ikke.")
    return unit


def _lineage(current: ModelVersion) -> int | None:
    """The shared version a new version published on top of `current` descends from."""
    if current.organisation_id is None:
        return current.pk
    return current.adopted_from_id


def _next_number(organisation_id: int) -> int:
    latest = (ModelVersion.objects.filter(organisation_id=organisation_id)
              .order_by("-version").values_list("version", flat=True).first())
    return (latest or 0) + 1


def _clean_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed({"reason": "Skriv, hvorfor modellen ændres."})
    if len(reason) > REASON_MAX:
        raise ValidationFailed({"reason": f"Begrundelsen må højst være {REASON_MAX} tegn."})
    return reason


def model_publish(*, actor: Any, organisation_id: int, content: str, reason: str,
                  base_version_id: int | None = None, via: str = "web",
                  restored_from: ModelVersion | None = None, unit_id: int | None = None,
                  adopt: ModelVersion | None = None) -> Published:
    """Publish `content` as the newest model version of the municipality, or of one of its
    forvaltninger (`unit_id`): new cases (of that forvaltning) start on it.

    Refuses an invalid model (ModelInvalid, with line numbers), an empty reason
    (ValidationFailed), and, when `base_version_id` names the version the publisher looked at,
    a publish that another one beat to it (Conflict). Content identical to the current
    version stores nothing (Published.created is False). One transaction: the organisation's
    row is locked, so concurrent publishes queue and the later one sees the winner.
    `actor` is the administrator, or None for the command line (`via="cli"`). `adopt` names
    the shared version being taken into use (its lineage then starts there).
    """
    from anskaf.audit import events
    from anskaf.audit.services import audit_append
    from anskaf.orgs.models import Organisation
    from anskaf.orgs.permissions import is_admin

    if actor is not None and (actor.organisation_id != organisation_id
                              or not is_admin(actor)):
        raise PermissionDenied("Kun kommunens administratorer kan udgive en procesmodel.")
    unit = publishing_unit(organisation_id, unit_id)
    reason = _clean_reason(reason)
    content = normalise_content(content)
    model = load_text(content)  # ModelInvalid before anything is locked or stored
    digest = sha256_of(content)
    with transaction.atomic():
        Organisation.objects.select_for_update().only("pk").get(pk=organisation_id)
        current = current_version(organisation_id, unit.pk if unit else None)
        if base_version_id is not None and current.pk != base_version_id:
            raise Conflict(
                f"En anden har udgivet version {current.version} af modellen, mens du arbejdede. "
                "Se ændringerne igen, og udgiv så på ny.")
        if current.sha256 == digest and (adopt is None or _lineage(current) == adopt.pk):
            return Published(current, created=False)
        try:
            with transaction.atomic():
                version = ModelVersion.objects.create(
                    organisation_id=organisation_id, unit=unit, key=model.key, content=content,
                    sha256=digest, version=_next_number(organisation_id), published_by=actor,
                    published_at=timezone.now(), published_via=via, reason=reason,
                    adopted_from_id=adopt.pk if adopt is not None else _lineage(current),
                )
        except IntegrityError:
            raise Conflict("En anden udgav en version af modellen samtidig. Prøv igen.") from None
        after: dict[str, Any] = {"version": version.version, "key": model.key,
                                 "sha256": digest, "reason": reason, "via": via}
        if unit is not None:
            after["unit"] = {"id": unit.pk, "name": unit.name}
        if restored_from is not None:
            after["restored_from"] = {"version": restored_from.version,
                                      "sha256": restored_from.sha256}
        if adopt is not None:
            after["adopted_shared"] = {"version": adopt.version, "sha256": adopt.sha256}
        audit_append(
            organisation_id=organisation_id, actor=actor,
            actor_role="admin" if actor is not None else events.no_person_role(via),
            event_type="model.published", object_id=version.pk,
            before={"version": current.version, "key": current.key, "sha256": current.sha256,
                    "shared": current.organisation_id is None,
                    "unit": current.unit_id},
            after=after,
        )
    return Published(version, created=True)


def model_rollback(*, actor: Any, organisation_id: int, version_id: int, reason: str,
                   base_version_id: int | None = None, via: str = "web",
                   unit_id: int | None = None) -> Published:
    """Publish an earlier version's content again, as a new version (audited like any publish).
    The earlier version is the organisation's own (any level) or a shared one; else NotFound."""
    earlier = ModelVersion.objects.filter(
        Q(organisation_id=organisation_id) | Q(organisation__isnull=True), pk=version_id
    ).first()
    if earlier is None:
        raise NotFound("Versionen findes ikke.")
    return model_publish(actor=actor, organisation_id=organisation_id, content=earlier.content,
                         reason=reason, base_version_id=base_version_id, via=via,
                         restored_from=earlier, unit_id=unit_id)


# --- shared versions (ADR 0032) ----------------------------------------------------------------


def may_publish_shared(actor: Any) -> bool:
    """Who publishes the installation's shared models: the command line (actor None), the
    installation's operators (`User.is_operator`, active, ADR 0030) and a superuser of the
    installation (no municipality)."""
    if actor is None:
        return True
    if getattr(actor, "organisation_id", None) is not None:
        return False
    from anskaf.orgs.permissions import is_operator

    if is_operator(actor):
        return True
    return bool(getattr(actor, "is_superuser", False))


def _pin_unpinned(shared: ModelVersion, actor: Any, via: str) -> list[int]:
    """Before a newer shared version is stored: every municipality that runs the shared
    default (no version of its own) gets a copy of the one it runs, so nothing changes for it
    silently. Audited in each one's chain (`model.pinned`). Returns their ids."""
    from anskaf.audit import events
    from anskaf.audit.services import audit_append
    from anskaf.orgs.models import Organisation

    owning = set(ModelVersion.objects.filter(organisation__isnull=False, unit__isnull=True)
                 .values_list("organisation_id", flat=True))
    pinned = []
    for org_id in Organisation.objects.exclude(pk__in=owning).order_by("pk").values_list(
            "pk", flat=True):
        version = ModelVersion.objects.create(
            organisation_id=org_id, key=shared.key, content=shared.content,
            sha256=shared.sha256, version=_next_number(org_id), published_at=timezone.now(),
            published_via=PINNED, adopted_from=shared,
            reason=f"Fastholdt på den fælles version {shared.version}, som kommunen brugte, "
                   "da en nyere fælles version blev udgivet.",
        )
        audit_append(organisation_id=org_id, actor=actor,
                     actor_role=(events.OPERATOR if actor is not None
                                     else events.no_person_role(via)),
                     event_type="model.pinned", object_id=version.pk, before=None,
                     after={"version": version.version, "sha256": version.sha256,
                            "shared_version": shared.version, "via": via})
        pinned.append(org_id)
    return pinned


def model_publish_shared(*, actor: Any, content: str, reason: str, via: str = "cli"
                         ) -> Published:
    """Publish the installation's shared default (`anskaf model install --shared`, and the
    operator's page and API, ADR 0030; `actor` None for the command line and for an upgrade's
    shipped model). Municipalities running the shared default are pinned to the one they run
    first; each municipality's chain records the new shared version (`model.shared_published`)
    so its admin sees it, with the diff, on the Procesmodel page, and so does the
    installation's own chain (the operator's actions)."""
    from anskaf.audit import events
    from anskaf.audit.services import audit_append
    from anskaf.orgs.installation_chain import installation_organisation
    from anskaf.orgs.models import Organisation

    if not may_publish_shared(actor):
        raise PermissionDenied("Kun installationens driftsansvarlige kan udgive fælles modeller.")
    reason = _clean_reason(reason)
    content = normalise_content(content)
    model = load_text(content)
    digest = sha256_of(content)
    installation_organisation()  # its chain records every publish, as the municipalities' do
    with transaction.atomic():
        # The organisations' rows are the lock every publish takes: all of them, in order.
        org_ids = list(Organisation.objects.select_for_update().order_by("pk")
                       .values_list("pk", flat=True))
        current = shared_latest()
        if current is not None and current.sha256 == digest:
            return Published(current, created=False)
        pinned = set(_pin_unpinned(current, actor, via)) if current is not None else set()
        latest = (ModelVersion.objects.filter(organisation__isnull=True)
                  .order_by("-version").values_list("version", flat=True).first() or 0)
        version = ModelVersion.objects.create(
            organisation=None, key=model.key, content=content, sha256=digest,
            version=latest + 1, published_by=actor, published_at=timezone.now(),
            published_via=via, reason=reason,
        )
        for org_id in org_ids:
            audit_append(organisation_id=org_id, actor=actor,
                         actor_role=(events.OPERATOR if actor is not None
                                     else events.no_person_role(via)),
                         event_type="model.shared_published", object_id=version.pk,
                         before=None if current is None else {"version": current.version,
                                                              "sha256": current.sha256},
                         after={"version": version.version, "key": model.key,
                                "sha256": digest, "reason": reason, "via": via,
                                "pinned": org_id in pinned})
    return Published(version, created=True)


def sync_shipped_model(path: Any = None) -> Published | None:
    """On upgrade (after `migrate`): a shipped model file whose content differs from the last
    shipped version becomes a newer shared version by itself, audited, with the municipalities
    that ran the shared default pinned first. A shared version an operator published later is
    not overwritten by an unchanged shipped file. None when nothing was stored."""
    from pathlib import Path

    source = Path(path) if path is not None else DEFAULT_MODEL_PATH
    content = normalise_content(source.read_text(encoding="utf-8"))
    shipped = (ModelVersion.objects.filter(organisation__isnull=True)
               .filter(Q(published_via=SHIPPED) | Q(published_via__isnull=True))
               .order_by("-version").values_list("sha256", flat=True).first())
    if shipped is None:  # a new installation: the first case stores it (current_version)
        return None
    if shipped == sha256_of(content):
        return None
    result = model_publish_shared(
        actor=None, content=content, via=SHIPPED,
        reason=f"Ny udgave af den model, anskaf leveres med ({source.name}).")
    return result if result.created else None


@dataclass(frozen=True)
class NewerShared:
    adopted: ModelVersion  # the shared version the municipality's model descends from
    newest: ModelVersion
    diff: Any  # process.diff.ModelDiff, adopted -> newest


def newer_shared(current: ModelVersion) -> NewerShared | None:
    """A newer shared version than the one the municipality's current model descends from
    (shown on the Procesmodel page with the diff); None when it runs the newest."""
    from anskaf.process.diff import diff_models

    newest = shared_latest()
    adopted_id = _lineage(current)
    if newest is None or adopted_id is None or newest.pk == adopted_id:
        return None
    adopted = ModelVersion.objects.get(pk=adopted_id)
    if adopted.version >= newest.version or adopted.sha256 == newest.sha256:
        return None
    return NewerShared(adopted, newest, diff_models(model_of(adopted), model_of(newest)))


def model_adopt_shared(*, actor: Any, organisation_id: int, version_id: int, reason: str,
                       base_version_id: int | None = None, via: str = "web",
                       unit_id: int | None = None) -> Published:
    """Take a shared version into use: its content is published as the municipality's (or the
    forvaltning's) newest version, descending from it."""
    shared = ModelVersion.objects.filter(organisation__isnull=True, pk=version_id).first()
    if shared is None:
        raise NotFound("Den fælles version findes ikke.")
    return model_publish(actor=actor, organisation_id=organisation_id, content=shared.content,
                         reason=reason, base_version_id=base_version_id, via=via,
                         restored_from=shared, unit_id=unit_id, adopt=shared)


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


def model_check(*, organisation_id: int, content: str, unit_id: int | None = None
                ) -> ModelCheck:
    """Load the content (every problem with its line), warn about the steps the apps bind to
    that it lacks, and compare it with the version new cases start on now."""
    from anskaf.process.bindings import unbound
    from anskaf.process.diff import diff_models
    from anskaf.process.loader import ModelInvalid

    from .extensions import step_bindings

    content = normalise_content(content)
    current = current_version(organisation_id, unit_id)
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
