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
from .steps import ARCHIVE, CLOSE_PREVIOUS, CONTRACT, DECOMMISSION_PLAN, DPA, IN_OPERATION

# step binding -> (which of the case's systems, its new life cycle)
MOVES = {
    CONTRACT: (LinkKind.ACQUIRED, Lifecycle.PHASING_IN),
    IN_OPERATION: (LinkKind.ACQUIRED, Lifecycle.OPERATIONAL),
    DECOMMISSION_PLAN: (LinkKind.REPLACED, Lifecycle.PHASING_OUT),
    CLOSE_PREVIOUS: (LinkKind.REPLACED, Lifecycle.NOT_IN_USE),
}


def _move_for(case, number: int | None) -> tuple[str, str] | None:  # type: ignore[no-untyped-def]
    model = model_for(case)
    return next((move for binding, move in MOVES.items()
                 if number is not None and binding.number(model) == number), None)


def on_step_done(event: CaseEvent) -> None:
    """A finished step moves the acquired or replaced system through KITOS's life cycle."""
    if event.type == "decision.recorded" and event.data.get("outcome") != "yes":
        return
    move = _move_for(event.case, event.step)
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
        services.system_lifecycle_set(system=link.system, lifecycle=lifecycle,
                                      actor=event.actor, role=role, case_id=event.case.pk)


def dpa_guard(context: MoveContext) -> None:
    """The contract step refuses a signed contract while the acquired system handles personal
    data without a signed DPA - unless the DPA step was marked not relevant. (The engine already
    refuses the contract while the DPA step is open: contract_before_dpa; this adds the data
    check.)"""
    model = model_for(context.case)
    contract = CONTRACT.find(model)
    if contract is None or contract.number != context.step:
        return
    from . import services

    link = services.link_of(context.case.pk, LinkKind.ACQUIRED)
    if link is None or not link.system.personal_data:
        return
    dpa_number = DPA.number(model)
    if dpa_number is not None and StepState.objects.filter(
            case=context.case, number=dpa_number, status=StepStatus.NOT_RELEVANT).exists():
        return
    if DataProcessingAgreement.objects.filter(system_id=link.system_id,
                                              signed_on__isnull=False).exists():
        return
    raise RequirementMissing(
        f"Systemet »{link.system.name}« behandler personoplysninger, men har ingen underskrevet "
        f"databehandleraftale. Registrér aftalen på systemet{_in_step(dpa_number)}, før "
        "kontrakten markeres som på plads.")


def archive_guard(context: MoveContext) -> None:
    """The archive step completes only once the archive role has assessed each of the case's
    systems that holds personal data or case records (its decision lives on the system)."""
    step = ARCHIVE.find(model_for(context.case))
    if step is None or step.number != context.step:
        return
    from . import services

    pending = services.archive_pending(context.case.pk)
    if pending:
        names = ", ".join(f"»{s.name}«" for s in pending)
        raise RequirementMissing(
            f"Den arkivansvarlige har endnu ikke vurderet {names} (personoplysninger eller "
            "sagsakter): skal systemet arkiveres, og hvad er planen for arkiveringsversionen? "
            f"Trin {context.step} kan gennemføres, når vurderingen er registreret.")


def _in_step(number: int | None) -> str:
    return f" (trin {number})" if number is not None else ""


def register() -> None:
    register_handler("step.completed", on_step_done)
    register_handler("decision.recorded", on_step_done)
    register_guard("complete", dpa_guard)
    register_guard("complete", archive_guard)
