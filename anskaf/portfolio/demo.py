"""The demo municipality's portfolio, made through the services after the demo cases exist:
a few systems with contracts and DPAs, and each replacing case linked to the system it
replaces, at the life cycle its steps have reached."""

from __future__ import annotations

from typing import Any

from anskaf.cases.models import Case, StepState

from . import forms, handlers, services
from .models import Lifecycle
from .steps import CLOSE_PREVIOUS, DECOMMISSION_PLAN

SYSTEMS = [
    ("Acadre", "Formpipe", "ESDH: journalisering af sager og dokumenter.", True),
    ("Prisme", "Fujitsu", "Økonomisystem: bogføring, budget og budgetopfølgning.", False),
    ("Opus Løn", "KMD", "Lønsystem og personaleadministration.", True),
]


def load(organisation_id: int, people: dict[str, Any]) -> None:
    it, coordinator = people["it"], people["coordinator"]
    for name, supplier, purpose, personal in SYSTEMS:
        system = services.system_save(actor=it, values=forms.system_values({
            "name": name, "supplier": supplier, "purpose": purpose, "hosting": "web",
            "personal_data": str(personal), "lifecycle": Lifecycle.OPERATIONAL},
            organisation_id=organisation_id))
        services.contract_save(actor=it, system_id=system.pk, values=forms.contract_values({
            "number": f"K-{system.pk:04d}", "supplier": supplier, "start_date": "2022-01-01",
            "duration_months": "48", "option_count": "2", "option_months": "12",
            "options_used": "1", "notice_months": "6", "notice_to": "quarter",
            "annual_cost": "350000"}))
        if personal:
            services.dpa_save(actor=it, system_id=system.pk, values=forms.dpa_values({
                "supplier": supplier, "signed_on": "2022-01-01", "oversight_method": "isae3402_2",
                "oversight_interval_months": "12", "last_oversight_on": "2025-03-01"}))
    for case in Case.objects.filter(organisation_id=organisation_id, replaces_system=True) \
            .exclude(replaced_system_name=""):
        old = services.system_save(actor=it, values=forms.system_values({
            "name": case.replaced_system_name, "hosting": "local", "personal_data": "True",
            "lifecycle": Lifecycle.OPERATIONAL}, organisation_id=organisation_id))
        services.case_link(actor=coordinator, case_id=case.pk, kind="replaced",
                           system_id=old.pk)
        _catch_up(case, old, it)


def _catch_up(case: Case, system: Any, actor: Any) -> None:
    """The replaced system's life cycle as the case's finished steps say (linked after)."""
    from django.db import transaction

    from anskaf.cases.process_models import model_for

    done = set(StepState.objects.filter(case=case, status="done").values_list("number",
                                                                              flat=True))
    model = model_for(case)
    for binding in (DECOMMISSION_PLAN, CLOSE_PREVIOUS):
        if binding.number(model) in done:
            with transaction.atomic():
                services.system_lifecycle_set(system=system, lifecycle=handlers.MOVES[binding][1],
                                              actor=actor, role="it", case_id=case.pk)
