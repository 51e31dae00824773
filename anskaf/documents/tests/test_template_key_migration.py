"""The migration that gives existing templates their step's key (documents 0002)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("documents", "0001_initial")]
AFTER = [("documents", "0002_template_step_key")]


def test_existing_templates_get_the_key_of_their_number_in_the_shipped_model(org):
    executor = MigrationExecutor(connection)
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("documents", "OrgTemplate")
    row = old.objects.create(organisation_id=org.pk, title="Kontrakt", step=12,
                             storage_name="t/1", original_name="k.pdf", size=1, sha256="x",
                             content_type="application/pdf",
                             uploaded_at="2026-01-01T00:00:00Z")
    executor = MigrationExecutor(connection)
    executor.migrate(AFTER)
    new = executor.loader.project_state(AFTER).apps.get_model("documents", "OrgTemplate")
    assert new.objects.get(pk=row.pk).step_key == "contract_in_place"
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())
