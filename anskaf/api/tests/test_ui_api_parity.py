"""The API covers what the UI does (issue 19, item 13).

Walks every URL pattern of the web UI and every operation of the OpenAPI description: each UI
page is either a reading page, an action with its API operation(s), or an exception with a
reason. A new UI action without an API counterpart (or without a reason) fails here. And every
closed set of values is an enum in the description.
"""

from __future__ import annotations

import inspect
import json
import re
from typing import Any

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from anskaf.api.urls import api
from anskaf.cases import views as case_views
from anskaf.meetings import views as meeting_views

# UI action (URL name, or URL name:action for the pages that dispatch on a slug) -> the API
# operation(s) that do the same through the same service.
ACTIONS: dict[str, tuple[str, ...]] = {
    "cases:case_create": ("case_create",),
    "documents:guide_import": ("case_import_preview", "case_import"),
    "cases:case_edit": ("case_update",),
    "cases:case_withdraw": ("case_withdraw",),
    "cases:case_handover": ("case_handover",),
    "cases:step_action:gem": ("step_update",),
    "cases:step_action:gennemfoer": ("step_update", "step_complete"),
    "cases:step_action:paabegynd": ("step_update",),
    "cases:step_action:ikke-relevant": ("step_mark_not_relevant",),
    "cases:step_action:genaabn": ("step_reopen",),
    "cases:step_action:beslut": ("decision_record",),
    "cases:step_action:tildel": ("step_update",),
    "cases:step_action:krav": ("step_requirement_set",),
    "cases:model_check": ("model_check",),
    "cases:model_preview": ("model_preview",),
    "cases:model_publish": ("model_publish",),
    "cases:model_rollback": ("model_republish",),
    "cases:model_adopt": ("model_adopt_shared",),
    "cases:model_migrate": ("model_migrate",),
    "documents:upload": ("step_documents_upload",),
    "documents:journalise": ("document_journalise",),
    "documents:case_journalise": ("case_journalise",),
    "notifications:mark_read": ("notification_mark_read",),
    "notifications:mark_all_read": ("notification_mark_all_read",),
    "notifications:preferences": ("notification_preferences_get", "notification_preferences_set"),
    "notifications:step_deadline": ("deadline_list", "deadline_set"),
    "notifications:outbox_retry": ("outbox_retry",),
    "meetings:meeting_create": ("meeting_schedule",),
    "meetings:put_forward": ("case_put_forward",),
    "meetings:meeting_action:tilfoej-sag": ("agenda_item_add",),
    "meetings:meeting_action:tilfoej-punkt": ("agenda_item_add",),
    "meetings:meeting_action:flyt": ("agenda_item_move",),
    "meetings:meeting_action:fjern": ("agenda_item_remove",),
    "meetings:meeting_action:udsend": ("meeting_publish",),
    "meetings:meeting_action:punkt": ("agenda_item_update",),
    "meetings:meeting_action:spoerg": ("question_ask",),
    "meetings:meeting_action:svar": ("question_answer",),
    "meetings:meeting_action:udfald": ("outcome_record",),
    "meetings:meeting_action:afholdt": ("meeting_hold",),
    "meetings:meeting_action:dan-referat": ("meeting_minutes",),
    "meetings:meeting_action:ret-kladde": ("meeting_minutes_edit",),
    "meetings:meeting_action:godkend-referat": ("meeting_minutes_approve",),
    "meetings:meeting_action:ret-referat": ("meeting_minutes_correct",),
    "portfolio:system_create": ("system_create",),
    "portfolio:system_edit": ("system_update",),
    "portfolio:contract_create": ("contract_create",),
    "portfolio:contract_notice_decided": ("contract_notice_decided",),
    "portfolio:dpa_create": ("dpa_create",),
    "portfolio:case_link": ("case_system_list", "case_system_link"),
    "portfolio:kitos_register": ("kitos_status", "kitos_register"),
    "portfolio:archive_assess": ("archive_assessment_record",),
    "portfolio:threshold_confirm": ("threshold_confirm",),
    "portfolio:threshold_admin": ("threshold_list", "threshold_create"),
    "portfolio:contract_edit": ("contract_get", "contract_update"),
    "portfolio:dpa_edit": ("dpa_get", "dpa_update"),
    "portfolio:dpa_oversight": ("dpa_oversight_list", "dpa_oversight_record"),
    "discussion:comment_create": ("comment_list", "comment_create"),
    "discussion:comment_edit": ("comment_edit",),
    "discussion:comment_delete": ("comment_delete",),
    "meetings:documentation_forward": ("documentation_put_forward",),
    "notifications:operations": ("operations_status", "outbox_retry"),
    "web:my_deputies": ("deputy_list", "deputy_add", "deputy_remove"),
    "orgs:csv_import": ("org_import_preview",),
    "orgs:import_commit": ("org_import_commit",),
    # The installation's operator (ADR 0030).
    "installation:overview": ("installation_org_list", "installation_status",
                              "installation_offboarded_list"),
    "installation:org_create": ("installation_org_create",),
    "installation:org_detail": ("installation_org_get",),
    "installation:org_suspend": ("installation_org_suspend",),
    "installation:org_resume": ("installation_org_resume",),
    "installation:org_offboard": ("installation_org_offboard",),
    "installation:org_sso": ("installation_org_sso_get", "installation_org_sso_save"),
    "installation:org_sso_remove": ("installation_org_sso_remove",),
    "installation:shared_models": ("installation_shared_model_list",),
    "installation:shared_model_publish": ("installation_shared_model_publish",),
    "installation:thresholds": ("installation_threshold_list", "installation_threshold_create"),
    "cases:saved_filter_save": ("saved_filter_list", "saved_filter_create"),
    "cases:saved_filter_delete": ("saved_filter_delete",),
    # A municipality's own sign-on and settings (issue 18, ADR 0031).
    "orgs:sso_provider": ("sso_provider_get", "sso_provider_save"),
    "orgs:sso_provider_remove": ("sso_provider_remove",),
    "orgs:municipality_settings": ("municipality_settings_get", "municipality_settings_save"),
    "portfolio:kitos_test": ("kitos_connection_test",),
    # Reading pages whose content a client needs as data.
    "cases:my_tasks": ("task_list",),
    "cases:case_list": ("case_list",),
    "cases:case_detail": ("case_get", "case_events"),
    "notifications:centre": ("notification_list",),
    "portfolio:system_list": ("system_list",),
    "portfolio:system_detail": ("system_get", "contract_list", "dpa_list"),
    "portfolio:threshold_tasks": ("threshold_list",),
    "documents:download": ("document_version_download",),
    "meetings:board": ("board_queue", "meeting_list"),
    "meetings:meeting_detail": ("meeting_get",),
    "cases:model_admin": ("model_version_list",),
    "cases:model_version_download": ("model_version_get",),
    "cases:model_version_bpmn": ("model_version_bpmn",),
    "cases:model_bpmn_download": ("model_version_bpmn",),
    "cases:model_migrations": ("model_migration_dry_run",),
}

