"""pytest plugin (loaded by scripts/test.sh with `-p junit_markers`): writes each test's
markers into the JUnit XML as a `markers` property, so scripts/test_summary.py can tell the
browser tests from the rest without guessing from file names."""

from __future__ import annotations

import pytest

IGNORED = {"parametrize", "usefixtures", "filterwarnings", "skip", "skipif", "xfail"}


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        names = sorted({m.name for m in item.iter_markers()} - IGNORED)
        if names:
            item.user_properties.append(("markers", ",".join(names)))
