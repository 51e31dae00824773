"""The audit vocabulary (ADR 0038): every event type the code appends, with the object it is
about and the fields its before/after may hold; the names of the objects; what `actor_role`
means. `audit_append` refuses anything not declared here, so the trail holds one vocabulary.

Object types are model labels (`cases.Case`, `orgs.User`): one name per kind of object, the
same in every app. Events written before this vocabulary keep their stored names (the hash
chain covers them, history is never rewritten); `object_type_name` maps those old names to
the labels wherever the trail is shown.

`actor_role` is the role the actor acted in: the role key (`coordinator`, `it_board`,
`admin`, ...) that allowed the action; "" when no role did (a person acting in their own
name: signing in, their own preferences, filters, deputies and comments; or as the person a
case names: its coordinator or a step's assignee); `operator` for the installation's
operators; `cli` for the command line (`anskaf ...`, no person) and `system` for the
installation itself (the worker, an upgrade; no person).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from typing import Any

# --- actor_role -------------------------------------------------------------------------------

SYSTEM = "system"  # no person: the worker, a scheduled job, an upgrade
CLI = "cli"  # no person: the operator's command line
OPERATOR = "operator"  # an installation operator (web or API), who holds no municipal role
PERSONAL = ""  # a person acting in their own name, no role needed
MARKERS = frozenset({SYSTEM, CLI, OPERATOR, PERSONAL})
NO_PERSON = frozenset({SYSTEM, CLI})

# The municipal roles (orgs.choices.Role) register themselves here (orgs' AppConfig.ready):
# audit sits below orgs and imports nothing of it.
_ROLE_KEYS: set[str] = set()


def register_roles(keys: Iterable[str]) -> None:
    _ROLE_KEYS.update(keys)


def role_keys() -> frozenset[str]:
    return frozenset(_ROLE_KEYS)


def no_person_role(via: str) -> str:
    """`actor_role` of a change made without a person: the command line, or the system."""
    return CLI if via == "cli" else SYSTEM


# --- object types -----------------------------------------------------------------------------

# The objects that are no model: their label names what the object id holds.
NON_MODEL_OBJECTS = {
    "orgs.CsvImport": "a CSV import of units or people (the object id names which)",
}

# The names written before this vocabulary (ADR 0038), by what they are now. The events keep
# them (the chain's hashes cover them); `object_type_name` shows the label instead.
LEGACY_OBJECT_TYPES = {
    "case": "cases.Case",
    "step": "cases.StepState",
    "decision": "cases.Decision",
    "saved_filter": "cases.SavedFilter",
    "model_version": "cases.ModelVersion",
    "referral": "meetings.Referral",
    "meeting": "meetings.Meeting",
    "agenda_item": "meetings.AgendaItem",
    "question": "meetings.Question",
    "minutes": "meetings.MinutesRevision",
    "person": "orgs.User",
    "user": "orgs.User",
    "membership": "orgs.Membership",
    "unit": "orgs.OrgUnit",
    "organisation": "orgs.Organisation",
    "sso_provider": "orgs.SsoProvider",
    "deputy": "orgs.Deputy",
    "import": "orgs.CsvImport",
    "api_token": "api.ApiToken",
    "comment": "discussion.Comment",
    "outbox_message": "notifications.OutboxMessage",
    "document": "documents.Document",
    "template": "documents.OrgTemplate",
    "tender_threshold": "portfolio.TenderThreshold",
    "TenderThreshold": "portfolio.TenderThreshold",
    "System": "portfolio.System",
    "CaseSystem": "portfolio.CaseSystem",
    "Contract": "portfolio.Contract",
    "DataProcessingAgreement": "portfolio.DataProcessingAgreement",
    "KitosSync": "portfolio.KitosSync",
    "ThresholdConfirmation": "portfolio.ThresholdConfirmation",
}


def object_type_name(stored: str) -> str:
    """The label of a stored object type: an old name mapped, a label as it is."""
    return LEGACY_OBJECT_TYPES.get(stored, stored)


def object_type_names(label: str) -> list[str]:
    """Every name an object type has been stored under (to filter events by a label)."""
    return [label, *sorted(old for old, new in LEGACY_OBJECT_TYPES.items() if new == label)]


# --- event types ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EventType:
    """One kind of event: its name ("thing.verb"), the object type it is about (a model label),
    and the fields its before/after may hold (each a dict of some of them, or None)."""

    name: str
    object_type: str
    fields: frozenset[str]
    # Can an event of this type change anyone's tasks (Mine opgaver)? The task counter is kept
    # under the newest event that can (ChainHead.work_hash, ADR 0044). True unless declared
    # otherwise, so a new event type is taken to move work until shown it cannot; a callable
    # decides from the event's before/after.
    moves_work: bool | Callable[[Any, Any], bool] = True
    # Does the work it moves belong to its own case alone (the case's row, its steps and
    # decisions)? Then, with a case id, only that case's part of the task lists is recomputed
    # (CaseWorkHead, ADR 0045); anything else that moves work moves every case's part.
    case_local: bool = False

    def may_move_work(self, before: Any, after: Any) -> bool:
        if callable(self.moves_work):
            return self.moves_work(before, after)
        return self.moves_work

    def payload_problem(self, before: Any, after: Any) -> str | None:
        for side, value in (("before", before), ("after", after)):
            if value is None:
                continue
            if not isinstance(value, dict):
                return f"{self.name}: {side} must be a dict or None, not {type(value).__name__}"
            unknown = set(value) - self.fields
            if unknown:
                return f"{self.name}: {side} holds undeclared field(s) {sorted(unknown)}"
        return None


EVENTS: dict[str, EventType] = {}
_NAME = re.compile(r"^[a-z][a-z_]*\.[a-z][a-z_]*$")


def declare(name: str, object_type: str, fields: str, *,
            moves_work: bool | Callable[[Any, Any], bool] = True,
            case_local: bool = False) -> EventType:
    """Declare an event type; `fields` is a space-separated list. `moves_work=False` only for
    a write that touches nothing a task is computed from (see EventType.moves_work);
    `case_local=True` only for one that touches nothing but its own case (EventType.case_local)."""
    if not _NAME.match(name) or name in EVENTS:
        raise ValueError(f"bad or repeated event type {name!r}")
    event = EventType(name, object_type, frozenset(fields.split()), moves_work, case_local)
    EVENTS[name] = event
    return event


class UndeclaredEvent(ValueError):
    """An append that the vocabulary does not allow: a programming error, never written."""


def check(event_type: str, actor: Any, actor_role: str, before: Any, after: Any) -> EventType:
    """The declaration of `event_type`; UndeclaredEvent when the event, its payload or its
    actor_role is not in the vocabulary."""
    event = EVENTS.get(event_type)
    if event is None:
        raise UndeclaredEvent(f"undeclared audit event type {event_type!r} (audit/events.py)")
    problem = event.payload_problem(before, after)
    if problem is not None:
        raise UndeclaredEvent(problem)
    if actor_role not in MARKERS and actor_role not in _ROLE_KEYS:
        raise UndeclaredEvent(f"{event_type}: actor_role {actor_role!r} is no role")
    if actor is None and actor_role not in NO_PERSON:
        raise UndeclaredEvent(f"{event_type}: without a person actor_role is cli or system, "
                              f"not {actor_role!r}")
    if actor is not None and actor_role in NO_PERSON:
        raise UndeclaredEvent(f"{event_type}: a person acts in a role, not as {actor_role!r}")
    return event


# --- the vocabulary ---------------------------------------------------------------------------
# Grouped by the app that appends them. Fields: the keys its before/after may hold.

_CASE = ("number title need strategic_fit user_impact candidate_system supplier_name "
         "replaces_system replaced_system_name estimated_contract_value records_case_number "
         "unit status restricted")
_MOVE = "status steps"  # a move's before/after: the case's status, the steps' statuses
_DECISION = ("step round outcome rationale recommendations it_contacts "
             "missing_documentation")
_STEP = "status remarks checked not_relevant_reason version"


def declare_quiet(name: str, object_type: str, fields: str) -> EventType:
    """An event type that moves nobody's work (ADR 0044): a task is computed only from the
    cases' status and summary, their steps' status, ticks and assignees, the board's
    referrals and the people's access, and an event of this type changes none of them."""
    return declare(name, object_type, fields, moves_work=False)


