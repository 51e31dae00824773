"""The cases' API: request bodies (validated by hand inside the views, after the case is found)
and responses.

Request models check types only, strictly ("3" is not an integer, "true" not a boolean) and
refuse unknown fields (anskaf.http.schemas.Body). Whether a text is empty, a step exists or a
move is allowed is the services' business; they answer in Danish. Fields the spec calls
required are marked so in the OpenAPI document but typed optional here, so that a missing and
an empty value get the same message from the service.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, ClassVar, Literal

from ninja import Schema
from pydantic import BaseModel, ConfigDict, Field

from anskaf.http.schemas import Amount, Body

# What other apps' APIs share with the cases' (the IT-visitation records decisions through its
# own API): a decision's outcome and the Danish messages for a decision's fields.
OutcomeLiteral = Literal["yes", "maybe", "no"]  # choices.Outcome's values

DECISION_FIELD_HINTS = {
    "outcome": "Udfaldet skal være »yes«, »maybe« eller »no«.",
    "it_contacts": "Skal være en liste af tekster.",
    "missing_documentation": "Skal være en liste af tekster.",
}

CaseStatusLiteral = Literal["active", "rejected", "withdrawn", "in_operation", "completed"]
StepStatusLiteral = Literal["not_started", "in_progress", "done", "not_relevant"]

VERSION_DOC = ("The version you last read (of the step, or of the case for case edits); "
               "a stale version is refused with 409 conflict. Optional.")

# A field's own message for a value of the wrong type (wins over the generic one).
FIELD_HINTS = {
    "version": "Versionen skal være et heltal (trinnets eller sagens »version«).",
    "replaces_system": "Angiv true eller false: erstatter systemet et eksisterende?",
    "estimated_contract_value": "Angiv beløbet som et tal i kroner ekskl. moms, fx 250000.",
    "unit": "Angiv enheden med dens id (et heltal).",
    "checklist": 'Tjeklisten skal være en liste af {"id": tekst, "done": true/false}.',
    "status": "Status kan kun sættes til »in_progress« (i gang).",
    "step": "Angiv trinnets nummer som et heltal.",
    **DECISION_FIELD_HINTS,
}


class CaseBody(Body):
    field_hints: ClassVar[dict[str, str]] = FIELD_HINTS


class CaseFieldsBody(CaseBody):
    """The case's own fields (create and edit): their limits and kinds, as the services'."""

    line_fields: ClassVar[tuple[str, ...]] = ("records_case_number",)
    name_fields: ClassVar[tuple[str, ...]] = (
        "title", "candidate_system", "supplier_name", "replaced_system_name",
        "records_case_number")
    max_lengths: ClassVar[dict[str, int]] = {"title": 200, "candidate_system": 200,
                                             "supplier_name": 200, "replaced_system_name": 200,
                                             "records_case_number": 60}




class CaseCreateIn(CaseFieldsBody):
    kept_fields: ClassVar[tuple[str, ...]] = ("restricted",)
    required_fields: ClassVar[tuple[str, ...]] = (
        "title", "need", "strategic_fit", "user_impact", "replaces_system")
    title: str | None = Field(None, description="The case title (at most 200 characters).")
    need: str | None = Field(None, description="The first step: what need must a new IT system meet?")
    strategic_fit: str | None = Field(
        None, description="The first step: does it fit the organisation (mission, values, strategies)?")
    user_impact: str | None = Field(
        None, description="The first step: how does it affect the end users/citizens?")
    replaces_system: bool | None = Field(
        None, description="Does the system replace an existing one? (the model's steps for closing the "
                          "old system apply)")
    replaced_system_name: str | None = None
    estimated_contract_value: Amount = Field(
        None, description="Estimated contract value, DKK excluding VAT, all years.")
    unit: int | None = Field(None, description="The requesting unit's id; default: your own unit.")
    candidate_system: str | None = None
    supplier_name: str | None = None
    records_case_number: str | None = Field(
        None, description="The records-system (ESDH) case number.")
    restricted: bool | None = Field(
        None, description="Limit the case to its unit, coordinator, performers and admins.")


class CaseUpdateIn(CaseFieldsBody):
    # what a case must keep: left out is unchanged, null or blank is no value to keep
    kept_fields: ClassVar[tuple[str, ...]] = (
        "title", "need", "strategic_fit", "user_impact", "replaces_system", "restricted")
    body_optional: ClassVar[bool] = True
    title: str | None = None
    need: str | None = None
    strategic_fit: str | None = None
    user_impact: str | None = None
    replaces_system: bool | None = None
    replaced_system_name: str | None = None
    estimated_contract_value: Amount = None
    unit: int | None = None
    candidate_system: str | None = None
    supplier_name: str | None = None
    records_case_number: str | None = None
    restricted: bool | None = None
    version: int | None = Field(None, description=VERSION_DOC)


class WithdrawIn(CaseBody):
    required_fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: str | None = Field(None, description="Why the case is withdrawn (required).")
    version: int | None = Field(None, description=VERSION_DOC)


class HandoverIn(CaseBody):
    required_fields: ClassVar[tuple[str, ...]] = ("coordinator",)
    coordinator: str | None = Field(
        None, description="The username of the new coordinator: an active person of your "
                          "municipality with the coordinator role (required).")
    reason: str | None = Field(None, description="An optional note, kept in the audit trail.")
    version: int | None = Field(None, description=VERSION_DOC)


class ChecklistItemIn(BaseModel):
    model_config = ConfigDict(strict=True, extra="forbid")
    id: str
    done: bool


class StepUpdateIn(CaseBody):
    body_optional: ClassVar[bool] = True
    remarks: str | None = Field(None, description="Remarks (\"Egne bemærkninger\"); replaces the "
                                                  "current text.")
    checklist: list[ChecklistItemIn] | None = None
    status: Literal["in_progress"] | None = Field(
        None, description="Only \"in_progress\", and only on a not_started step.")
    assignee: str | None = Field(
        None, description="Username of the person who does the step (within its roles); "
                          "null clears it.")
    version: int | None = Field(None, description=VERSION_DOC)


class StepCompleteIn(CaseBody):
    body_optional: ClassVar[bool] = True
    remarks: str | None = Field(None, description="Remarks saved with the completion (replaces "
                                                  "the current text); a refusal saves nothing.")
    checklist: list[ChecklistItemIn] | None = Field(
        None, description="Checklist items ticked or unticked with the completion (items not "
                          "named keep their state); the required ones are checked against "
                          "them. A refusal saves nothing.")
    version: int | None = Field(None, description=VERSION_DOC)


class RequirementIn(CaseBody):
    required_fields: ClassVar[tuple[str, ...]] = ("relevant",)
    relevant: bool | None = Field(None, description="false: not relevant (needs a reason); "
                                                    "true: the requirement binds again.")
    reason: str | None = Field(None, description="Why it is not relevant.")
    version: int | None = Field(None, description=VERSION_DOC)


class ReasonIn(CaseBody):
    required_fields: ClassVar[tuple[str, ...]] = ("reason",)
    reason: str | None = Field(None, description="The reason (required).")
    version: int | None = Field(None, description=VERSION_DOC)


class DecisionIn(CaseBody):
    required_fields: ClassVar[tuple[str, ...]] = ("step", "outcome", "rationale")
    step: int | None = Field(None, description="The gate step's number, as the case's model numbers it.")
    outcome: OutcomeLiteral | None = Field(
        None, description="yes = Ja, maybe = Måske (only at a gate that has it), no = Nej.")
    rationale: str | None = Field(None, description="The rationale (required).")
    recommendations: str | None = None
    it_contacts: list[str] | None = None
    missing_documentation: list[str] | None = None
    version: int | None = Field(None, description="The gate step's version. Optional.")


# --- the process model (issue 17): check, publish, republish ----------------------------------


class ModelCheckIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("content",)
    field_hints: ClassVar[dict[str, str]] = {"content": "Modellen skal være en tekst (YAML).",
                                             "unit_id": "Skal være et enheds-id (et heltal)."}
    content: str | None = Field(None, description="The model's YAML (at most 1 MB).")
    unit_id: int | None = Field(
        None, description="Compare with a forvaltning's current model. Optional.")


class ModelPublishIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("content", "reason")
    field_hints: ClassVar[dict[str, str]] = {
        "content": "Modellen skal være en tekst (YAML).",
        "reason": "Begrundelsen skal være en tekst.",
        "base_version_id": "Skal være et versions-id (et heltal).",
        "unit_id": "Skal være et enheds-id (et heltal)."}
    content: str | None = Field(None, description="The model's YAML (at most 1 MB).")
    reason: str | None = Field(None, description="Why the model changes (required).")
    base_version_id: int | None = Field(
        None, description="The id of the version you compared with; if another version has "
                          "been published since, the answer is 409 conflict. Optional.")
    unit_id: int | None = Field(
        None, description="A forvaltning's own model (the unit's id); default: the "
                          "municipality's. Optional.")


class ModelRepublishIn(Body):
    required_fields: ClassVar[tuple[str, ...]] = ("reason",)
    field_hints: ClassVar[dict[str, str]] = {
        "reason": "Begrundelsen skal være en tekst.",
        "base_version_id": "Skal være et versions-id (et heltal).",
        "unit_id": "Skal være et enheds-id (et heltal)."}
    reason: str | None = Field(None, description="Why the earlier version returns (required).")
    base_version_id: int | None = Field(None, description="As for publishing. Optional.")
    unit_id: int | None = Field(None, description="As for publishing. Optional.")


class ModelMigrateIn(Body):
    field_hints: ClassVar[dict[str, str]] = {
        "case_ids": "Skal være en liste af sags-id'er (heltal)."}
    case_ids: list[int] | None = Field(
        None, description="Only these cases (ids); default: every open case that is not on "
                          "the version new cases of its unit start on.")


SortLiteral = Literal["number", "-number", "title", "-title", "updated", "-updated", "moved",
                      "-moved"]


class SavedFilterIn(Body):
    """A name and the case list's filter and sort (the parameters of `GET /cases`)."""

    required_fields: ClassVar[tuple[str, ...]] = ("name",)
    name: str | None = Field(None, description="Up to 80 characters; a name the caller has "
                                               "used already gets the new filter.",
                             max_length=80)
    mine: bool | None = Field(None, description="Only the caller's own cases.")
    q: str | None = Field(None, description="Search in title and case number.",
                          max_length=200)
    status: CaseStatusLiteral | None = None
    phase: int | None = Field(None, ge=1, description="A phase of the municipality's model.")
    unit: int | None = Field(None, ge=1, description="A unit id.")
    without_coordinator: bool | None = None
    sort: SortLiteral | None = Field(None, description="Default `-updated`.")



