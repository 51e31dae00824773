"""The `anskaf` console script: check, compare, install and export process models, verify and
anchor the audit trail, back up and restore, manage API tokens, load demo data, serve the
application and pass anything else on to Django's commands.

Each subcommand is a small function that returns the process exit code:
0 success, 1 a check failed (invalid model, broken audit chain) or a service refused (its
message field by field), 2 bad input or set-up (unknown organisation or user, missing file,
database not reachable or not configured). A domain error a command does not answer itself
is answered in `_run` (ADR 0037): not found is 2, any other refusal 1.
Only the commands that need the database configure Django; `model check` (alias `model
validate`) and `model diff` work without one.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from anskaf.errors import DomainError, NotFound

if TYPE_CHECKING:
    from anskaf.process.bindings import StepBinding

OK, FAILED, USAGE = 0, 1, 2
SETTINGS_MODULE = "anskaf.settings"
DEFAULT_PORT = 8000


class CommandError(Exception):
    """Bad input or set-up: printed as `error: ...` on stderr, exit code 2."""


def _err(message: str) -> None:
    print(f"error: {message}", file=sys.stderr)


def _setup_django() -> None:
    """Configure Django for a command that needs the database (idempotent)."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    import django
    from django.core.exceptions import ImproperlyConfigured

    try:
        django.setup()
    except ImproperlyConfigured as exc:
        raise CommandError(f"configuration: {exc}") from None


def _env_int(name: str, default: int) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    try:
        value = int(raw)
    except ValueError:
        raise CommandError(f"{name} must be a whole number, not {raw!r}") from None
    if value <= 0:
        raise CommandError(f"{name} must be positive, not {raw!r}")
    return value


# --- model validate ---------------------------------------------------------------------------


