from __future__ import annotations

import pytest
from django.core.files.storage import storages

from anskaf import testing


@pytest.fixture
def store():
    """The documents storage, emptied of this test's files afterwards."""
    storage = storages["documents"]
    yield storage


def stored_names(storage, folder: str = "") -> list[str]:
    """Every file under a folder of the storage (recursively)."""
    dirs, files = storage.listdir(folder) if storage.exists(folder) or folder == "" else ([], [])
    names = [f"{folder}/{f}".lstrip("/") for f in files]
    for d in dirs:
        names += stored_names(storage, f"{folder}/{d}".lstrip("/"))
    return names


@pytest.fixture
def security(org, unit):
    return testing.make_user(org, "isk", "security", unit=unit)


@pytest.fixture
def it_person(org):
    return testing.make_user(org, "it", "it")
