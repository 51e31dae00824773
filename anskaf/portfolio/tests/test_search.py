"""Step 2's portfolio search: casefolded parts of words everywhere, Danish stemming on
PostgreSQL."""

import pytest
from django.db import connection

from anskaf.portfolio import selectors
from anskaf.portfolio.models import System


@pytest.fixture
def portfolio(org, outsider):
    def make(organisation, name, purpose=""):
        return System.objects.create(organisation=organisation, name=name, purpose=purpose,
                                     search_text=f"{name} {purpose}".casefold())
    make(org, "Prisme", "Økonomisystem til bogføring og budgetopfølgning")
    make(org, "Acadre", "Journalisering af sager")
    make(outsider.organisation, "Nabo-økonomi", "Økonomisystem")


def test_parts_of_words_and_case_and_æøå(coordinator, portfolio):
    assert [s.name for s in selectors.search(coordinator, "ØKONOMI")] == ["Prisme"]
    assert [s.name for s in selectors.search(coordinator, "journal")] == ["Acadre"]
    assert selectors.search(coordinator, "   ") == []


@pytest.mark.skipif(connection.vendor != "postgresql", reason="Danish stemming is PostgreSQL's")
def test_danish_stemming_on_postgresql(coordinator, portfolio):
    # »økonomisystemer« (plural) is not a substring of »økonomisystem«: only stemming finds it.
    assert [s.name for s in selectors.search(coordinator, "økonomisystemer")] == ["Prisme"]
    assert [s.name for s in selectors.search(coordinator, "journaliseringen")] == ["Acadre"]
