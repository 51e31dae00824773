"""Who may read, upload, journalise and export a case's documents, and keep the templates:
built on the cases app's rules (`anskaf.cases.permissions`, ADR 0039).

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
from anskaf.orgs.permissions import is_admin
from anskaf.process.model import DocumentTypeDef, ProcessModel, StepDef

CONFIDENTIAL_REFUSAL = ("Dokumentet er fortroligt. Kun sagens koordinator og ledelse, de "
                        "udførende på trinnet, informationssikkerhed og administratorer kan "
                        "læse det.")
TEMPLATE_REFUSAL = "Kun administratorer kan vedligeholde skabeloner."


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


def template_refusal(person: User) -> str | None:
    """The municipality's document templates are kept by its administrators."""
    return None if is_admin(person) else TEMPLATE_REFUSAL


def package_refusal(actor: User, case: Any) -> str | None:
    """Whoever may edit the case (its coordinator, the coordinating function, management) and
    admins journalise it as a whole: the package holds its confidential documents too."""
    if permissions.edit_refusal(actor, case) is None:  # admins included
        return None
    return ("Kun sagens koordinator, den koordinerende funktion, ledelsen for sagens enhed og "
            "administratorer kan journalisere hele sagen.")


def journal_refusal(actor: User, readable: Any) -> str | None:
    """`readable` is a `services.Readable`: the version, its document, case and type."""
    if readable.doc_type is None or not readable.doc_type.journal:
        return "Denne dokumenttype journaliseres ikke fra anskaf."
    model_step = None
    from anskaf.cases.process_models import model_for

    model = model_for(readable.case)
    if model.has_step(readable.document.step):
        model_step = model.step(readable.document.step)
    if permissions.edit_refusal(actor, readable.case) is None:  # admins included
        return None
    if model_step and permissions.work_refusal(actor, readable.case, model, model_step) is None:
        return None
    return ("Kun sagens koordinator og ledelse eller de udførende på trinnet kan journalisere "
            "dokumentet.")


def import_refusal(actor: User) -> str | None:
    """Who may import a case from its Word guide: a coordinator (of any unit or the
    municipality) or an admin."""
    if actor.organisation_id is None:
        return "Din bruger hører ikke til en kommune."
    if permissions.coordinates_or_administers(actor):
        return None
    return ("Kun den koordinerende funktion og kommunens administratorer kan importere en sag "
            "fra Word.")
