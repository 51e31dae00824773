"""Municipalities (the tenants), their units, people and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.core.exceptions import PermissionDenied
from django.db import models
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext_lazy as _

from .choices import Role, UnitKind


class Organisation(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(unique=True)
    records_system_name = models.CharField(_("ESDH-system"), max_length=100, default="Acadre")
    system_register_name = models.CharField(_("systemregister"), max_length=100, default="KITOS")
    procurement_email = models.EmailField(_("udbud/indkøb e-mail"), blank=True)
    # The installation's operator (ADR 0030): the municipality's CVR number, and its suspension
    # (its people cannot log in; its jobs skip it; nothing is deleted).
    cvr = models.CharField(_("CVR-nummer"), max_length=8, blank=True)
    suspended_at = models.DateTimeField(_("suspenderet"), null=True, blank=True)
    suspended_reason = models.CharField(_("begrundelse for suspension"), max_length=500,
                                        blank=True)
    # Offboarding asked for from a page or the API (the worker exports, then deletes): while it
    # is set nobody may ask again or resume; a failure clears it and leaves its message.
    offboarding_requested_at = models.DateTimeField(_("udfasning bestilt"), null=True,
                                                    blank=True)
    offboarding_reason = models.CharField(_("begrundelse for udfasning"), max_length=500,
                                          blank=True)
    offboarding_error = models.CharField(_("fejl ved udfasning"), max_length=1000, blank=True)
    # Raised at each suspension: every session opened before it ends (User.session hash).
    session_epoch = models.PositiveIntegerField(default=0)
    # Changes (to a new random value, never back) in the transaction of every write that changes
    # what a person of the municipality may do: roles, deputies, units, a person's unit, the
    # suspension. It keys the cached viewer (orgs/viewer.py, ADR 0041) and is read with the
    # person on every request, so a changed role is obeyed by the next request.
    access_stamp = models.BigIntegerField(default=0)
    # The one row that holds the installation's own audit chain (operator actions): it is no
    # municipality, has no people or cases, and no page of a municipality shows it.
    is_installation = models.BooleanField(default=False)

    class Meta:
        verbose_name = _("organisation")
        constraints = [
            models.UniqueConstraint(fields=["is_installation"],
                                    condition=models.Q(is_installation=True),
                                    name="organisation_one_installation"),
        ]

    def __str__(self) -> str:
        return self.name


class OrgUnit(models.Model):
    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="units")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    name = models.CharField(_("navn"), max_length=200)
    kind = models.CharField(_("type"), max_length=20, choices=UnitKind.choices)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "parent", "name"], name="unit_unique_name")
        ]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    unit = models.ForeignKey(
        OrgUnit, null=True, blank=True, on_delete=models.PROTECT, related_name="people"
    )
    is_demo = models.BooleanField(default=False, help_text="Demo account: logs in only in demo mode.")
    # The installation's operator (ADR 0030): belongs to no municipality (organisation None),
    # sees the installation's pages only.
    is_operator = models.BooleanField(default=False)

    def display_name(self) -> str:
        return self.get_full_name() or self.username

    @property
    def municipality_id(self) -> int:
        """The municipality this person acts in, for the services and selectors that act in
        one. Only the installation's operator has none (ADR 0030), and the shells keep them
        off every municipality's page and operation; reaching one anyway is refused, not read
        as "the rows of no municipality" (a filter on `organisation_id=None`)."""
        if self.organisation_id is None:
            raise PermissionDenied("The installation's operator acts in no municipality.")
        return self.organisation_id

    def organisation_suspended(self) -> bool:
        organisation = self.organisation if self.organisation_id is not None else None
        return organisation is not None and organisation.suspended_at is not None

    def get_session_auth_hash(self) -> str:
        """Django's hash of the password, checked on every request: a session whose hash no
        longer matches ends. While the person's municipality is suspended there is no hash
        (every session ends, also one opened by single sign-on); after a suspension the
        municipality's epoch is part of it, so sessions opened before it stay ended."""
        if self.organisation_suspended():
            return ""
        return self._with_epoch(super().get_session_auth_hash())

    def get_session_auth_fallback_hash(self):  # type: ignore[no-untyped-def]
        if self.organisation_suspended():
            return
        for fallback in super().get_session_auth_fallback_hash():
            yield self._with_epoch(fallback)

    def _with_epoch(self, base: str) -> str:
        epoch = self.organisation.session_epoch if self.organisation_id is not None else 0
        if not epoch:
            return base  # unchanged for a municipality never suspended
        return salted_hmac("anskaf.orgs.User.session_epoch", f"{base}:{epoch}",
                           algorithm="sha256").hexdigest()


class Membership(models.Model):
    """A person holds a role, in the whole organisation or in one unit."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("rolle"), max_length=30, choices=Role.choices)
    unit = models.ForeignKey(OrgUnit, null=True, blank=True, on_delete=models.PROTECT)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["person", "role", "unit"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}"


class Deputy(models.Model):
    """While `person` is away, `deputy` sees and can act on the person's assignments."""

    organisation = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    person = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deputies")
    deputy = models.ForeignKey(User, on_delete=models.CASCADE, related_name="deputising_for")
    starts_on = models.DateField(_("fra"))
    ends_on = models.DateField(_("til og med"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["starts_on"]
        constraints = [
            models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                   name="deputy_period_order"),
        ]

    def __str__(self) -> str:
        return f"{self.deputy} for {self.person} {self.starts_on}–{self.ends_on}"


class SsoProvider(models.Model):
    """A municipality's own OpenID Connect provider (issue 18, ADR 0031).

    The endpoints come from the issuer's discovery document when the provider is saved. The
    client secret is stored encrypted (anskaf.audit.secretbox) and never shown again.
    `role_map` is a list of {"value": claim value, "role": role key, "unit": unit id or None}.
    """

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="sso_provider")
    issuer = models.URLField(_("udsteder (issuer)"), max_length=500)
    client_id = models.CharField(_("klient-id"), max_length=255)
    client_secret_encrypted = models.TextField(blank=True)
    role_claim = models.CharField(_("rolle-claim"), max_length=100, default="roles")
    username_claim = models.CharField(_("brugernavns-claim"), max_length=100,
                                      default="preferred_username")
    role_map = models.JSONField(default=list, blank=True)
    authorization_endpoint = models.URLField(max_length=500)
    token_endpoint = models.URLField(max_length=500)
    userinfo_endpoint = models.URLField(max_length=500)
    jwks_uri = models.URLField(max_length=500)
    sign_algo = models.CharField(max_length=10, default="RS256")
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.organisation} – {self.issuer}"


class MunicipalitySettings(models.Model):
    """A municipality's own settings; an empty field means the installation's default."""

    organisation = models.OneToOneField(Organisation, on_delete=models.CASCADE,
                                        related_name="own_settings")
    kitos_url = models.URLField(_("KITOS-adresse"), max_length=300, blank=True)
    kitos_email = models.EmailField(_("KITOS-brugerens e-mail"), blank=True)
    kitos_password_encrypted = models.TextField(blank=True)
    kitos_organisation_uuid = models.CharField(_("organisationens UUID i KITOS"), max_length=36,
                                               blank=True)
    sender_email = models.EmailField(_("afsenderadresse"), blank=True)
    archive_authority = models.CharField(_("arkivmyndighed"), max_length=200, blank=True)
    accessibility_url = models.URLField(_("tilgængelighedserklæring"), max_length=500,
                                        blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Indstillinger for {self.organisation}"
