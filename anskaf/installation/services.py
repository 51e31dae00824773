"""The installation's operator (ADR 0030): the only place that creates, suspends and resumes
municipalities and makes operators. One transaction each; every action is audited in the
installation's own chain, and a municipality's own chain records what was done to it.

The actor is an operator (`User.is_operator`) from a page or the API, or None from the command
line (`via="cli"`: whoever runs `anskaf` on the server is trusted as the operator).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.contrib.auth.tokens import default_token_generator
from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from anskaf.audit import events
from anskaf.audit.chain import GENESIS
from anskaf.audit.models import ChainHead
from anskaf.audit.services import Payload, audit_append
from anskaf.documents.storage import discard, document_storage
from anskaf.notifications.services import absolute, outbox_add
from anskaf.orgs import fields
from anskaf.orgs.choices import Role, UnitKind
from anskaf.orgs.fields import problem_of, split_name
from anskaf.orgs.installation_chain import installation_organisation
from anskaf.orgs.models import Membership, Organisation, OrgUnit, User
from anskaf.orgs.permissions import require
from anskaf.orgs.services import person_fields, unit_fields, username_refusal
from anskaf.orgs.viewer import access_changed
from anskaf.portfolio.inputs import ThresholdValues
from anskaf.portfolio.models import TenderThreshold
from anskaf.portfolio.services import threshold_add, threshold_view
from anskaf.validation.text import stripped, text_problem

from . import offboarding
from .errors import NotAnOperator, NotFound, OperatorRefused, ValidationFailed
from .inputs import OrgValues
from .permissions import via_refusal

REASON_MAX = 500


# --- the installation's chain -------------------------------------------------------------------


def municipalities() -> QuerySet[Organisation]:
    """Every municipality (never the installation's own row)."""
    return Organisation.objects.filter(is_installation=False)


def _require_operator(actor: User | None, via: str) -> None:
    require(via_refusal(actor, via), NotAnOperator)


def _operator_role(actor: User | None, via: str) -> str:
    """The operator acts as `operator`; without a person it is the command line (or system)."""
    return events.OPERATOR if actor is not None else events.no_person_role(via)


def _audit_installation(actor: User | None, via: str, event_type: str,
                        object_id: int | str | None, before: Payload, after: Payload) -> None:
    """audit_append in the installation's own chain, naming how the operator acted (`via`)."""
    after = {**after, "via": via} if isinstance(after, dict) else after
    audit_append(organisation_id=installation_organisation().pk, actor=actor,
                 actor_role=_operator_role(actor, via), event_type=event_type,
                 object_id=object_id, before=before, after=after)


def _audit_municipality(org: Organisation, actor: User | None, via: str, event_type: str,
                        object_id: int | str | None, before: Payload, after: Payload) -> None:
    """audit_append in the municipality's chain."""
    audit_append(organisation_id=org.pk, actor=actor, actor_role=_operator_role(actor, via),
                 event_type=event_type, object_id=object_id, before=before, after=after)


def _audit_both(org: Organisation, actor: User | None, via: str, event_type: str,
                before: Payload) -> None:
    """A change of the municipality itself, in its own chain and in the installation's."""
    after = org_fields(org)
    _audit_municipality(org, actor, via, event_type, org.pk, before, after)
    _audit_installation(actor, via, event_type, org.pk, before, after)


# --- checks -------------------------------------------------------------------------------------


def _org_refusals(values: OrgValues) -> None:
    """The new municipality's rules that need the database (its fields were checked where
    they entered, `inputs.org_values`): a slug, a CVR number or an e-mail already in use."""
    errors: dict[str, str] = {}
    if Organisation.objects.filter(slug=values["slug"]).exists():
        errors["slug"] = f"Kortnavnet »{values['slug']}« er allerede i brug. Vælg et andet."
    if municipalities().filter(cvr=values["cvr"]).exists():
        errors["cvr"] = f"CVR-nummeret {values['cvr']} er allerede en kommune på installationen."
    if username_refusal(values["admin_email"].lower()):
        errors["admin_email"] = (f"Der findes allerede en bruger med e-mailadressen "
                                 f"{values['admin_email']}.")
    if errors:
        raise ValidationFailed(errors)


def org_fields(org: Organisation) -> dict[str, Any]:
    return {"name": org.name, "slug": org.slug, "cvr": org.cvr,
            "suspended": org.suspended_at is not None,
            "suspended_reason": org.suspended_reason}


# --- the invitation -----------------------------------------------------------------------------


def invitation_path(person: User) -> str:
    """The one-time link by which a person sets a password (Django's password-reset token: it
    stops working once a password is set, or after PASSWORD_RESET_TIMEOUT)."""
    return reverse("invitation", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person)})


