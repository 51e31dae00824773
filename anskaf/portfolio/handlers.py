"""How the portfolio follows the case (registered in PortfolioConfig.ready).

Step keys, not numbers, name the moments, so a model that renumbers its steps still drives the
portfolio; a model without these keys simply does not move any system.
"""

from __future__ import annotations

from anskaf.cases.choices import StepStatus
from anskaf.cases.errors import RequirementMissing
from anskaf.cases.extensions import CaseEvent, MoveContext, register_guard, register_handler
from anskaf.cases.models import StepState
from anskaf.cases.process_models import model_for

from .models import DataProcessingAgreement, Lifecycle, LinkKind

CONTRACT = "contract_in_place"  # step 12: the acquired system is being phased in
IN_OPERATION = "in_operation"  # step 20: the acquired system is in operation
DECOMMISSION_PLAN = "decommissioning_plan"  # step 13: the replaced system is phased out
CLOSE_PREVIOUS = "close_previous_system"  # step 21: the replaced system is closed
DPA_STEP = "data_processing_agreement"  # step 11

# step key -> (which of the case's systems, its new life cycle)
MOVES = {
    CONTRACT: (LinkKind.ACQUIRED, Lifecycle.PHASING_IN),
    IN_OPERATION: (LinkKind.ACQUIRED, Lifecycle.OPERATIONAL),
    DECOMMISSION_PLAN: (LinkKind.REPLACED, Lifecycle.PHASING_OUT),
    CLOSE_PREVIOUS: (LinkKind.REPLACED, Lifecycle.NOT_IN_USE),
}


def _key_of(case, number: int | None) -> str:  # type: ignore[no-untyped-def]
    model = model_for(case)
    if number is None or not model.has_step(number):
        return ""
    return model.step(number).key


def on_step_done(event: CaseEvent) -> None:
    """A finished step moves the acquired or replaced system through KITOS's life cycle."""
    if event.type == "decision.recorded" and event.data.get("outcome") != "yes":
        return
    move = MOVES.get(_key_of(event.case, event.step))
    if move is None:
        return
    from . import services

    kind, lifecycle = move
    role = sorted(services.roles_of(event.actor))[0] if services.roles_of(event.actor) else ""
    if kind == LinkKind.ACQUIRED:
        services.ensure_acquired(event.case, event.actor, role, lifecycle)
        return
    link = services.link_of(event.case.pk, LinkKind.REPLACED)
    if link is not None:  # a case that names no replaced system has nothing to phase out
        services._set_lifecycle(link.system, lifecycle, event.actor, role, event.case.pk)


def dpa_guard(context: MoveContext) -> None:
    """Step 12 refuses a signed contract while the acquired system handles personal data
    without a signed DPA - unless step 11 was marked not relevant. (The engine already refuses
    step 12 while step 11 is open: contract_before_dpa; this adds the data check.)"""
    if _key_of(context.case, context.step) != CONTRACT:
        return
    from . import services

    link = services.link_of(context.case.pk, LinkKind.ACQUIRED)
    if link is None or not link.system.personal_data:
        return
    model = model_for(context.case)
    dpa_number = next((s.number for s in model.steps if s.key == DPA_STEP), None)
    if dpa_number is not None and StepState.objects.filter(
            case=context.case, number=dpa_number, status=StepStatus.NOT_RELEVANT).exists():
        return
    if DataProcessingAgreement.objects.filter(system_id=link.system_id,
                                              signed_on__isnull=False).exists():
        return
    raise RequirementMissing(
        f"Systemet »{link.system.name}« behandler personoplysninger, men har ingen underskrevet "
        "databehandleraftale. Registrér aftalen på systemet (trin 11), før kontrakten "
        "markeres som på plads.")


def register() -> None:
    register_handler("step.completed", on_step_done)
    register_handler("decision.recorded", on_step_done)
    register_guard("complete", dpa_guard)