BODY_MODELS: tuple[type[Body], ...] = (
    CaseCreateIn, CaseUpdateIn, WithdrawIn, HandoverIn, StepUpdateIn, StepCompleteIn, ReasonIn,
    DecisionIn, ModelCheckIn, ModelPublishIn, ModelRepublishIn, RequirementIn, ModelMigrateIn,
    SavedFilterIn,
)


# --- responses ---------------------------------------------------------------------------------


class UnitOut(Schema):
    id: int
    name: str


class ModelRefOut(Schema):
    key: str
    version: int
    sha256: str


class ChecklistItemOut(Schema):
    id: str
    label: str
    done: bool
    required: bool


class PerformerOut(Schema):
    role: str = Field(description="The role's key in the case's model.")
    label: str
    optional: bool = Field(description="\"Evt.\" in the guide: takes part where relevant.")


class PerformersOut(Schema):
    text: str = Field(description="The guide's own wording of who performs the step.")
    roles: list[PerformerOut]


class RequirementOut(Schema):
    id: str = Field(description="A checklist item's id or a document type's key.")
    label: str
    kind: Literal["checklist", "document"]
    waived: bool = Field(description="Declared not relevant (the model's \"Hvis relevant\").")
    reason: str | None = Field(description="Why it was declared not relevant.")


