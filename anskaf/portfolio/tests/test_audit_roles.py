"""The portfolio's audit events name the role the person acted in (ADR 0038): the role that
allowed the action, not the first of theirs in the alphabet."""

from anskaf import testing
from anskaf.audit.models import AuditEvent
from anskaf.portfolio import services


def test_linking_a_system_names_the_managing_role_not_the_first_in_the_alphabet(org, unit,
                                                                                old_system):
    # "archive" sorts before "coordinator": the old audit named it, though it allows nothing here
    person = testing.make_user(org, "arkiv-koordinator", "archive", "coordinator", unit=unit)
    case = testing.new_case(person)
    services.case_link(actor=person, case_id=case.pk, kind="replaced", system_id=old_system.pk)
    event = AuditEvent.objects.get(event_type="portfolio.replaced_system_linked")
    assert (event.actor_role, event.object_type) == ("coordinator", "portfolio.CaseSystem")


def test_a_writer_acts_in_the_first_allowed_role_they_hold(org, unit):
    # SYSTEM_WRITERS is ("admin", "it", "procurement"): procurement sorts before it, and is named
    # only by someone who holds neither admin nor it
    both = testing.make_user(org, "it-indkob", "procurement", "it", unit=unit)
    assert services.require_role(both, services.SYSTEM_WRITERS, "x") == "it"
    only = testing.make_user(org, "indkob", "procurement", unit=unit)
    assert services.require_role(only, services.SYSTEM_WRITERS, "x") == "procurement"
