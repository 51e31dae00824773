"""Templates, the case package and the Word import (anskaf/documents/permissions.py)."""

from __future__ import annotations

from anskaf import testing
from anskaf.documents.permissions import (
    TEMPLATE_REFUSAL,
    import_refusal,
    package_refusal,
    template_refusal,
)


def test_templates_are_kept_by_administrators(org, coordinator):
    admin = testing.make_user(org, "chef", "admin", password=None)
    assert template_refusal(admin) is None
    assert template_refusal(coordinator) == TEMPLATE_REFUSAL


def test_the_whole_case_is_journalised_by_its_managers_and_administrators(org, case, coordinator,
                                                                          requester, manager):
    admin = testing.make_user(org, "chef", "admin", password=None)
    for person in (coordinator, manager, admin):
        assert package_refusal(person, case) is None
    assert package_refusal(requester, case) is not None


def test_a_case_is_imported_from_word_by_a_coordinator_or_an_administrator(org, coordinator,
                                                                            requester):
    admin = testing.make_user(org, "chef", "admin", password=None)
    assert import_refusal(coordinator) is None and import_refusal(admin) is None
    assert import_refusal(requester) is not None
