"""Who may read and upload a case's documents: built on anskaf.cases.permissions' Access.

A case's documents follow the case's visibility (the caller has found the case through
`visible_filter`). Confidential types (security description, configuration schema, DPA,
contract) narrow that to the case's coordinator and managers of its unit, the performers of
the document's step, `security` and admins.
"""

from __future__ import annotations

from typing import Any

from anskaf.cases import permissions
from anskaf.cases.permissions import CASE_MANAGERS, access_of
from anskaf.orgs.models import User
from anskaf.process.model import DocumentTypeDef, ProcessModel, StepDef

CONFIDENTIAL_REFUSAL = ("Dokumentet er fortroligt. Kun sagens koordinator og ledelse, de "
                        "udførende på trinnet, informationssikkerhed og administratorer kan "
                        "læse det.")


def read_refusal(person: User, case: Any, step: StepDef | None, doc_type: DocumentTypeDef | None,
                 assignee_id: int | None = None) -> str | None:
    """None when the person may read documents of this type on this (visible) case."""
    # A type the case's model no longer knows is treated as confidential: fail closed.
    if doc_type is not None and not doc_type.confidential:
        return None
    access = access_of(person)
    unit = case.requesting_unit_id
    if access.is_admin or access.holds("security", unit):
        return None
    if access.acts_for(case.coordinator_id) or access.holds_any(CASE_MANAGERS, unit):
        return None
    if step is not None and (access.acts_for(assignee_id) or access.holds_any(step.role_keys, unit)):
        return None
    return CONFIDENTIAL_REFUSAL


def upload_refusal(person: User, case: Any, model: ProcessModel, step: StepDef,
                   assignee_id: int | None = None) -> str | None:
    """Whoever may work on the step may add its documents."""
    return permissions.work_refusal(person, case, model, step, assignee_id)