def _step_edit_moves_work(before: Any, after: Any) -> bool:
    """Remarks move nobody's work; a tick can, when it is the step's first or its last one
    taken away: a ticked step counts as started (process.engine.started)."""
    before, after = before or {}, after or {}
    rest = ("remarks", "version", "checked")
    if ({k: v for k, v in before.items() if k not in rest}
            != {k: v for k, v in after.items() if k not in rest}):
        return True
    return bool(before.get("checked")) != bool(after.get("checked"))


# cases: each moves the work of its own case only (the case's row, its steps, its decisions)
declare_case = partial(declare, case_local=True)
declare_case("case.created", "cases.Case", _CASE + " answered_checklist")
declare_case("case.updated", "cases.Case", _CASE)
declare_case("case.withdrawn", "cases.Case", "status reason")
declare_case("case.handed_over", "cases.Case", "coordinator reason steps")
declare_case("case.model_migrated", "cases.Case",
             "version sha256 key via new_steps removed_steps renumbered changes")
declare_case("step.started", "cases.StepState", _STEP)  # object id: "<case>:<step number>"
declare_case("step.updated", "cases.StepState", _STEP, moves_work=_step_edit_moves_work)
declare_case("step.completed", "cases.StepState", _MOVE + " reason saved")
declare_case("step.not_relevant", "cases.StepState", _MOVE + " reason")
declare_case("step.reopened", "cases.StepState", _MOVE + " reason")
declare_case("step.requirement_waived", "cases.StepState", "item waived")
declare_case("step.requirement_restored", "cases.StepState", "item waived")
declare_case("step.assigned", "cases.StepState", "assignee")
declare_case("decision.recorded", "cases.Decision", _MOVE + " " + _DECISION)
declare_quiet("saved_filter.created", "cases.SavedFilter", "name query")
declare_quiet("saved_filter.updated", "cases.SavedFilter", "name query")
declare_quiet("saved_filter.deleted", "cases.SavedFilter", "name query")
declare("model.published", "cases.ModelVersion",
        "version key sha256 reason via unit shared restored_from adopted_shared")