# UI actions without an API operation, each with its reason.
EXCEPTIONS: dict[str, str] = {
    "orgs:unit_create": "Organisation administration (units, people, roles) is provisioned by "
                        "SSO and the CSV import, by the installation's administrators; no "
                        "client integration needs it (ADR 0005).",
    "orgs:unit_edit": "As orgs:unit_create.",
    "orgs:person_create": "As orgs:unit_create.",
    "orgs:person_edit": "As orgs:unit_create.",
    "orgs:role_add": "As orgs:unit_create.",
    "orgs:role_remove": "As orgs:unit_create.",
    "portfolio:system_import": "A KITOS export file is imported by hand; KITOS itself is the "
                               "system-to-system interface.",
    "documents:template_admin": "The organisation's document templates are an administrator's "
                                "upload page; templates are read as files, not data.",
    "documents:template_delete": "As documents:template_admin.",
    "invitation": "The invitation e-mail's one-time link where a person chooses a password; "
                  "a person without a password has no API token either.",
}

# Pages that only show or export what the API already gives as data (or are not the API's).
NOT_ACTIONS: dict[str, str] = {
    "healthz": "operations", "readyz": "operations", "login": "session login",
    "login_org": "session login, to the municipality's own provider",
    "logout": "session logout", "web:home": "redirect", "web:accessibility": "static text",
    "orgs:overview": "administration", "orgs:unit_list": "administration",
    "orgs:person_list": "administration", "orgs:person_detail": "administration",
    "orgs:csv_template": "CSV file template", "orgs:xlsx_template": "XLSX file template",
    "notifications:outbox": "administration",
    "documents:guide_pdf": "export of case_get", "documents:guide_docx": "export of case_get",
    "documents:template_download": "a template file",
    "meetings:agenda_pdf": "export of meeting_get", "meetings:minutes_pdf": "export of meeting_get",
    "meetings:meeting_ics": "calendar file of meeting_get",
    "portfolio:system_search": "system_list?q=",
    "cases:step_detail": "part of case_get", "cases:model_download": "model_version_get",
    "cases:case_part": "read-only parts of case_get (timeline: case_events)",
    "metrics": "Prometheus scrape endpoint (itself machine-readable)",
    "portfolio:contract_export": "CSV export of contract_list",
}