class WaitingOut(Schema):
    step: int
    key: str
    reason: Literal["gate", "started", "next", "blocked", "held", "parallel"] = Field(
        description="Why the step is (gate, started, next) or is not (blocked, held, parallel) "
                    "actionable now (ADR 0020).")
    blocked_by: list[int] = Field(description="Required steps not finished (for blocked).")
    blocks: list[int] = Field(description="Unfinished steps that require this one.")
    since: datetime | None = Field(description="When the step became actionable.")
    handed_over_by: str | None = Field(description="Who completed the step before it.")
    hold: str = Field(description="For a held step: the hand-over it waits for (Danish).")


class StepOut(Schema):
    number: int
    key: str
    title: str
    description: str = Field(description="The guide's description of the step (Danish).")
    performers: PerformersOut
    requirements: list[RequirementOut] = Field(
        description="Requirements the model lets be declared not relevant (`waivable`).")
    phase: int
    status: StepStatusLiteral
    version: int
    remarks: str
    checklist: list[ChecklistItemOut]
    completed_by: str | None
    completed_at: datetime | None
    not_relevant_reason: str
    is_gate: bool
    assignee: str | None


class DecisionOut(Schema):
    id: int
    step: int
    round: int
    outcome: OutcomeLiteral
    rationale: str
    recommendations: str
    it_contacts: list[str]
    missing_documentation: list[str]
    decided_by: str | None
    decided_role: str
    decided_at: datetime