declare("model.pinned", "cases.ModelVersion", "version sha256 shared_version via")
declare("model.shared_published", "cases.ModelVersion", "version key sha256 reason via pinned")

# meetings (the IT board)
_MEETING = "title state starts_at ends_at place online_link series recurrence_weeks"
declare("meeting.case_put_forward", "meetings.Referral", "round note gaps reason")
declare("meeting.scheduled", "meetings.Meeting", _MEETING + " participants")
declare("meeting.agenda_published", "meetings.Meeting", "state items")
declare("meeting.held", "meetings.Meeting", "state")
declare("meeting.item_added", "meetings.AgendaItem", "meeting order title round notes")
declare("meeting.item_moved", "meetings.AgendaItem", "order")
declare("meeting.item_removed", "meetings.AgendaItem", "meeting order title")
declare("meeting.item_updated", "meetings.AgendaItem", "notes supplier_meeting_needed")
declare("meeting.outcome_recorded", "meetings.AgendaItem", "meeting decision outcome round")
declare_quiet("meeting.question_asked", "meetings.Question", "item addressed_to text")
declare_quiet("meeting.question_answered", "meetings.Question", "status answer")
declare_quiet("meeting.minutes_generated", "meetings.MinutesRevision", "number text")
declare_quiet("meeting.minutes_edited", "meetings.MinutesRevision", "text")
declare_quiet("meeting.minutes_approved", "meetings.MinutesRevision", "state approved number")
declare_quiet("meeting.minutes_corrected", "meetings.MinutesRevision", "number text reason")

# documents
declare_quiet("document.uploaded", "documents.Document",
        "step type type_title title version name size sha256 content_type")
declare_quiet("document.journalised", "documents.Document",
        "title version records_number adapter package_sha256")
declare_quiet("case.journalised", "cases.Case", "records_number adapter package_sha256 files")
declare_case("case.imported", "cases.Case",
             "name sha256 size layout document replaces_system counts steps decisions remarks "
             "replaced_characters notes")
declare_quiet("template.uploaded", "documents.OrgTemplate", "title step name sha256")
declare_quiet("template.deleted", "documents.OrgTemplate", "title step sha256")

# discussion, notifications
declare_quiet("comment.created", "discussion.Comment", "body step mentions")
declare_quiet("comment.updated", "discussion.Comment", "body step mentions")
declare_quiet("comment.deleted", "discussion.Comment", "body step mentions")
declare_quiet("step.deadline_set", "cases.StepState", "due_date")
declare_quiet("notification_preferences.updated", "orgs.User",  # by notification kind: its mode
        "step_opened step_assigned decision agenda deadline deputy handover mention model")
declare_quiet("outbox.retried", "notifications.OutboxMessage", "status attempts")