class ModelFileInvalid(Exception):
    """A model file that is not UTF-8 or not a valid model: its problems are printed, exit 1."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        super().__init__("; ".join(lines))


def _read_model_file(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise CommandError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise CommandError(f"{path}: is a directory, not a model file") from None
    except UnicodeDecodeError as exc:
        raise ModelFileInvalid([f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})"]
                               ) from None
    except OSError as exc:
        raise CommandError(f"{path}: cannot read ({exc.strerror})") from None


def _problem_lines(path: Path, exc: Any) -> list[str]:
    """`FILE:LINE: message` for each problem of a ModelInvalid."""
    return [f"{path}:{p.line}: {p.message}" if p.line else f"{path}: {p.message}"
            for p in exc.problems]


def _load_model_file(path: Path) -> tuple[str, Any]:
    """The file's content and its model; ModelFileInvalid with every problem's line."""
    from anskaf.process.loader import ModelInvalid, load_text

    content = _read_model_file(path)
    try:
        return content, load_text(content)
    except ModelInvalid as exc:
        count = len(exc.problems)
        raise ModelFileInvalid([*_problem_lines(path, exc),
                                f"{path}: invalid ({count} problem{'s' if count != 1 else ''})"]
                               ) from None


def cmd_model_validate(args: argparse.Namespace) -> int:
    """`model check FILE` (alias `model validate`): problems on stdout, the verdict on stderr."""
    from anskaf.process.bindings import unbound
    from anskaf.process.loader import sha256_of

    path = Path(args.file)
    try:
        content, model = _load_model_file(path)
    except ModelFileInvalid as exc:
        for line in exc.lines[:-1]:
            print(line)
        print(exc.lines[-1], file=sys.stderr)
        return FAILED
    gates = ", ".join(str(g.number) for g in model.gates) or "none"
    print(
        f"OK: {path}: model '{model.key}', {len(model.steps)} steps, "
        f"{len(model.phases)} phases, gates {gates}"
    )
    print(f"sha256 {sha256_of(content)}")
    for warning in unbound(model, _extension_bindings()):
        print(warning)
    return OK


def cmd_model_diff(args: argparse.Namespace) -> int:
    """`model diff OLD NEW`: what changed, per step, in words (matched by step key)."""
    from anskaf.process.diff import diff_models

    old_path, new_path = Path(args.old), Path(args.new)
    try:
        _, old = _load_model_file(old_path)
        _, new = _load_model_file(new_path)
    except ModelFileInvalid as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return FAILED
    for line in diff_models(old, new).lines():
        print(line)
    return OK


def _organisation_named(slug: str) -> Any:
    from anskaf.orgs.models import Organisation

    org = Organisation.objects.filter(slug=slug).first()
    if org is None:
        known = ", ".join(Organisation.objects.order_by("slug").values_list("slug", flat=True))
        raise CommandError(f"no organisation with slug {slug!r}"
                           + (f" (known: {known})" if known else " (there are none)"))
    return org


def _unit_named(org: Any, slug: str | None) -> Any:
    """A forvaltning of the organisation by its slug (its name, slugified: "Social- og
    Sundhedsforvaltningen" is social-og-sundhedsforvaltningen) or its id; None without one."""
    if slug is None:
        return None
    from django.utils.text import slugify

    from anskaf.cases.process_models import publishing_units

    units = publishing_units(org.pk)
    found = [u for u in units if slugify(u.name) == slug or str(u.pk) == slug]
    if len(found) != 1:
        known = ", ".join(slugify(u.name) for u in units)
        what = "no forvaltning" if not found else "more than one forvaltning"
        raise CommandError(f"{what} of {org.slug} is called {slug!r}"
                           + (f" (known: {known})" if known else " (it has none)"))
    return found[0]


def cmd_model_install(args: argparse.Namespace) -> int:
    """`model install FILE (--organisation SLUG [--unit SLUG] | --shared) --reason TEXT`:
    publish through the same services as the Procesmodel page; audited in the organisation's
    chain (every organisation's for a shared version) with the CLI as the actor."""
    path = Path(args.file)
    if not args.reason.strip():
        raise CommandError("--reason must say why the model changes")
    if args.unit and not args.organisation:
        raise CommandError("--unit needs --organisation")
    _setup_django()
    from anskaf.cases.errors import MoveRefused, ValidationFailed
    from anskaf.cases.process_models import model_publish, model_publish_shared
    from anskaf.process.loader import ModelInvalid

    org = None if args.shared else _organisation_named(args.organisation)
    unit = _unit_named(org, args.unit) if org is not None else None
    try:
        content = _read_model_file(path)
        if org is None:
            result = model_publish_shared(actor=None, content=content, reason=args.reason,
                                          via="cli")
        else:
            result = model_publish(actor=None, organisation_id=org.pk, content=content,
                                   reason=args.reason, via="cli",
                                   unit_id=unit.pk if unit is not None else None)
    except ModelFileInvalid as exc:
        for line in exc.lines:
            print(line, file=sys.stderr)
        return FAILED
    except ModelInvalid as exc:
        for line in _problem_lines(path, exc):
            print(line, file=sys.stderr)
        print(f"{path}: invalid; nothing installed", file=sys.stderr)
        return FAILED
    except ValidationFailed as exc:
        raise CommandError(exc.message) from None
    except MoveRefused as exc:
        print(f"{path}: refused: {exc.message}", file=sys.stderr)
        return FAILED
    version = result.version
    whose = ("the shared default" if org is None
             else f"{org.slug}/{_slug(unit.name)}" if unit is not None else org.slug)
    if not result.created:
        print(f"{path}: unchanged: {whose} already runs this content "
              f"(version {version.version}, sha256 {version.sha256}); nothing installed.")
        return OK
    print(f"Installed {path} as version {version.version} of {whose}'s model "
          f"'{version.key}' (sha256 {version.sha256}). New cases start on it.")
    if org is None:
        print("Municipalities that ran the shared default keep the version they ran; "
              "their administrators see the newer one on the Procesmodel page.")
    return OK


def _slug(name: str) -> str:
    from django.utils.text import slugify

    return slugify(name)


# The export formats: the model's YAML; helper writers (e.g. BPMN) register here by name.
def _bpmn_of(version: Any) -> str:
    """The version as BPMN 2.0 XML (ADR 0033)."""
    from anskaf.cases.process_models import model_of
    from anskaf.process.bpmn import to_bpmn

    return to_bpmn(model_of(version)).decode("utf-8")


EXPORT_FORMATS: dict[str, Callable[[Any], str]] = {"yaml": lambda version: version.content,
                                                   "bpmn": _bpmn_of}


def cmd_model_export(args: argparse.Namespace) -> int:
    """`model export --organisation SLUG [--unit SLUG] [--format yaml] [-o FILE]`: the model
    new cases (of that forvaltning) start on."""
    _setup_django()
    from anskaf.cases.process_models import current_version

    org = _organisation_named(args.organisation)
    unit = _unit_named(org, args.unit)
    version = current_version(org.pk, unit.pk if unit is not None else None)
    text = EXPORT_FORMATS[args.format](version)
    if args.output:
        try:
            Path(args.output).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CommandError(f"{args.output}: cannot write ({exc.strerror})") from None
        where = ("shared default" if version.organisation_id is None
                 else "forvaltning's own" if version.unit_id is not None else "own")
        print(f"Wrote {org.slug}'s model ({where} version {version.version}, "
              f"sha256 {version.sha256}) to {args.output}.", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return OK


def cmd_model_migrate(args: argparse.Namespace) -> int:
    """`model migrate --organisation SLUG [--dry-run] [--case ID ...]`: move the open cases to
    the version new cases of their unit start on; one transaction per case. Exit 1 when a
    case is refused (the others are moved), 0 when all could move (or there was nothing)."""
    _setup_django()
    from anskaf.cases.model_migration import cases_migrate, migration_plan

    org = _organisation_named(args.organisation)
    ids = None
    if args.case:
        ids = [_case_id(org, value) for value in args.case]
    # A case the organisation does not have (NotFound) is a wrong argument: exit 2 (_run).
    if args.dry_run:
        plans = migration_plan(actor=None, organisation_id=org.pk, case_ids=ids)
        refused = [p for p in plans if not p.ok]
        for plan in plans:
            _print_plan(plan, "would move" if plan.ok else "REFUSED")
        print(f"Dry run: {len(plans) - len(refused)} case(s) would move, "
              f"{len(refused)} refused; nothing changed.", file=sys.stderr)
        return FAILED if refused else OK
    result = cases_migrate(actor=None, organisation_id=org.pk, case_ids=ids, via="cli")
    for plan in result.migrated:
        _print_plan(plan, "moved")
    for plan in result.refused:
        _print_plan(plan, "REFUSED")
    print(f"{len(result.migrated)} case(s) moved, {len(result.refused)} refused.",
          file=sys.stderr)
    return FAILED if result.refused else OK


def _case_id(org: Any, value: str) -> int:
    """A case by its id or its number (e.g. 2026-0007) in the organisation."""
    from anskaf.cases.models import Case

    case = Case.objects.filter(organisation=org, number=value).values_list("pk", flat=True)
    if case:
        return case[0]
    if value.isdigit():
        return int(value)
    raise CommandError(f"no case {value!r} in {org.slug}")


def _print_plan(plan: Any, verdict: str) -> None:
    print(f"{plan.case_number} {plan.case_title}: {verdict} "
          f"(version {plan.from_version.version} {plan.from_version.sha256[:12]} -> "
          f"{plan.to_version.version} {plan.to_version.sha256[:12]})")
    for line in plan.summary():
        print(f"  - {line}")
    for reason in plan.refusals:
        print(f"  ! {reason}")


def _extension_bindings() -> list[StepBinding]:
    """The steps the apps bind to (pure modules: no database or Django set-up needed)."""
    from anskaf.meetings.steps import BINDINGS as MEETINGS
    from anskaf.portfolio.steps import BINDINGS as PORTFOLIO

    return [*MEETINGS, *PORTFOLIO]


# --- audit verify -----------------------------------------------------------------------------


def _organisations(slug: str | None) -> list[tuple[int, str]]:
    from anskaf.orgs.models import Organisation

    if slug:
        return [(_organisation_named(slug).pk, slug)]
    return list(Organisation.objects.order_by("slug").values_list("pk", "slug"))


def cmd_audit_verify(args: argparse.Namespace) -> int:
    """Every chain on its own and against the anchor log; names the organisation and seq."""
    _setup_django()
    from anskaf.audit.anchors import AnchorError, verify

    organisations = _organisations(args.organisation)
    try:
        result = verify(organisations, all_organisations=not args.organisation)
    except AnchorError as exc:
        raise CommandError(str(exc)) from None
    return _print_verification(result)


def _print_verification(result: Any) -> int:
    for problem in result.log.problems:
        print(f"anchor log: BROKEN: {problem}")
    for verdict in result.verdicts:
        if verdict.ok:
            anchored = (f"; anchored up to seq {verdict.anchored_seq} at {verdict.anchored_at}"
                        if verdict.anchored_seq else "; not anchored yet")
            print(f"{verdict.slug}: OK ({verdict.events} events){anchored}")
        else:
            event = f"event id {verdict.broken_id}" if verdict.broken_id else "chain head"
            print(f"{verdict.slug}: BROKEN at seq {verdict.broken_seq} ({event}): "
                  f"{verdict.reason}")
        for note in verdict.notes:
            print(f"{verdict.slug}: {note}")
    for missing in result.missing:
        print(f"BROKEN: {missing}")
    if not result.verdicts:
        print("No organisations: nothing to verify.")
    if not result.log.exists and not result.log.problems:
        print("No anchor log yet (run `anskaf audit anchor`): the chains were checked only "
              "against themselves.")
    if result.ok:
        return OK
    broken = sum(not v.ok for v in result.verdicts) + len(result.missing)
    what = [f"{broken} of {len(result.verdicts)} audit chain(s) BROKEN"] if broken else []
    if result.log.problems:
        what.append(f"the anchor log has {len(result.log.problems)} problem(s)")
    print("; ".join(what), file=sys.stderr)
    return FAILED


def cmd_audit_anchor(args: argparse.Namespace) -> int:
    """Sign each organisation's chain head into the anchor log (the worker does it too)."""
    _setup_django()
    from django.conf import settings

    from anskaf.audit.anchors import AnchorError, anchor

    try:
        run = anchor()
    except AnchorError as exc:
        print(f"error: not anchored: {exc}", file=sys.stderr)
        return FAILED
    for record in run.anchored:
        print(f"{record['org']}: anchored seq {record['seq']} ({record['hash'][:16]}...)")
    for _org_id, slug, reason in run.refused:
        print(f"{slug}: NOT anchored: {reason}")
    print(f"{len(run.anchored)} anchored, {run.unchanged} unchanged since their last anchor, "
          f"{len(run.refused)} refused; log {settings.ANSKAF_ANCHOR_LOG}", file=sys.stderr)
    return FAILED if run.refused else OK


def cmd_audit_rotate_key(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from anskaf.audit.anchors import AnchorError, rotate_key

    try:
        old, new = rotate_key()
    except AnchorError as exc:
        print(f"error: key not rotated: {exc}", file=sys.stderr)
        return FAILED
    print(f"New anchor signing key {new} in {settings.ANSKAF_KEY_DIR}"
          + (f"; key {old} retired (its public key is kept for verification)." if old else "."))
    return OK


# --- the installation's operator: operator add, org create/list/suspend/resume (ADR 0030) -------


def _refusal(exc: DomainError) -> int:
    """A service's refusal on stderr, one line per field: exit 1."""
    for field, message in (exc.errors or {"": exc.message}).items():
        _err(f"{field}: {message}" if field else message)
    return FAILED


def _domain_error(exc: DomainError) -> int:
    """Every command's answer to a domain error it does not answer itself (ADR 0037): what
    is not there is a wrong argument (exit 2, as a CommandError), a refusal is printed field
    by field (exit 1)."""
    if isinstance(exc, NotFound):
        _err(exc.message)
        return USAGE
    return _refusal(exc)


def cmd_operator_add(args: argparse.Namespace) -> int:
    """`operator add USERNAME`: a new operator account (or an account of no municipality
    promoted); prints the link to choose a password."""
    _setup_django()
    from anskaf.installation import services
    from anskaf.notifications.services import absolute

    person, created = services.operator_add(actor=None, username=args.username,
                                            email=args.email or "",
                                            full_name=args.name or "", via="cli")
    if not created:
        print(f"{person.username} is now an operator of the installation.")
        return OK
    print(f"Operator {person.username} created. Choose the password here (the link works "
          f"once{', and was also sent to ' + person.email if person.email else ''}):")
    print(absolute(services.invitation_path(person)))
    return OK


def cmd_org_create(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.installation import services
    from anskaf.installation.inputs import org_values

    # the arguments argparse parsed, held to the field rules where they enter (ADR 0040)
    values = org_values({"name": args.name, "slug": args.slug, "cvr": args.cvr,
                         "units": args.unit or [], "admin_name": args.admin_name,
                         "admin_email": args.admin_email})
    org, admin = services.org_create(actor=None, data=values, via="cli")
    units = org.units.count()
    print(f"Created {org.name} ({org.slug}, CVR {org.cvr}) with {units} forvaltning"
          f"{'er' if units != 1 else ''}; invitation to its admin {admin.username} queued for "
          f"{admin.email}.")
    return OK


def cmd_org_list(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.installation.selectors import municipality_rows
    from anskaf.orgs.models import User

    rows = municipality_rows(viewer=User(is_operator=True, is_active=True))
    if not rows:
        print("No municipalities yet (anskaf org create).")
        return OK
    print(f"{'SLUG':<20} {'CVR':<8}  {'STATUS':<9} {'USERS':>5} {'CASES':>5}  LAST ACTIVITY  NAME")
    for row in rows:
        org = row.organisation
        last = f"{row.last_activity:%Y-%m-%d %H:%M}" if row.last_activity else "-"
        status = "suspended" if row.suspended else "active"
        print(f"{org.slug:<20} {org.cvr or '-':<8}  {status:<9} {row.users:>5} {row.cases:>5}  "
              f"{last:<16} {org.name}")
    return OK


def cmd_org_suspend(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.installation import services

    org = services.org_suspend(actor=None, slug=args.slug, reason=args.reason, via="cli")
    print(f"{org.name} is suspended: its users cannot log in, their sessions have ended, its "
          "reminders, digests and KITOS jobs are skipped. Nothing was deleted "
          f"(anskaf org resume {org.slug}).")
    return OK


def cmd_org_resume(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.installation import services

    org = services.org_resume(actor=None, slug=args.slug, via="cli")
    print(f"{org.name} is open again: its users can log in.")
    return OK


def cmd_org_offboard(args: argparse.Namespace) -> int:
    """`org offboard SLUG --reason TEXT -o FILE`: a suspended municipality's complete export,
    read back, then the deletion of its every row and file (audited), then a signed offboard
    record in the anchor log (installation/jobs.py, which the pages' worker task runs too)."""
    if not args.reason.strip():
        raise CommandError("--reason must say why the municipality leaves")
    _setup_django()
    from anskaf.installation import jobs, services
    from anskaf.sealed import ArchiveRefused, BackupError

    org = services.municipalities().filter(slug=args.slug).first()
    if org is None:
        raise CommandError(f"no municipality with slug {args.slug!r} (anskaf org list)")
    if org.suspended_at is None:
        _err(f"suspend {org.slug} first (anskaf org suspend {org.slug} --reason ...): nobody "
             "may work in it while it is exported and deleted; nothing done")
        return FAILED

    def exported(export: Any) -> None:
        rows = sum(export.manifest["rows"].values())
        print(f"Exported {org.name}: {rows} rows, {len(export.manifest['parts'])} parts, to "
              f"{export.path} (sha256 {export.sha256}).")

    try:
        result = jobs.offboard(org, reason=args.reason, output=Path(args.output), actor=None,
                               via="cli", on_exported=exported)
    except BackupError as exc:
        raise CommandError(f"no export written, nothing deleted: {exc}") from None
    except ArchiveRefused as exc:
        _err(f"{exc}; nothing deleted")
        return FAILED
    done = result.done
    print(f"Deleted {done.name} ({done.slug}): {sum(done.rows.values())} rows and "
          f"{done.files} stored file(s); its audit chain ended at seq {done.chain_seq}. "
          "Recorded in the installation's audit chain.")
    if result.anchor_error:
        _err(f"deleted, but the offboard record was not written to the anchor log: "
             f"{result.anchor_error}; `anskaf audit verify` will name the municipality as "
             "missing")
        return FAILED
    return OK


# --- keys rotate-secrets ---------------------------------------------------------------------


def cmd_keys_rotate_secrets(args: argparse.Namespace) -> int:
    """A new key for the secrets stored in the database (the municipalities' SSO client
    secrets and KITOS passwords); every one re-encrypted with it, then the old key deleted."""
    _setup_django()
    from django.conf import settings

    from anskaf.audit.keys import KeyDirError
    from anskaf.audit.secretbox import SecretUnreadable
    from anskaf.orgs.tenancy import rotate_secrets

    try:
        old, new, count = rotate_secrets()
    except KeyDirError as exc:
        print(f"error: secrets key not rotated: {exc}", file=sys.stderr)
        return USAGE
    except SecretUnreadable as exc:
        print(f"error: secrets key not rotated: {exc}", file=sys.stderr)
        return FAILED
    print(f"New secrets key {new} in {settings.ANSKAF_KEY_DIR}; {count} stored secret(s) "
          "re-encrypted" + (f"; key {old} deleted." if old else "."))
    return OK


# --- backup / restore -------------------------------------------------------------------------


def cmd_backup(args: argparse.Namespace) -> int:
    """`backup -o FILE`: the database, the stored documents and a manifest in one tar."""
    _setup_django()
    from anskaf.backup import BackupError, backup

    try:
        result = backup(Path(args.output))
    except BackupError as exc:
        raise CommandError(f"no backup written: {exc}") from None
    manifest = result.manifest
    database = manifest["database"]
    heads = [h for h in manifest["chain_heads"] if h["seq"]]
    print(f"Backup written to {result.path}: {database['vendor']} database "
          f"({database['size']} bytes), {len(manifest['documents'])} document(s), audit chain "
          f"heads of {len(heads)} organisation(s). The key directory is not in it: keep it "
          "apart (docs/drift.md).")
    print(f"sha256 {result.sha256}")
    return OK


def cmd_restore(args: argparse.Namespace) -> int:
    """`restore FILE [--force]`: every check first, then restore, record and verify."""
    _setup_django()
    from anskaf.audit.anchors import AnchorError, verify
    from anskaf.backup import ArchiveRefused, BackupError, RestoreIncomplete, restore

    try:
        result = restore(Path(args.file), force=args.force)
    except ArchiveRefused as exc:
        print(f"error: {args.file} refused, nothing restored: {exc}", file=sys.stderr)
        return FAILED
    except BackupError as exc:
        raise CommandError(f"nothing restored: {exc}") from None
    except RestoreIncomplete as exc:
        print(f"error: the restore ran, but {exc}; check the database before using it",
              file=sys.stderr)
        return FAILED
    except AnchorError as exc:
        print(f"error: restored, but the restore record was not written: {exc}",
              file=sys.stderr)
        return FAILED
    manifest = result.manifest
    print(f"Restored the backup of {manifest['created_at']} (anskaf "
          f"{manifest['anskaf_version']}): {manifest['database']['vendor']} database, "
          f"{result.documents} document(s). Restore record written to the anchor log.")
    print("Verifying the audit trail:")
    return _print_verification(verify(_organisations(None)))


# --- token create / list / revoke -------------------------------------------------------------


def cmd_token_create(args: argparse.Namespace) -> int:
    _setup_django()
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=args.user).first()
    if user is None:
        raise CommandError(f"no user with username {args.user!r}")
    if not user.is_active:
        raise CommandError(f"user {args.user!r} is deactivated; activate it first")
    name = args.name.strip()
    if not name:
        raise CommandError("--name must not be empty")
    try:
        from anskaf.api.services import token_create
    except ImportError:
        raise CommandError("this version of anskaf cannot create API tokens yet") from None
    from anskaf.validation.text import TextRefused

    try:
        token = token_create(user=user, name=name)
    except TextRefused as exc:
        raise CommandError(f"--name: {exc.message}") from None
    print(
        f"API token {name!r} for {user.username}. It is shown only once; store it now.",
        file=sys.stderr,
    )
    print("Use it as the header  Authorization: Bearer <token>", file=sys.stderr)
    print(token)
    return OK


def _user_named(username: str) -> Any:
    from django.contrib.auth import get_user_model

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        raise CommandError(f"no user with username {username!r}")
    return user


def _when(value: Any) -> str:
    from django.utils import timezone

    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else "never"


def cmd_token_list(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.api.services import token_list

    user = _user_named(args.user) if args.user else None
    tokens = token_list(user=user)
    if not tokens:
        print(f"{args.user} has no API tokens." if user else "No API tokens.")
        return OK
    rows = [("ID", "USER", "NAME", "CREATED", "LAST USED")] + [
        (str(t.pk), t.user.username, t.name, _when(t.created_at), _when(t.last_used_at))
        for t in tokens
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        print("  ".join([*(cell.ljust(w) for cell, w in zip(row, widths, strict=False)), row[-1]]))
    return OK


def cmd_token_revoke(args: argparse.Namespace) -> int:
    _setup_django()
    from anskaf.api.models import ApiToken
    from anskaf.api.services import token_revoke

    if bool(args.ids) == bool(args.user):
        raise CommandError("give the token id(s) to revoke (see `anskaf token list`) "
                           "or --user USERNAME to revoke all of a user's tokens, not both")
    user = _user_named(args.user) if args.user else None
    try:
        revoked = token_revoke(token_ids=args.ids, user=user)
    except ApiToken.DoesNotExist as exc:
        raise CommandError(f"no API token with id {exc} (see `anskaf token list`); "
                           "nothing revoked") from None
    if not revoked:
        print(f"{args.user} has no API tokens; nothing to revoke.")
    for token in revoked:
        print(f"Revoked API token {token.pk} ({token.name!r}) of {token.user.username}.")
    return OK


# --- demo -------------------------------------------------------------------------------------


def _print_demo_logins() -> None:
    from anskaf import demo

    print("Demo logins (password for all: demo):")
    for username, role, full_name in demo.LOGINS:
        print(f"  {username:<12} {role:<28} {full_name}")


def cmd_demo(args: argparse.Namespace) -> int:
    _setup_django()
    from django.conf import settings

    from anskaf import demo

    result = demo.load()
    if result.created:
        print(
            f"Demo data loaded: {result.organisation} with {result.users} users and "
            f"{result.cases} cases."
        )
    else:
        print(f"Demo data already loaded ({result.organisation} exists); nothing to do.")
    _print_demo_logins()
    if not settings.DEMO_MODE:
        print("Note: demo logins work only with demo mode on (ANSKAF_DEMO=1).")
    return OK


# --- serve ------------------------------------------------------------------------------------


def cmd_serve(args: argparse.Namespace) -> int:
    port = args.port if args.port is not None else _env_int("PORT", DEFAULT_PORT)
    workers = args.workers if args.workers is not None else _env_int("WEB_CONCURRENCY", 2)
    threads = args.threads if args.threads is not None else _env_int("WEB_THREADS", 4)
    if not 0 < port < 65536:
        raise CommandError(f"port must be between 1 and 65535, not {port}")
    _use_metrics_dir(clean=True)
    _setup_django()
    from django.conf import settings

    from anskaf import demo

    if not args.no_migrate:
        _migrate_quietly()
    _collectstatic_locked(Path(settings.STATIC_ROOT))
    if settings.DEMO_MODE:
        if demo.is_loaded():
            print("Demo data already loaded.")
        else:
            result = demo.load()
            print(
                f"Demo data loaded: {result.organisation}, {result.users} users, "
                f"{result.cases} cases."
            )
        _print_demo_logins()
    if args.worker:
        _start_worker_beside()
    address = f"http://{args.host}:{port}"
    print(f"anskaf serves on {address}  (Ctrl+C stops it)", flush=True)
    argv = [
        sys.executable,
        "-m",
        "gunicorn",
        "anskaf.wsgi:application",
        "--config",
        "python:anskaf.gunicorn_conf",
        "--log-level",
        "warning",
        "--bind",
        f"{args.host}:{port}",
        "--workers",
        str(workers),
        "--threads",
        str(threads),
        "--worker-class",
        "anskaf.gunicorn_conf.ThreadWorker",  # gthread, with a quick stop that cannot hang
        "--timeout",
        "60",
        "--graceful-timeout",
        "30",
        "--max-requests",
        "2000",
        "--max-requests-jitter",
        "200",
        "--access-logfile",
        "-",
        "--error-logfile",
        "-",
        "--forwarded-allow-ips",
        os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1"),
    ]
    if _gunicorn_has_setting("control_socket_disable"):
        # gunicorn >= 24 opens a control socket at one fixed path per user by default; two
        # instances on one machine would fight over it, and serve needs none.
        argv.append("--no-control-socket")
    sys.stdout.flush()
    sys.stderr.flush()
    os.execv(sys.executable, argv)
    return OK  # pragma: no cover - execv does not return


def _use_metrics_dir(*, clean: bool) -> None:
    """gunicorn's processes and the worker beside them count into one directory, which /metrics
    adds up; set before Django (and so prometheus_client) is loaded. `serve` clears what an
    earlier run left (ADR 0025)."""
    if "prometheus_client" in sys.modules:
        return  # too late to take effect (the library chose its storage on import): the tests
    from anskaf.observability.multiproc import use_multiprocess_dir

    var_dir = os.environ.get("ANSKAF_VAR_DIR") or str(Path(__file__).resolve().parent.parent / "var")
    use_multiprocess_dir(Path(var_dir), clean=clean)


def _migrate_quietly() -> None:
    """Migrate (under the migration lock, see the migrate command) and say what it did in one
    line instead of one line per migration."""
    from django.core.management import call_command
    from django.db import connection
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connection)
    pending = len(executor.migration_plan(executor.loader.graph.leaf_nodes()))
    call_command("migrate", interactive=False, verbosity=0)
    if pending:
        print(f"Database migrated ({pending} migration{'s' if pending != 1 else ''} applied).")


def _collectstatic_locked(static_root: Path) -> None:
    """collectstatic under an exclusive lock, and only when the static sources changed.

    Two app servers on one machine (anskaf-web@8000 and @8001) share var/static: two
    collectstatic at once rewrite each other's manifest. Hashing and compressing every file
    takes most of a start-up (45 s on a busy machine), so a restart with the same sources,
    and the second server of a pair, skip it (the stamp holds the sources' fingerprint)."""
    import fcntl

    from django.core.management import call_command

    stamp = static_root / ".anskaf-collected"
    with open(static_root.with_name(f"{static_root.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        fingerprint = _static_fingerprint()
        if stamp.is_file() and stamp.read_text() == fingerprint:
            return
        call_command("collectstatic", interactive=False, verbosity=0)
        stamp.write_text(fingerprint)


def _static_fingerprint() -> str:
    """The storage and every static source file's path, size and modification time."""
    import hashlib

    from django.conf import settings
    from django.contrib.staticfiles.finders import get_finders

    entries = {f"storage {settings.STORAGES['staticfiles']['BACKEND']}"}
    for finder in get_finders():
        for path, storage in finder.list([]):
            stat = os.stat(storage.path(path))
            entries.add(f"{path}\0{stat.st_size}\0{stat.st_mtime_ns}")
    return hashlib.sha256("\n".join(sorted(entries)).encode()).hexdigest()


def _start_worker_beside() -> None:
    """`serve --worker`: a worker subprocess (with the scheduler) beside gunicorn.

    gunicorn replaces this process (execv) and so becomes the worker's parent. Ctrl+C reaches
    both (one process group); if gunicorn stops otherwise, the worker notices its parent is
    gone and stops too (--exit-with-parent)."""
    import subprocess

    subprocess.Popen([sys.executable, "-m", "anskaf.cli", "worker", "--exit-with-parent"])
    print("anskaf worker started beside the web server.", flush=True)


def _gunicorn_has_setting(name: str) -> bool:
    try:
        from gunicorn import config
    except ImportError:
        raise CommandError("gunicorn is not installed; reinstall anskaf") from None
    return any(setting.name == name for setting in config.KNOWN_SETTINGS)


# --- worker ---------------------------------------------------------------------------------


def cmd_worker(args: argparse.Namespace) -> int:
    """Run a huey consumer: delivers e-mails and, unless --no-periodic, schedules the periodic
    jobs. Run exactly one worker with the scheduler; any extra ones with --no-periodic."""
    threads = args.threads if args.threads is not None else _env_int("ANSKAF_WORKER_THREADS", 2)
    _use_metrics_dir(clean=False)
    _setup_django()
    from django.conf import settings
    from huey.contrib.djhuey import HUEY

    if HUEY.immediate:
        raise CommandError("the task queue is in immediate mode (ANSKAF_HUEY_IMMEDIATE or "
                           "ANSKAF_TESTING is on): a worker has nothing to do")
    if args.exit_with_parent:
        _exit_with_parent()
    where = (f"Redis ({_redacted(settings.REDIS_URL)})" if settings.REDIS_URL
             else f"SQLite ({settings.HUEY['filename']})")
    periodic = not args.no_periodic
    print(f"anskaf worker: queue {HUEY.name!r} in {where}, {threads} thread(s), periodic jobs "
          f"{'scheduled here' if periodic else 'off (another worker schedules them)'}",
          flush=True)
    consumer = HUEY.create_consumer(workers=threads, worker_type="thread", periodic=periodic,
                                    check_worker_health=True)
    from anskaf.notifications.tasks import heartbeat

    heartbeat()  # queued: the first task this worker (or another) runs; /readyz is green at once
    consumer.run()
    return OK


def _redacted(url: str) -> str:
    from urllib.parse import urlsplit

    parts = urlsplit(url)
    if parts.password:
        return url.replace(f":{parts.password}@", ":***@")
    return url


def _exit_with_parent() -> None:
    """Stop gracefully (as on Ctrl+C) once the process that started us is gone."""
    import signal
    import threading
    import time

    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os.kill(os.getpid(), signal.SIGINT)

    threading.Thread(target=watch, name="parent-watch", daemon=True).start()


# --- manage -----------------------------------------------------------------------------------


def cmd_manage(rest: Sequence[str]) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", SETTINGS_MODULE)
    from django.conf import settings
    from django.core.management import execute_from_command_line

    settings.INSTALLED_APPS  # noqa: B018 - load the settings here, to report a bad one cleanly
    execute_from_command_line(["anskaf manage", *rest])
    return OK


# --- the parser -------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="anskaf",
        description="anskaf: shared cases for municipal IT acquisitions (21-step model).",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True

    model = sub.add_parser("model", help="work with process model files")
    model_sub = model.add_subparsers(dest="action", metavar="ACTION")
    model_sub.required = True
    validate = model_sub.add_parser(
        "check", aliases=["validate"],
        help="check a process model YAML file; names the line of every problem",
    )
    validate.add_argument("file", metavar="FILE")
    validate.set_defaults(func=cmd_model_validate)
    diff = model_sub.add_parser(
        "diff", help="what changed between two model files, per step, in words"
    )
    diff.add_argument("old", metavar="OLD")
    diff.add_argument("new", metavar="NEW")
    diff.set_defaults(func=cmd_model_diff)
    install = model_sub.add_parser(
        "install", help="publish a model file as an organisation's newest version (audited)"
    )
    install.add_argument("file", metavar="FILE")
    whose = install.add_mutually_exclusive_group(required=True)
    whose.add_argument("--organisation", "--organization", metavar="SLUG")
    whose.add_argument("--shared", action="store_true",
                       help="publish the installation's shared default (municipalities that "
                            "ran the previous one keep it until they adopt this one)")
    install.add_argument("--unit", metavar="SLUG",
                         help="a forvaltning's own model (its name as a slug, or its id)")
    install.add_argument("--reason", required=True, metavar="TEXT",
                         help="why the model changes (kept with the version and audited)")
    install.set_defaults(func=cmd_model_install)
    export = model_sub.add_parser(
        "export", help="write the model an organisation's (or forvaltning's) new cases start on"
    )
    export.add_argument("--organisation", "--organization", required=True, metavar="SLUG")
    export.add_argument("--unit", metavar="SLUG", help="a forvaltning (name as slug, or id)")
    export.add_argument("--format", choices=sorted(EXPORT_FORMATS), default="yaml",
                        help="the file format (default: yaml)")
    export.add_argument("-o", "--output", metavar="FILE", help="write here (default: stdout)")
    export.set_defaults(func=cmd_model_export)
    migrate = model_sub.add_parser(
        "migrate", help="move open cases to the version new cases start on (audited)"
    )
    migrate.add_argument("--organisation", "--organization", required=True, metavar="SLUG")
    migrate.add_argument("--dry-run", action="store_true",
                         help="only list per case what would map, be new or be refused")
    migrate.add_argument("--case", nargs="+", metavar="ID",
                         help="only these cases (id or case number)")
    migrate.set_defaults(func=cmd_model_migrate)

    audit = sub.add_parser("audit", help="the audit trail")
    audit_sub = audit.add_subparsers(dest="action", metavar="ACTION")
    audit_sub.required = True
    verify = audit_sub.add_parser(
        "verify", help="verify the hash chains and the anchors; names the first broken event"
    )
    verify.add_argument(
        "--organisation",
        "--organization",
        metavar="SLUG",
        help="verify only this organisation (default: all)",
    )
    verify.set_defaults(func=cmd_audit_verify)
    anchor = audit_sub.add_parser(
        "anchor", help="sign each organisation's chain head into the anchor log"
    )
    anchor.set_defaults(func=cmd_audit_anchor)
    rotate = audit_sub.add_parser(
        "rotate-key", help="make a new anchor signing key; old public keys are kept"
    )
    rotate.set_defaults(func=cmd_audit_rotate_key)

    keys = sub.add_parser("keys", help="the keys in the key directory (ANSKAF_KEY_DIR)")
    keys_sub = keys.add_subparsers(dest="action", metavar="ACTION")
    keys_sub.required = True
    rotate_secrets = keys_sub.add_parser(
        "rotate-secrets", help="a new key for the secrets stored encrypted in the database "
                               "(SSO client secrets, KITOS passwords); re-encrypts them all")
    rotate_secrets.set_defaults(func=cmd_keys_rotate_secrets)

    backup = sub.add_parser(
        "backup", help="write one archive: the database, the documents and a manifest"
    )
    backup.add_argument("-o", "--output", required=True, metavar="FILE",
                        help="the archive to write (a tar; must not exist yet)")
    backup.set_defaults(func=cmd_backup)
    restore = sub.add_parser(
        "restore", help="restore an archive of `anskaf backup` into an empty database, then verify"
    )
    restore.add_argument("file", metavar="FILE")
    restore.add_argument("--force", action="store_true",
                         help="replace what the database and the storage hold")
    restore.set_defaults(func=cmd_restore)

    token = sub.add_parser("token", help="API tokens")
    token_sub = token.add_subparsers(dest="action", metavar="ACTION")
    token_sub.required = True
    create = token_sub.add_parser(
        "create", help="create an API token for a user; prints it alone on the last line"
    )
    create.add_argument("--user", required=True, metavar="USERNAME")
    create.add_argument(
        "--name", default="cli", metavar="NAME", help="a label for the token (default: cli)"
    )
    create.set_defaults(func=cmd_token_create)
    listing = token_sub.add_parser(
        "list", help="list API tokens: id, user, name, created, last used (never the token)"
    )
    listing.add_argument("--user", metavar="USERNAME", help="only this user's tokens")
    listing.set_defaults(func=cmd_token_list)
    revoke = token_sub.add_parser(
        "revoke", help="revoke API tokens by id (from `token list`) or all of one user's"
    )
    revoke.add_argument("ids", nargs="*", type=int, metavar="ID", help="token id(s)")
    revoke.add_argument("--user", metavar="USERNAME", help="revoke all tokens of this user")
    revoke.set_defaults(func=cmd_token_revoke)

    operator = sub.add_parser("operator", help="the installation's operators (ADR 0030)")
    operator_sub = operator.add_subparsers(dest="action", metavar="ACTION")
    operator_sub.required = True
    op_add = operator_sub.add_parser(
        "add", help="make USERNAME an operator (a new account, or one of no municipality); "
        "prints the link to choose a password")
    op_add.add_argument("username", metavar="USERNAME")
    op_add.add_argument("--email", metavar="EMAIL", help="also send the link there (outbox)")
    op_add.add_argument("--name", metavar="FULL_NAME", help="the operator's full name")
    op_add.set_defaults(func=cmd_operator_add)

    org = sub.add_parser("org", help="the installation's municipalities (operator; ADR 0030)")
    org_sub = org.add_subparsers(dest="action", metavar="ACTION")
    org_sub.required = True
    org_create = org_sub.add_parser(
        "create", help="create a municipality with its forvaltninger; invites its first admin")
    org_create.add_argument("--name", required=True, metavar="NAME")
    org_create.add_argument("--slug", required=True, metavar="SLUG")
    org_create.add_argument("--cvr", required=True, metavar="CVR", help="8 digits, modulus 11")
    org_create.add_argument("--unit", action="append", metavar="FORVALTNING",
                            help="a forvaltning (repeat for each)")
    org_create.add_argument("--admin-name", required=True, metavar="FULL_NAME")
    org_create.add_argument("--admin-email", required=True, metavar="EMAIL",
                            help="the first admin's e-mail (also the username)")
    org_create.set_defaults(func=cmd_org_create)
    org_list = org_sub.add_parser("list", help="every municipality with its counts")
    org_list.set_defaults(func=cmd_org_list)
    org_suspend = org_sub.add_parser(
        "suspend", help="suspend a municipality: no logins, sessions end, its jobs stop")
    org_suspend.add_argument("slug", metavar="SLUG")
    org_suspend.add_argument("--reason", required=True, metavar="TEXT")
    org_suspend.set_defaults(func=cmd_org_suspend)
    org_resume = org_sub.add_parser("resume", help="open a suspended municipality again")
    org_resume.add_argument("slug", metavar="SLUG")
    org_resume.set_defaults(func=cmd_org_resume)
    org_offboard = org_sub.add_parser(
        "offboard", help="export a suspended municipality completely, then delete it (audited)")
    org_offboard.add_argument("slug", metavar="SLUG")
    org_offboard.add_argument("--reason", required=True, metavar="TEXT")
    org_offboard.add_argument("-o", "--output", required=True, metavar="FILE",
                              help="the export to write (a tar; must not exist yet)")
    org_offboard.set_defaults(func=cmd_org_offboard)

    demo = sub.add_parser("demo", help="load the demo municipality, people and cases (once)")
    demo.set_defaults(func=cmd_demo)

    serve = sub.add_parser(
        "serve", help="migrate, collect static files, load demo data in demo mode, run gunicorn"
    )
    serve.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    serve.add_argument("--port", type=int, help=f"port (default $PORT or {DEFAULT_PORT})")
    serve.add_argument(
        "--workers", type=int, help="gunicorn worker processes (default $WEB_CONCURRENCY or 2)"
    )
    serve.add_argument("--threads", type=int, help="threads per worker (default $WEB_THREADS or 4)")
    serve.add_argument(
        "--no-migrate",
        action="store_true",
        help="do not run migrations first (run `anskaf manage migrate` yourself)",
    )
    serve.add_argument(
        "--worker",
        action="store_true",
        help="also start a background worker (with the scheduler) beside the web server",
    )
    serve.set_defaults(func=cmd_serve)

    worker = sub.add_parser(
        "worker",
        help="run the background worker: e-mail delivery and (unless --no-periodic) the "
        "periodic jobs",
    )
    worker.add_argument(
        "--threads", type=int, help="worker threads (default $ANSKAF_WORKER_THREADS or 2)"
    )
    worker.add_argument(
        "--no-periodic",
        action="store_true",
        help="do not schedule periodic jobs (for every worker but one)",
    )
    worker.add_argument("--exit-with-parent", action="store_true", help=argparse.SUPPRESS)
    worker.set_defaults(func=cmd_worker)

    sub.add_parser(
        "manage", help="run a Django management command: anskaf manage COMMAND ...", add_help=False
    )
    return parser


def _run(func: Callable[[argparse.Namespace], int], args: argparse.Namespace) -> int:
    from django.core.exceptions import ImproperlyConfigured
    from django.db import DatabaseError

    try:
        return func(args)
    except CommandError as exc:
        _err(str(exc))
        return USAGE
    except DomainError as exc:
        return _domain_error(exc)
    except ImproperlyConfigured as exc:
        _err(f"configuration: {exc}")
        return USAGE
    except DatabaseError as exc:
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        _err(
            f"database: {first_line}. Is the database reachable and migrated "
            "(anskaf manage migrate)?"
        )
        return USAGE
    except KeyboardInterrupt:
        return 130


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if args_list and args_list[0] == "manage":
        return _run(lambda _args: cmd_manage(args_list[1:]), argparse.Namespace())
    parser = build_parser()
    args: Any = parser.parse_args(args_list)
    return _run(args.func, args)


if __name__ == "__main__":
    sys.exit(main())
