"""Municipalities (the tenants), their units, people and the roles they hold."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from .choices import Role, UnitKind


class Organisation(models.Model):
    name = models.CharField(_("navn"), max_length=200)
    slug = models.SlugField(unique=True)
    records_system_name = models.CharField(_("ESDH-system"), max_length=100, default="Acadre")
    system_register_name = models.CharField(_("systemregister"), max_length=100, default="KITOS")
    procurement_email = models.EmailField(_("udbud/indkøb e-mail"), blank=True)

    class Meta:
        verbose_name = _("organisation")

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

    def display_name(self) -> str:
        return self.get_full_name() or self.username


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
