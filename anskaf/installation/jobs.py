"""Offboarding a municipality (ADR 0030): its complete export, read back, then the deletion
of its every row and file, then a signed offboard record in the anchor log. The command line
runs it in its own process (`anskaf org offboard`); a page or the API asks the worker for it
(`request_offboarding`), so no web request waits for an export of a whole municipality."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from huey.contrib.djhuey import db_task

from anskaf.audit.anchors import AnchorError, record_offboard
from anskaf.orgs.models import Organisation, User
from anskaf.sealed import ArchiveRefused, BackupError

from . import services
from .errors import OperatorRefused, ValidationFailed
from .export import ExportResult, org_export

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class OffboardResult:
    export: ExportResult
    done: services.Offboarded
    anchor_error: str  # "" when the anchor log has the offboard record


def offboard(org: Organisation, *, reason: str, output: Path, actor: User | None, via: str,
             on_exported: Callable[[ExportResult], None] | None = None) -> OffboardResult:
    """Export, then delete (services.org_offboard checks the counts still match the export),
    then record the municipality's last chain head in the anchor log. Raises BackupError or
    ArchiveRefused (no export, nothing deleted) and the service's refusals (nothing
    deleted)."""
    export = org_export(org, output)
    if on_exported is not None:
        on_exported(export)
    done = services.org_offboard(actor=actor, slug=org.slug, reason=reason,
                                 export_sha256=export.sha256,
                                 export_rows=export.manifest["rows"], export_name=output.name,
                                 via=via)
    try:
        record_offboard(done.organisation_id, done.slug, done.chain_seq, done.chain_hash)
    except AnchorError as exc:
        return OffboardResult(export, done, str(exc))
    return OffboardResult(export, done, "")


def export_path(org: Organisation) -> Path:
    """A new file in the export directory: the short name and the time, never overwritten."""
    folder = Path(settings.ANSKAF_EXPORT_DIR)
    folder.mkdir(mode=0o700, parents=True, exist_ok=True)
    return folder / f"{org.slug}-{timezone.now():%Y%m%dT%H%M%S}.tar"


def request_offboarding(*, actor: User, slug: Any, reason: Any, confirm: Any,
                        via: str) -> Organisation:
    """Mark the municipality (services.org_offboard_request) and, once that is committed, give
    the worker the export and deletion."""
    with transaction.atomic():
        org = services.org_offboard_request(actor=actor, slug=slug, reason=reason,
                                            confirm=confirm, via=via)
        org_id, actor_id = org.pk, actor.pk
        transaction.on_commit(lambda: offboard_municipality(org_id, actor_id, via))
    return org


def _failure(exc: Exception) -> str:
    if isinstance(exc, (BackupError, ArchiveRefused)):
        return f"Eksporten kunne ikke skrives, og intet er slettet: {exc}"
    if isinstance(exc, (OperatorRefused, ValidationFailed)):
        return f"Intet er slettet: {exc.message}"
    return f"Uventet fejl, intet er slettet: {type(exc).__name__}: {exc}"


@db_task(name="anskaf.offboard_municipality")
def offboard_municipality(organisation_id: int, actor_id: int | None, via: str) -> None:
    """The worker's half of a requested offboarding. A request that was cleared (or a
    municipality already gone, e.g. offboarded from the command line) is left alone."""
    org = services.municipalities().filter(pk=organisation_id,
                                           offboarding_requested_at__isnull=False).first()
    if org is None:
        return
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    try:
        result = offboard(org, reason=org.offboarding_reason, output=export_path(org),
                          actor=actor, via=via)
    except Exception as exc:
        services.org_offboard_failed(organisation_id=organisation_id, actor=actor,
                                     message=_failure(exc), via=via)
        if not isinstance(exc, (BackupError, ArchiveRefused, OperatorRefused,
                                ValidationFailed)):
            raise
        return
    if result.anchor_error:
        log.error("offboarded %s, but the anchor log lacks its record: %s", org.slug,
                  result.anchor_error)
