"""The row that holds the installation's own audit chain (ADR 0030): the operator's actions
are appended there. Here, below the operator's app, because a municipality's services that
the operator may also use (its sign-on, tenancy.py) audit in it too."""

from __future__ import annotations

from django.db import IntegrityError, transaction

from .models import Organisation

INSTALLATION_SLUG = "installation"


def installation_organisation() -> Organisation:
    """The row that holds the installation's audit chain (made on first use)."""
    row = Organisation.objects.filter(is_installation=True).first()
    if row is not None:
        return row
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                is_installation=True, slug=INSTALLATION_SLUG, name="Installationen (drift)",
                records_system_name="", system_register_name="")
    except IntegrityError:  # made at the same moment by another process
        return Organisation.objects.get(is_installation=True)
