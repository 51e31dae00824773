"""The guard that makes required documents gate their step (registered in apps.py)."""

from __future__ import annotations

from anskaf.cases.errors import RequirementMissing
from anskaf.cases.extensions import MoveContext
from anskaf.cases.models import StepState
from anskaf.cases.process_models import model_for
from anskaf.process.engine import binds

from .models import Document


def missing_required(case, number: int) -> list[str]:  # type: ignore[no-untyped-def]
    """Danish titles of the step's required document types that have no version yet; a type
    whose `when:` does not hold, or that was declared not relevant, requires nothing."""
    model = model_for(case)
    if not model.has_step(number):
        return []
    required = [d for d in model.step(number).documents if d.required]
    if any(d.condition.waivable for d in required):
        state = StepState.objects.filter(case=case, number=number).only("waived").first()
        waived = frozenset(state.waived) if state is not None else frozenset()
    else:
        waived = frozenset()
    required = [d for d in required if binds(d, case.replaces_system, waived)]
    if not required:
        return []
    present = set(Document.objects.filter(case=case, step=number, versions__isnull=False)
                  .values_list("type_key", flat=True))
    return [d.title.da for d in required if d.key not in present]


def require_documents(context: MoveContext) -> None:
    missing = missing_required(context.case, context.step)
    if missing:
        names = ", ".join(f"»{t}«" for t in missing)
        raise RequirementMissing(
            f"Trin {context.step} kan ikke gennemføres, før disse dokumenter er uploadet: "
            f"{names}. Upload dem på trinnet, eller markér trinnet som ikke relevant.")