def _invite(org: Organisation, person: User, *, operator_invite: bool = False) -> None:
    link = absolute(invitation_path(person))
    what = ("driftsansvarlig for anskaf-installationen" if operator_invite else
            f"administrator for {org.name} i anskaf")
    body = (f"Hej {person.display_name()}\n\n"
            f"Du er blevet oprettet som {what}.\n\n"
            f"Vælg din adgangskode og log ind her (linket virker én gang):\n{link}\n\n"
            f"Dit brugernavn er: {person.username}\n\n"
            "-- \nSendt af anskaf.\n")
    outbox_add(organisation_id=org.pk, to_email=person.email,
               subject="[anskaf] Invitation: vælg din adgangskode", body=body, recipient=person)


def invitation_accepted(*, person: User) -> None:
    """Audit that a person set their password through the invitation link (in the caller's
    transaction: the invitation view's)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("invitation_accepted runs in the transaction that set the password")
    org_id = person.organisation_id or installation_organisation().pk
    audit_append(organisation_id=org_id, actor=person, actor_role=events.PERSONAL,
                 event_type="person.invitation_accepted", object_id=person.pk,
                 after={"username": person.username})


# --- municipalities -----------------------------------------------------------------------------


@transaction.atomic
def org_create(*, actor: User | None, data: OrgValues, via: str = "web"
               ) -> tuple[Organisation, User]:
    """Create a municipality with its forvaltninger and its first administrator, who is
    invited by e-mail through the outbox. data: as `inputs.org_values` checked it (name,
    slug, cvr, units, admin_name, admin_email: also the admin's username)."""
    _require_operator(actor, via)
    _org_refusals(data)
    try:
        with transaction.atomic():
            org = Organisation.objects.create(name=data["name"], slug=data["slug"],
                                              cvr=data["cvr"])
    except IntegrityError:  # the same slug at the same moment
        raise ValidationFailed({"slug": f"Kortnavnet »{data['slug']}« er allerede i brug."}
                               ) from None
    _audit_municipality(org, actor, via, "organisation.created", org.pk, None,
                        org_fields(org))
    for name in data["units"]:
        unit = OrgUnit.objects.create(organisation=org, name=name, kind=UnitKind.ADMINISTRATION)
        _audit_municipality(org, actor, via, "unit.created", unit.pk, None, unit_fields(unit))
    admin = User(organisation=org, username=data["admin_email"].lower(),
                 email=data["admin_email"])
    admin.first_name, admin.last_name = split_name(data["admin_name"])
    admin.set_unusable_password()
    admin.save()
    _audit_municipality(org, actor, via, "person.created", admin.pk, None,
                        person_fields(admin))
    membership = Membership.objects.create(organisation=org, person=admin, role=Role.ADMIN)
    _audit_municipality(org, actor, via, "role.added", membership.pk, None,
                        {"person": admin.pk, "username": admin.username, "role": Role.ADMIN,
                         "unit": None, "unit_name": None})
    _invite(org, admin)
    _audit_installation(actor, via, "organisation.created", org.pk, None,
                        {**org_fields(org), "units": data["units"],
                         "admin": admin.username})
    return org, admin


def _locked_org(slug: str | None) -> Organisation:
    org = (municipalities().select_for_update().filter(slug=stripped(slug).lower()).first()
           if stripped(slug) else None)
    if org is None:
        raise NotFound(f"Kommunen »{stripped(slug)[:60]}« findes ikke på installationen.")
    return org


@transaction.atomic
def org_suspend(*, actor: User | None, slug: str, reason: str | None, via: str = "web"
                ) -> Organisation:
    """Suspend a municipality: its people cannot log in and their open sessions end (the
    session hash, orgs.models.User), its reminders, digests and KITOS jobs skip it. Nothing is
    deleted; `org_resume` opens it again."""
    _require_operator(actor, via)
    org = _locked_org(slug)
    text = _reason(reason, "suspenderes")
    if org.suspended_at is not None:
        raise OperatorRefused(f"{org.name} er allerede suspenderet (siden "
                              f"{timezone.localtime(org.suspended_at):%d.%m.%Y %H:%M}).")
    before = org_fields(org)
    org.suspended_at, org.suspended_reason = timezone.now(), text
    org.session_epoch += 1
    access_changed(org.pk)
    org.save(update_fields=["suspended_at", "suspended_reason", "session_epoch"])
    _audit_both(org, actor, via, "organisation.suspended", before)
    return org


@transaction.atomic
def org_resume(*, actor: User | None, slug: str, via: str = "web") -> Organisation:
    """Open a suspended municipality again: its people log in anew (old sessions stay ended)."""
    _require_operator(actor, via)
    org = _locked_org(slug)
    if org.suspended_at is None:
        raise OperatorRefused(f"{org.name} er ikke suspenderet.")
    _refuse_during_offboarding(org)
    before = org_fields(org)
    org.suspended_at, org.suspended_reason = None, ""
    access_changed(org.pk)
    org.save(update_fields=["suspended_at", "suspended_reason"])
    _audit_both(org, actor, via, "organisation.resumed", before)
    return org


def _reason(value: str | None, what: str) -> str:
    text = " ".join(stripped(value).split())
    if not text:
        raise ValidationFailed({"reason": f"Skriv hvorfor kommunen {what}."})
    if (problem := text_problem(text)) is not None:
        raise ValidationFailed({"reason": problem})
    if len(text) > REASON_MAX:
        raise ValidationFailed({"reason": f"Begrundelsen må højst være {REASON_MAX} tegn."})
    return text


@dataclass(frozen=True)
class Offboarded:
    organisation_id: int
    slug: str
    name: str
    rows: dict[str, int]
    files: int
    chain_seq: int
    chain_hash: str


def _refuse_during_offboarding(org: Organisation) -> None:
    if org.offboarding_requested_at is not None:
        raise OperatorRefused(
            f"{org.name} er ved at blive udfaset (bestilt "
            f"{timezone.localtime(org.offboarding_requested_at):%d.%m.%Y %H:%M}); vent på, at "
            "baggrundsprocessen er færdig.")


@transaction.atomic
def org_offboard_request(*, actor: User | None, slug: str, reason: str | None,
                         confirm: str | None, via: str = "web") -> Organisation:
    """Mark a suspended municipality for offboarding (jobs.request_offboarding enqueues the
    worker's export and deletion). `confirm` must repeat its short name. Audited in the
    installation's chain; until the worker is done (or fails) nobody can ask again or resume
    it."""
    _require_operator(actor, via)
    org = _locked_org(slug)
    text = _reason(reason, "udfases")
    if stripped(confirm).lower() != org.slug:
        raise ValidationFailed({"confirm": f"Skriv kommunens kortnavn »{org.slug}« for at "
                                           "bekræfte udfasningen."})
    if org.suspended_at is None:
        raise OperatorRefused(f"Suspendér {org.name} først: ingen må arbejde i kommunen, mens "
                              "den eksporteres og slettes.")
    _refuse_during_offboarding(org)
    before = org_fields(org)
    org.offboarding_requested_at, org.offboarding_reason = timezone.now(), text
    org.offboarding_error = ""
    org.save(update_fields=["offboarding_requested_at", "offboarding_reason",
                            "offboarding_error"])
    _audit_installation(actor, via, "organisation.offboard_requested", org.pk,
                        before, {**org_fields(org), "reason": text})
    return org


@transaction.atomic
def org_offboard_failed(*, organisation_id: int, actor: User | None, message: str,
                        via: str) -> None:
    """The worker could not offboard: the request is cleared (it may be asked for again), the
    municipality stays suspended with everything it had, and the message is kept for the
    operator's page. Audited in the installation's chain."""
    org = municipalities().select_for_update().filter(pk=organisation_id).first()
    if org is None:
        return
    before = org_fields(org)
    org.offboarding_requested_at, org.offboarding_error = None, message[:1000]
    org.save(update_fields=["offboarding_requested_at", "offboarding_error"])
    _audit_installation(actor, via, "organisation.offboard_failed", org.pk,
                        before, {**org_fields(org), "error": message[:1000]})


def org_offboard(*, actor: User | None, slug: str, reason: str | None, export_sha256: str,
                 export_rows: dict[str, int], export_name: str = "",
                 via: str = "cli") -> Offboarded:
    """Delete a suspended municipality's every row (offboarding.org_rows) and, once that is
    committed, its stored files; only after a complete export whose row counts (`export_rows`,
    from its manifest) still match. Audited in the installation's chain with the reason, the
    export's sha256, the counts and the municipality's last chain head, which then ends."""
    with transaction.atomic():
        _require_operator(actor, via)
        org = _locked_org(slug)
        text = _reason(reason, "udfases")
        if org.suspended_at is None:
            raise OperatorRefused(f"Suspendér {org.name} først (anskaf org suspend {org.slug}): "
                                  "ingen må arbejde i kommunen, mens den eksporteres og slettes.")
        rows = offboarding.org_rows(org.pk)
        counted = offboarding.counts(rows)
        if counted != export_rows:
            raise OperatorRefused(f"{org.name}s data er ændret siden eksporten; intet er slettet. "
                                  "Eksportér igen.")
        files = offboarding.storage_names(rows)
        head = ChainHead.objects.filter(organisation_id=org.pk).first()
        seq, digest = (head.seq, head.hash) if head is not None else (0, GENESIS)
        result = Offboarded(org.pk, org.slug, org.name, counted, len(files), seq, digest)
        before = {**org_fields(org), "chain_head": {"seq": seq, "hash": digest}}
        offboarding.delete_rows(rows)
        Organisation.objects.filter(pk=org.pk).delete()
        _audit_installation(actor, via, "organisation.offboarded", org.pk,
                            before, {"reason": text, "export_sha256": export_sha256,
                                     "export_name": export_name, "rows": counted,
                                     "files": len(files)})

        def remove_files() -> None:
            storage = document_storage()
            for name in files:
                discard(storage, name)

        transaction.on_commit(remove_files)
    return result


# --- operators ----------------------------------------------------------------------------------


@transaction.atomic
def operator_add(*, actor: User | None, username: str | None, email: str | None = "",
                 full_name: str | None = "",
                 via: str = "cli") -> tuple[User, bool]:
    """Make `username` an operator: a new account (no password: it is set through the
    invitation link), or an existing account that belongs to no municipality. A person of a
    municipality is refused: the operator sees no municipality's content, so they get an
    account of their own. Returns (operator, created)."""
    _require_operator(actor, via)
    name = stripped(username)
    existing = User.objects.select_for_update().filter(username__iexact=name).first() if name \
        else None
    if existing is not None:
        if existing.organisation_id is not None:
            raise OperatorRefused(
                f"»{existing.username}« er bruger i en kommune. En driftsansvarlig hører ikke "
                "til nogen kommune: opret en særskilt bruger til driften.")
        if existing.is_operator:
            raise OperatorRefused(f"»{existing.username}« er allerede driftsansvarlig.")
        before = {"username": existing.username, "is_operator": False}
        existing.is_operator = True
        existing.save(update_fields=["is_operator"])
        _audit_installation(actor, via, "operator.added", existing.pk, before,
                            {"username": existing.username, "is_operator": True})
        return existing, False
    errors: dict[str, str] = {}
    name, problem = problem_of(fields.username, name)
    problem = problem or username_refusal(name)
    if problem:
        errors["username"] = problem
    mail, problem = problem_of(fields.email, email)
    if problem:
        errors["email"] = problem
    full = " ".join(stripped(full_name).split())
    if full:
        full, problem = problem_of(fields.full_name, full)
        if problem:
            errors["full_name"] = problem
    if errors:
        raise ValidationFailed(errors)
    person = User(username=name, email=mail, is_operator=True)
    person.first_name, person.last_name = split_name(full) if full else ("", "")
    person.set_unusable_password()
    person.save()
    _audit_installation(actor, via, "operator.added", person.pk, None,
                        {"username": person.username, "email": person.email,
                         "is_operator": True})
    if mail:
        _invite(installation_organisation(), person, operator_invite=True)
    return person, True


# --- the installation-wide settings: the EU tender thresholds ---------------------------------


@transaction.atomic
def threshold_save(*, actor: User | None, values: ThresholdValues, via: str = "web"
                   ) -> TenderThreshold:
    """The operator enters a new period's EU tender threshold: the same figure for every
    municipality, so it is the installation's, audited in the installation's chain (ADR 0030).
    The same validation as the admins' Administration → Udbudsgrænser (portfolio)."""
    _require_operator(actor, via)
    threshold = threshold_add(values)
    _audit_installation(actor, via, "threshold.created", threshold.pk,
                        None, threshold_view(threshold))
    return threshold
