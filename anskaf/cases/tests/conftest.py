from __future__ import annotations

import pytest
from django.utils import timezone

from anskaf import testing


@pytest.fixture
def year() -> int:
    return timezone.localdate().year


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """The fixtures create several users; a real password hash costs ~0.3 s each."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def model_admin(org):
    """The municipality's administrator (the process model's pages and services)."""
    return testing.make_user(org, "admin", "admin")