DISPATCHING = {"cases:step_action": sorted(case_views.STEP_ACTIONS),
               "meetings:meeting_action": sorted(meeting_views.MEETING_ACTIONS)}


def _patterns(patterns: list[Any], namespace: str | None = None):
    for p in patterns:
        if isinstance(p, URLResolver):
            if str(p.pattern).startswith(("api/", "oidc/")):
                continue
            yield from _patterns(p.url_patterns, p.namespace or namespace)
        elif isinstance(p, URLPattern):
            yield (f"{namespace}:{p.name}" if namespace else str(p.name)), p.callback


def _handles_post(callback: Any) -> bool:
    try:
        return "POST" in inspect.getsource(inspect.unwrap(callback))
    except (OSError, TypeError):
        return False


def ui_pages() -> dict[str, bool]:
    """Every UI page (URL name, or name:action) -> whether it takes a POST."""
    pages: dict[str, bool] = {}
    for name, callback in _patterns(get_resolver().url_patterns):
        if name in DISPATCHING:
            pages.update({f"{name}:{a}": True for a in DISPATCHING[name]})
        else:
            pages[name] = _handles_post(callback)
    return pages


@pytest.fixture(scope="module")
def operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {op["operationId"] for path in schema["paths"].values() for op in path.values()}


def test_every_ui_page_is_classified():
    pages = ui_pages()
    unknown = sorted(set(pages) - set(ACTIONS) - set(EXCEPTIONS) - set(NOT_ACTIONS))
    assert not unknown, ("UI pages without an API counterpart, an exception or a note "
                         f"(add one to the tables here): {unknown}")
    stale = sorted((set(ACTIONS) | set(EXCEPTIONS) | set(NOT_ACTIONS)) - set(pages))
    assert not stale, f"the tables name pages that no longer exist: {stale}"


def test_no_ui_action_is_listed_as_a_mere_page():
    posting = sorted(n for n, post in ui_pages().items() if post and n in NOT_ACTIONS)
    assert not posting, f"these take a POST, so they need an API operation: {posting}"


def test_every_counterpart_is_an_operation_of_the_api(operations):
    missing = sorted({f"{page} -> {op}" for page, ops in ACTIONS.items() for op in ops
                      if op not in operations})
    assert not missing, f"API operations missing: {missing}"


def test_every_exception_has_a_reason():
    assert all(len(reason) > 10 for reason in EXCEPTIONS.values())


