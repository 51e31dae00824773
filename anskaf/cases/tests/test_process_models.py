"""Which process model a municipality's new cases start on."""

from __future__ import annotations

import pytest

from anskaf.cases.process_models import current_model, store_version
from anskaf.process.loader import DEFAULT_MODEL_PATH

pytestmark = pytest.mark.django_db


def _variant(title: str) -> str:
    text = DEFAULT_MODEL_PATH.read_text(encoding="utf-8")
    first = "Behov/ønske meldes ind til koordinerende funktion"
    assert first in text
    return text.replace(first, title, 1)


def _step_1_title(model) -> str:
    return model.step(1).title.da


def test_the_shared_default_serves_a_municipality_without_its_own(org):
    assert _step_1_title(current_model(org.pk)).startswith("Behov/ønske meldes ind")


def test_a_municipalitys_own_latest_version_wins_over_the_shared_one(org, other_org):
    store_version(content=_variant("Behov, første udgave"), organisation_id=org.pk)
    store_version(content=_variant("Behov, anden udgave"), organisation_id=org.pk)
    store_version(content=_variant("Fælles nyere udgave"))
    assert _step_1_title(current_model(org.pk)) == "Behov, anden udgave"
    assert _step_1_title(current_model(other_org.pk)) == "Fælles nyere udgave"