# orgs: people, units, roles, sign-on, the municipality's settings
_PERSON = "username full_name email unit is_active login"
_ORG = "name slug cvr suspended suspended_reason"
declare("unit.created", "orgs.OrgUnit", "name kind parent")
declare("unit.updated", "orgs.OrgUnit", "name kind parent")
declare("person.created", "orgs.User", _PERSON)
declare("person.updated", "orgs.User", _PERSON)
declare_quiet("person.password_set", "orgs.User", "username")
declare("person.sso_created", "orgs.User", "username email name")
declare("person.sso_roles_synced", "orgs.User", "roles claim")
declare("person.invitation_accepted", "orgs.User", "username")
declare("role.added", "orgs.Membership", "person username role unit unit_name")
declare("role.removed", "orgs.Membership", "person username role unit unit_name")
declare("deputy.added", "orgs.Deputy", "person deputy starts_on ends_on")
declare("deputy.removed", "orgs.Deputy", "person deputy starts_on ends_on")
declare("orgs.csv_imported", "orgs.CsvImport",
        "file what created updated unchanged roles_added refused format sheet")
# organisation_id: the municipality, in the installation's copy of an operator's change
_PROVIDER = ("issuer client_id client_secret_set role_claim username_claim role_map "
             "authorization_endpoint token_endpoint userinfo_endpoint jwks_uri sign_algo "
             "organisation_id")
declare_quiet("sso.provider_registered", "orgs.SsoProvider", _PROVIDER + " client_secret_changed")
declare_quiet("sso.provider_changed", "orgs.SsoProvider", _PROVIDER + " client_secret_changed")
declare_quiet("sso.provider_removed", "orgs.SsoProvider", _PROVIDER)
declare("organisation.settings_changed", "orgs.Organisation",
        "kitos_url kitos_email kitos_organisation_uuid sender_email archive_authority "
        "accessibility_url kitos_password_set kitos_password_changed organisation_id")
declare_quiet("api_token.revoked", "api.ApiToken", "user username name")

# installation (the operator): in the municipality's chain and the installation's own
declare("organisation.created", "orgs.Organisation", _ORG + " units admin via")
declare("organisation.suspended", "orgs.Organisation", _ORG + " via")
declare("organisation.resumed", "orgs.Organisation", _ORG + " via")
declare("organisation.offboarded", "orgs.Organisation",
        _ORG + " chain_head reason export_sha256 export_name rows files via")
declare("organisation.offboard_requested", "orgs.Organisation", _ORG + " reason via")
declare("organisation.offboard_failed", "orgs.Organisation", _ORG + " error via")
declare("operator.added", "orgs.User", "username email is_operator via")

# portfolio: systems, contracts, DPAs, thresholds, KITOS
_SYSTEM = ("name supplier purpose notes owner_unit_id system_owner_id hosting personal_data "
           "case_records lifecycle kitos_uuid kitos_system_uuid predecessor_id case_id")
_CONTRACT = ("number supplier start_date duration_months option_count option_months "
             "options_used notice_months notice_to terminated_on annual_cost")
_DPA = ("supplier signed_on sub_processors third_countries oversight_method "
        "oversight_interval_months last_oversight_on case_id")
declare("system.created", "portfolio.System", _SYSTEM)
declare("system.updated", "portfolio.System", _SYSTEM)
declare("system.lifecycle_changed", "portfolio.System", "lifecycle case_id")
declare("system.archive_assessed", "portfolio.System",
        "archive_decision archive_plan archive_assessed_by_id case_id")
declare("system.imported", "portfolio.System", "file created updated")  # object id: None
declare("portfolio.acquired_system_linked", "portfolio.CaseSystem", "case_id system_id")
declare("portfolio.replaced_system_linked", "portfolio.CaseSystem", "case_id system_id")
declare("contract.created", "portfolio.Contract", _CONTRACT)
declare("contract.updated", "portfolio.Contract", _CONTRACT)
declare("contract.notice_decided", "portfolio.Contract",
        "notice_decision_on notice_decision_for")
declare("dpa.created", "portfolio.DataProcessingAgreement", _DPA)
declare("dpa.updated", "portfolio.DataProcessingAgreement", _DPA)
declare("dpa.oversight_recorded", "portfolio.DataProcessingAgreement",
        "done_on method result notes document_ref oversight_id last_oversight_on "
        "next_oversight_on")
declare("threshold.created", "portfolio.TenderThreshold",
        "valid_from valid_to amount kind source via")
declare("threshold.confirmed", "portfolio.ThresholdConfirmation", "case_id value threshold")
declare("kitos.queued", "portfolio.KitosSync", "case_id system_id lifecycle")
declare("kitos.registered", "portfolio.KitosSync",
        "case_id status error kitos_uuid contract_id contract_kitos_uuid")
declare("kitos.failed", "portfolio.KitosSync",
        "case_id status error kitos_uuid contract_id contract_kitos_uuid")