class CaseOut(Schema):
    id: int
    number: str
    title: str
    need: str
    strategic_fit: str
    user_impact: str
    status: CaseStatusLiteral
    phase: int | None
    phase_name: str | None
    replaces_system: bool
    replaced_system_name: str
    estimated_contract_value: float | None
    candidate_system: str
    supplier_name: str
    records_case_number: str
    restricted: bool
    unit: UnitOut | None
    coordinator: str | None
    withdrawn_reason: str
    version: int
    created_at: datetime
    updated_at: datetime
    waiting_roles: list[str]
    waiting_now: list[WaitingOut] = Field(
        description="The steps the case waits on now, by the engine's rules (ADR 0020).")
    waiting_in_principle: list[WaitingOut] = Field(
        description="The open segment's other unfinished steps, open only in principle.")
    model: ModelRefOut
    steps: list[StepOut]
    decisions: list[DecisionOut]


class CaseAfterDecisionOut(CaseOut):
    decision: DecisionOut = Field(description="The decision just recorded.")


class CaseSummaryOut(Schema):
    id: int
    number: str
    title: str
    status: CaseStatusLiteral
    phase: int | None
    phase_name: str | None
    unit: UnitOut | None
    waiting_roles: list[str]
    steps_in_progress: list[int]
    updated_at: datetime


class CaseListOut(Schema):
    items: list[CaseSummaryOut]
    next: str | None = Field(description="Path of the next page (query string included), "
                                          "or null on the last page.")


class EventOut(Schema):
    seq: int
    at: datetime
    actor: str | None = Field(description="Username of the person, null for the system.")
    actor_name: str = Field(description="The name recorded in the audit trail.")
    role: str = Field(description="The role the actor acted in (a role key); \"\" when no "
                                  "role was needed; \"operator\", \"cli\" or \"system\" "
                                  "for the installation (ADR 0038).")
    type: str = Field(description="The event type, e.g. step.completed (ADR 0038).")
    object_type: str = Field(description="What the event is about, as a model label, e.g. "
                                         "cases.Case or cases.StepState (ADR 0038).")
    object_id: str
    before: Any
    after: Any
    request_id: str