# --- enums ------------------------------------------------------------------------------------


def _closed_sets() -> dict[str, list[str]]:
    from anskaf.cases.choices import CaseStatus, Outcome, StepStatus
    from anskaf.meetings.choices import MeetingState
    from anskaf.notifications.choices import Kind, MailMode
    from anskaf.portfolio.models import (
        ArchiveDecision,
        Hosting,
        Lifecycle,
        LinkKind,
        NoticeTo,
        OversightMethod,
    )

    return {"oversight_method": OversightMethod.values, "notice_to": NoticeTo.values,
            "hosting": Hosting.values, "lifecycle": Lifecycle.values,
            "outcome": Outcome.values, "archive_decision": ArchiveDecision.values,
            "case_status": CaseStatus.values, "step_status": StepStatus.values,
            "meeting_state": MeetingState.values, "notification_kind": Kind.values,
            "mail_mode": MailMode.values, "link_kind": LinkKind.values}


# (schema, property) -> the closed set it holds; every occurrence must be an enum of it.
WHERE = {("DpaOut", "oversight_method"): "oversight_method",
         ("DpaIn", "oversight_method"): "oversight_method",
         ("ContractOut", "notice_to"): "notice_to", ("ContractIn", "notice_to"): "notice_to",
         ("SystemOut", "hosting"): "hosting", ("SystemIn", "hosting"): "hosting",
         ("SystemOut", "lifecycle"): "lifecycle", ("SystemIn", "lifecycle"): "lifecycle",
         ("KitosSyncOut", "lifecycle"): "lifecycle",
         ("DecisionOut", "outcome"): "outcome", ("DecisionIn", "outcome"): "outcome",
         ("ArchiveAssessmentOut", "decision"): "archive_decision",
         ("ArchiveAssessmentIn", "decision"): "archive_decision",
         ("CaseOut", "status"): "case_status", ("StepOut", "status"): "step_status",
         ("MeetingOut", "state"): "meeting_state", ("NotificationOut", "kind"): "notification_kind",
         ("PreferenceOut", "mode"): "mail_mode", ("CaseSystemOut", "kind"): "link_kind",
         ("SavedFilterIn", "status"): "case_status"}


def _enum_of(node: Any) -> list[str] | None:
    """The enum of a property (directly, or in an anyOf/allOf next to null, or behind a $ref)."""
    text = json.dumps(node)
    found = re.findall(r'"enum": (\[[^\]]*\])', text)
    return sorted({v for group in found for v in json.loads(group) if v is not None}) or None


def _components() -> dict[str, Any]:
    schema = api.get_openapi_schema()
    components = schema["components"]["schemas"]
    # Inline request bodies (the hand-read ones) by their title.
    for path in schema["paths"].values():
        for op in path.values():
            body = op.get("requestBody", {}).get("content", {}).get("application/json", {})
            if "title" in body.get("schema", {}):
                components.setdefault(body["schema"]["title"], body["schema"])
    return components


def _resolve(node: Any, components: dict[str, Any]) -> Any:
    if isinstance(node, dict) and "$ref" in node:
        return _resolve(components[node["$ref"].rsplit("/", 1)[-1]], components)
    if isinstance(node, dict):
        return {k: _resolve(v, components) for k, v in node.items()}
    if isinstance(node, list):
        return [_resolve(v, components) for v in node]
    return node


def test_every_closed_set_is_an_enum_in_the_openapi_description():
    closed, components = _closed_sets(), _components()
    problems = []
    for (schema_name, prop), set_name in WHERE.items():
        schema = components.get(schema_name)
        if schema is None or prop not in schema.get("properties", {}):
            problems.append(f"{schema_name}.{prop} is not in the description")
            continue
        enum = _enum_of(_resolve(schema["properties"][prop], components))
        if enum != sorted(closed[set_name]):
            problems.append(f"{schema_name}.{prop}: enum {enum}, expected {closed[set_name]}")
    assert not problems, problems
