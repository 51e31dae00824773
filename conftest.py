"""Shared fixtures: a municipality with units and one person per role, plus a second one."""

from __future__ import annotations

import os

os.environ.setdefault("ANSKAF_TESTING", "1")
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

import pytest

from anskaf import testing


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rolled-back tests reuse primary keys."""
    from django.core.cache import cache

    from anskaf.http.kept import forget_kept

    cache.clear()
    forget_kept()
    yield


@pytest.fixture(autouse=True)
def _own_anchor_log(settings, tmp_path_factory):
    """Each test has its own key directory and anchor log: the database is rolled back after
    each test, so another test's anchors would name chains that are gone."""
    where = tmp_path_factory.mktemp("anchors")
    settings.ANSKAF_KEY_DIR = where / "keys"
    settings.ANSKAF_ANCHOR_LOG = where / "audit-anchors.jsonl"


@pytest.fixture
def org(db):
    return testing.make_org()


@pytest.fixture
def unit(org):
    return testing.make_unit(org)


@pytest.fixture
def other_unit(org):
    return testing.make_unit(org, "Børne- og Familieforvaltningen")


@pytest.fixture
def coordinator(org, unit):
    return testing.make_user(org, "koordinator", "coordinator", unit=unit, full_name="Karen Koordinator")


@pytest.fixture
def requester(org, unit):
    return testing.make_user(org, "medarbejder", "requester", unit=unit)


@pytest.fixture
def manager(org, unit):
    return testing.make_user(org, "leder", "management", unit=unit)


@pytest.fixture
def board_member(org):
    return testing.make_user(org, "visitation", "it_board")


@pytest.fixture
def other_org(db):
    return testing.make_org("aabenraa", "Aabenraa Kommune")


@pytest.fixture
def outsider(other_org):
    unit = testing.make_unit(other_org, "Teknik og Miljø")
    return testing.make_user(other_org, "fremmed", "coordinator", unit=unit)


@pytest.fixture
def case(coordinator):
    return testing.new_case(coordinator)


# --- browser tests -------------------------------------------------------------------------------

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")


def pytest_collection_modifyitems(config, items):
    """Browser tests need Debian's Chromium: skipped without it, unless REQUIRE_BROWSER=1."""
    if os.path.exists(CHROMIUM) or os.environ.get("REQUIRE_BROWSER") == "1":
        return
    skip = pytest.mark.skip(reason=f"Chromium not found at {CHROMIUM}: browser tests skipped")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"REQUIRE_BROWSER=1 but Chromium is missing at {CHROMIUM}")
    return {
        **browser_type_launch_args,
        "executable_path": CHROMIUM,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update",
                 "--disable-sync"],
    }