class EventListOut(Schema):
    items: list[EventOut]
    next: str | None


# --- the process model's versions and checks (issue 17) ---------------------------------------


class ModelVersionOut(Schema):
    id: int
    key: str
    version: int
    sha256: str
    shared: bool = Field(description="The installation's shared default, not the municipality's own.")
    current: bool = Field(description="The version new cases start on (the municipality's, or "
                                      "the forvaltning's in unit_id).")
    published_at: datetime | None
    published_by: str | None = Field(description="The administrator's name; null from the CLI.")
    published_via: Literal["web", "cli", "shipped", "pinned"] | None = Field(
        description="web, cli, shipped (the model anskaf comes with), pinned (kept when a newer "
                    "shared version came), or null (stored before publishing).")
    reason: str | None
    unit_id: int | None = Field(description="The forvaltning whose own version it is; null for "
                                            "the municipality's and the shared ones.")
    adopted_from_id: int | None = Field(
        description="The shared version this one descends from.")


class ModelVersionDetailOut(ModelVersionOut):
    content: str


class ModelProblemOut(Schema):
    line: int | None
    message: str


class ModelStepDiffOut(Schema):
    key: str
    title: str
    old_number: int | None
    new_number: int | None
    status: Literal["added", "removed", "changed", "moved", "renumbered"]
    changes: list[str]


class ModelDiffOut(Schema):
    model: list[str]
    steps: list[ModelStepDiffOut]


class ModelCheckOut(Schema):
    valid: bool
    sha256: str
    unchanged: bool = Field(description="The content is the current version's.")
    current_version_id: int
    problems: list[ModelProblemOut]
    warnings: list[str]
    diff: ModelDiffOut | None = Field(description="Against the current version; null if invalid.")


class PreviewGateOut(Schema):
    question: str
    deciding_roles: list[str]
    outcomes: list[str]


class PreviewStepOut(Schema):
    key: str
    number: int
    title: str
    performers: list[str] = Field(description="The roles that perform the step (Danish labels).")
    checklist: list[str]
    documents: list[str] = Field(description="The document types; required ones say so.")
    gate: PreviewGateOut | None
    only_when_replacing: bool = Field(description="Applies only when a system is replaced.")
    rules: list[str]


class PreviewPhaseOut(Schema):
    key: str
    number: int
    name: str
    steps: list[PreviewStepOut]


class ModelPreviewOut(Schema):
    sha256: str
    key: str
    name: str
    step_count: int
    replace_only_count: int = Field(
        description="Steps that apply only when the acquisition replaces a system.")
    phases: list[PreviewPhaseOut]


class NewerSharedOut(Schema):
    adopted_version_id: int
    newest_version_id: int
    newest_version: int
    diff: ModelDiffOut


class ModelVersionListOut(Schema):
    items: list[ModelVersionOut]
    newer_shared: NewerSharedOut | None = Field(
        description="A newer shared version than the one the municipality's model descends "
                    "from, with what changed in it; null when there is none.")


class MigrationStepOut(Schema):
    key: str
    title: str
    old_number: int | None
    new_number: int | None
    status: Literal["not_started", "in_progress", "done", "not_relevant"]
    title_before: str | None = None


class CaseMigrationOut(Schema):
    case_id: int
    case_number: str
    case_title: str
    from_version_id: int
    from_sha256: str
    to_version_id: int
    to_sha256: str
    mapped: list[MigrationStepOut]
    new: list[MigrationStepOut]
    removed: list[MigrationStepOut]
    refusals: list[str] = Field(description="Why the case cannot move (empty: it can).")
    changes: list[str] = Field(description="What changes for the case, in Danish.")


class MigrationDryRunOut(Schema):
    items: list[CaseMigrationOut]


class MigrationResultOut(Schema):
    migrated: list[CaseMigrationOut]
    refused: list[CaseMigrationOut]
