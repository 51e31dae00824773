"""One audit vocabulary (ADR 0038): every append names a declared event type, writes only its
declared fields, gets its object type from the declaration and an actor_role from one set;
events written before under the old names still verify and read as labels."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.apps import apps
from django.db import transaction

from anskaf.audit import events
from anskaf.audit.models import AuditEvent, ChainHead
from anskaf.audit.services import _chain, audit_append, audit_verify
from anskaf.cases.serializers import event_dict
from anskaf.orgs.choices import Role

pytestmark = pytest.mark.django_db

SOURCE = Path(__file__).resolve().parents[2]  # the anskaf package
APPENDERS = {"audit_append", "_audit", "_audit_installation", "_audit_municipality",
             "_audit_both"}


def _sources() -> list[Path]:
    return [p for p in SOURCE.rglob("*.py")
            if "tests" not in p.parts and "migrations" not in p.parts]


def _event_names(node: ast.AST) -> list[str]:
    """The event type literals a call's argument can be ("a.b", or either of `x if c else y`)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str) \
            and events._NAME.match(node.value):
        return [node.value]
    if isinstance(node, ast.IfExp):
        return _event_names(node.body) + _event_names(node.orelse)
    return []


def _appended_literals() -> dict[str, list[str]]:
    """Every event type literal handed to the append function or its context wrappers."""
    found: dict[str, list[str]] = {}
    for path in _sources():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            if name not in APPENDERS:
                continue
            args = [*node.args, *(k.value for k in node.keywords if k.arg == "event_type")]
            for arg in args:
                for event in _event_names(arg):
                    found.setdefault(event, []).append(f"{path.name}:{node.lineno}")
    return found


def test_every_event_type_the_code_appends_is_declared():
    appended = _appended_literals()
    assert len(appended) > 50  # the scan finds the appends (it would pass vacuously else)
    assert {e: where for e, where in appended.items() if e not in events.EVENTS} == {}


def test_every_declared_event_type_is_appended_somewhere():
    """No stale declaration: each name is written by the code (as a literal, or through the
    mappings that choose one, like the comment and link events)."""
    text = "\n".join(p.read_text(encoding="utf-8") for p in _sources()
                     if p.name != "events.py")
    assert [e for e in events.EVENTS if f'"{e}"' not in text] == []


def test_object_types_are_model_labels():
    for event in events.EVENTS.values():
        if event.object_type in events.NON_MODEL_OBJECTS:
            continue
        model = apps.get_model(event.object_type)
        assert model._meta.label == event.object_type


def test_every_old_object_type_name_maps_to_a_label_in_use():
    in_use = {e.object_type for e in events.EVENTS.values()}
    assert set(events.LEGACY_OBJECT_TYPES.values()) <= in_use
    assert events.object_type_name("person") == events.object_type_name("user") == "orgs.User"
    assert events.object_type_name("System") == "portfolio.System"
    assert events.object_type_name("cases.Case") == "cases.Case"
    assert events.object_type_names("orgs.User") == ["orgs.User", "person", "user"]


def test_actor_role_is_a_role_of_the_municipality_or_one_of_the_markers():
    assert events.role_keys() == frozenset(Role.values)
    assert {"", "operator", "cli", "system"} == events.MARKERS


def _append(org, **fields):
    values = {"organisation_id": org.pk, "actor": None, "actor_role": "cli",
              "event_type": "api_token.revoked", "object_id": 1,
              "before": {"user": 1, "username": "x", "name": "t"}, **fields}
    with transaction.atomic():
        return audit_append(**values)


def test_an_append_takes_its_object_type_from_the_declaration(org):
    event = _append(org)
    assert event.object_type == "api.ApiToken"
    assert audit_verify(org.pk).ok


@pytest.mark.parametrize(("fields", "problem"), [
    ({"event_type": "token.revoked"}, "undeclared audit event type"),
    ({"before": {"user": 1, "password": "x"}}, "undeclared field"),
    ({"after": ["not", "a", "dict"]}, "must be a dict"),
    ({"actor_role": "superuser"}, "is no role"),
    ({"actor_role": "admin"}, "without a person"),
    ({"actor_role": ""}, "without a person"),
])
def test_an_append_outside_the_vocabulary_is_refused_and_nothing_is_written(org, fields,
                                                                            problem):
    with pytest.raises(events.UndeclaredEvent, match=problem):
        _append(org, **fields)
    assert not AuditEvent.objects.filter(organisation=org).exists()
    assert not ChainHead.objects.filter(organisation=org).exists()


def test_a_person_acts_in_a_role_not_as_the_system(org, coordinator):
    with pytest.raises(events.UndeclaredEvent, match="a person acts in a role"):
        _append(org, actor=coordinator, actor_role="system")
    event = _append(org, actor=coordinator, actor_role="coordinator")
    assert (event.actor_id, event.actor_role) == (coordinator.pk, "coordinator")


def _old_event(org, actor, role, event_type, object_type, after):
    """An event as an earlier release wrote it: its own words, linked into the chain."""
    with transaction.atomic():
        return _chain(organisation_id=org.pk, actor=actor, actor_role=role,
                      declared=events.EventType(event_type, object_type, frozenset()),
                      object_id=7,
                      case_id=None, before=None, after=after)


def test_a_chain_written_with_the_old_names_still_verifies_and_reads_as_labels(org, coordinator):
    old = [
        _old_event(org, coordinator, "", "person.sso_created", "person", {"username": "a"}),
        _old_event(org, None, "system", "kitos.failed", "KitosSync", {"error": "x"}),
        _old_event(org, coordinator, "archive", "portfolio.acquired_system_linked",
                   "CaseSystem", {"case_id": 1, "system_id": 2}),
        _old_event(org, coordinator, "admin", "notification_preferences.updated", "user",
                   {"mention": "digest"}),
    ]
    new = _append(org, actor=coordinator, actor_role="coordinator")
    report = audit_verify(org.pk)
    assert report.ok and report.events == 5
    stored = AuditEvent.objects.filter(pk__in=[e.pk for e in old]).order_by("seq")
    assert [e.object_type for e in stored] == ["person", "KitosSync", "CaseSystem", "user"]
    assert [event_dict(e)["object_type"] for e in [*stored, new]] == [
        "orgs.User", "portfolio.KitosSync", "portfolio.CaseSystem", "orgs.User",
        "api.ApiToken"]


def test_only_the_audit_service_links_events_into_the_chain():
    """One function: nobody else creates events or calls the chain's writer."""
    offenders = []
    for path in _sources():
        if path.parent.name == "audit":
            continue
        text = path.read_text(encoding="utf-8")
        if re.search(r"\b_chain\(|AuditEvent\.objects\.(bulk_)?create|AuditEvent\(", text):
            offenders.append(path.name)
    assert offenders == []
