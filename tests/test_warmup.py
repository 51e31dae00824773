"""The worker warm-up (anskaf/warmup.py) pays the one-time costs it claims to pay."""

import pytest
from django.template import engines

from anskaf.cases import process_models
from anskaf.process.loader import DEFAULT_MODEL_PATH
from anskaf.warmup import TEMPLATES, warm_up


@pytest.mark.django_db
def test_warm_up_parses_every_stored_model_and_compiles_the_main_templates():
    version = process_models.store_version(content=DEFAULT_MODEL_PATH.read_text("utf-8"))
    process_models._by_sha.clear()
    seconds = warm_up()
    assert seconds > 0
    assert version.sha256 in process_models._by_sha
    loader = engines["django"].engine.template_loaders[0]
    if hasattr(loader, "get_template_cache"):  # the cached loader keeps what it compiled
        assert set(TEMPLATES) <= set(loader.get_template_cache)

