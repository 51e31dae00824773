"""`anskaf operator add` and `anskaf org create|list|suspend|resume` (ADR 0030): exit codes
0 done, 1 refused, 2 usage; and the installation's chain under `anskaf audit verify|anchor`."""

from __future__ import annotations

import pytest
from django.db import connection

from anskaf.audit.models import AuditEvent
from anskaf.cli import main
from anskaf.installation.services import installation_organisation
from anskaf.orgs.models import Organisation, User

CREATE = ["org", "create", "--name", "Aabenraa Kommune", "--slug", "aabenraa", "--cvr",
          "29189854", "--unit", "Børn og Skole", "--unit", "Social og Sundhed",
          "--admin-name", "Mette Holm", "--admin-email", "mette@aabenraa.dk"]


def test_operator_add_creates_an_operator_and_prints_the_password_link(db, capsys):
    assert main(["operator", "add", "drift", "--name", "Dorte Drift"]) == 0
    out = capsys.readouterr().out
    assert "Operator drift created" in out and "/invitation/" in out
    operator = User.objects.get(username="drift")
    assert operator.is_operator and operator.organisation_id is None
    assert main(["operator", "add", "drift"]) == 1
    assert "allerede driftsansvarlig" in capsys.readouterr().err


def test_operator_add_refuses_a_person_of_a_municipality(coordinator, capsys):
    assert main(["operator", "add", coordinator.username]) == 1
    assert "hører ikke til nogen kommune" in capsys.readouterr().err
    coordinator.refresh_from_db()
    assert not coordinator.is_operator


def test_org_create_then_list_suspend_and_resume(db, capsys):
    assert main(CREATE) == 0
    assert "Created Aabenraa Kommune (aabenraa, CVR 29189854) with 2 forvaltninger" in (
        capsys.readouterr().out)
    assert main(["org", "list"]) == 0
    out = capsys.readouterr().out
    assert "aabenraa" in out and "active" in out and "installation" not in out
    assert main(["org", "suspend", "aabenraa", "--reason", "Opsagt"]) == 0
    assert "is suspended" in capsys.readouterr().out
    assert main(["org", "suspend", "aabenraa", "--reason", "Igen"]) == 1
    assert "allerede suspenderet" in capsys.readouterr().err
    assert main(["org", "list"]) == 0
    assert "suspended" in capsys.readouterr().out
    assert main(["org", "resume", "aabenraa"]) == 0
    assert main(["org", "resume", "aabenraa"]) == 1
    assert Organisation.objects.get(slug="aabenraa").suspended_at is None


def test_org_create_refuses_a_bad_cvr_with_exit_1_and_names_the_field(db, capsys):
    bad = [*CREATE]
    bad[bad.index("29189854")] = "29189855"
    assert main(bad) == 1
    assert "cvr: »29189855« er ikke et gyldigt CVR-nummer" in capsys.readouterr().err
    assert not Organisation.objects.filter(slug="aabenraa").exists()


def test_usage_errors_are_exit_2(db, capsys):
    assert main(["org", "suspend", "atlantis", "--reason", "x"]) == 2
    assert "findes ikke" in capsys.readouterr().err
    assert main(["org", "resume", "atlantis"]) == 2
    with pytest.raises(SystemExit) as exited:
        main(["org", "create", "--name", "X"])
    assert exited.value.code == 2


def test_audit_verify_covers_the_installations_chain_and_names_a_change(db, capsys):
    assert main(CREATE) == 0
    assert main(["org", "suspend", "aabenraa", "--reason", "Opsagt"]) == 0
    capsys.readouterr()
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "installation: OK (2 events)" in out and "aabenraa: OK" in out
    victim = AuditEvent.objects.get(organisation=installation_organisation(), seq=2)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"UPDATE {table} SET {connection.ops.quote_name('actor_name')} = %s "
                       f"WHERE {connection.ops.quote_name('id')} = %s", ["Mallory", victim.pk])
    assert main(["audit", "verify", "--organisation", "installation"]) == 1
    assert (f"installation: BROKEN at seq 2 (event id {victim.pk}): content does not match"
            in capsys.readouterr().out)


def test_audit_anchor_signs_the_installations_chain_head(db, capsys, settings, tmp_path):
    settings.ANSKAF_ANCHOR_LOG = str(tmp_path / "anchors.jsonl")
    settings.ANSKAF_KEY_DIR = str(tmp_path / "keys")
    assert main(CREATE) == 0
    assert main(["audit", "anchor"]) == 0
    out = capsys.readouterr().out
    assert "installation: anchored seq 1" in out and "aabenraa: anchored seq 5" in out
    assert main(["audit", "verify"]) == 0
    assert "installation: OK (1 events); anchored up to seq 1" in capsys.readouterr().out
