from __future__ import annotations

import pytest
from django.utils import timezone


@pytest.fixture
def year() -> int:
    return timezone.localdate().year
