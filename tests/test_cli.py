"""The `anskaf` console script: model validate, audit verify, token create, demo, manage."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from anskaf import testing
from anskaf.api.models import ApiToken
from anskaf.audit.models import AuditEvent
from anskaf.cases.models import Case
from anskaf.cli import main
from anskaf.orgs.models import User
from anskaf.process.loader import DEFAULT_MODEL_PATH

# --- model validate (no database) -------------------------------------------------------------


def _broken_copy(tmp_path: Path, old: str, new: str) -> tuple[Path, int]:
    """A copy of the default model with the first `old` replaced; returns it and the line."""
    lines = DEFAULT_MODEL_PATH.read_text(encoding="utf-8").splitlines(keepends=True)
    index = next(i for i, line in enumerate(lines) if old in line)
    lines[index] = lines[index].replace(old, new, 1)
    path = tmp_path / "broken.yaml"
    path.write_text("".join(lines), encoding="utf-8")
    return path, index + 1


def test_model_validate_accepts_the_default_model(capsys):
    assert main(["model", "validate", str(DEFAULT_MODEL_PATH)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"OK: {DEFAULT_MODEL_PATH}:")
    assert "21 steps" in out
    assert "sha256 " in out


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        ("requires: [11]", "requires: [14]", "step 12 requires 14, which is not an earlier step"),
        ("effect: reject", "effect: explode", "effect must be advance, repeat or reject"),
        ("    phase: 2\n", "    phase: 9\n", "phase 9 does not exist"),
    ],
)
def test_model_validate_names_the_line_of_a_problem(tmp_path, capsys, old, new, message):
    path, line = _broken_copy(tmp_path, old, new)
    assert main(["model", "validate", str(path)]) == 1
    out = capsys.readouterr().out
    problem = next(row for row in out.splitlines() if message in row)
    assert problem.startswith(f"{path}:{line}: ")


def test_model_validate_reports_broken_yaml_with_its_line(tmp_path, capsys):
    path = tmp_path / "model.yaml"
    path.write_text("schema: 1\nkey: x\nsteps: [1, 2\n", encoding="utf-8")
    assert main(["model", "validate", str(path)]) == 1
    assert f"{path}:" in capsys.readouterr().out


def test_model_validate_refuses_a_missing_file_without_a_traceback(tmp_path, capsys):
    assert main(["model", "validate", str(tmp_path / "nope.yaml")]) == 2
    err = capsys.readouterr().err
    assert "no such file" in err
    assert "Traceback" not in err


def test_an_unknown_command_is_a_usage_error(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["frobnicate"])
    assert exc.value.code == 2
    assert "invalid choice" in capsys.readouterr().err


def test_the_console_script_validates_a_model_without_a_database(tmp_path):
    script = Path(sys.executable).with_name("anskaf")
    if not script.exists():
        pytest.skip("the anskaf console script is not installed (pip install -e .)")
    env = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "SECRET_KEY", "ANSKAF_TESTING", "ANSKAF_DEMO"}
    }
    env["DATABASE_URL"] = "postgres://nobody@127.0.0.1:1/unreachable"  # never touched
    ok = subprocess.run(
        [str(script), "model", "validate", str(DEFAULT_MODEL_PATH)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert ok.returncode == 0, ok.stderr
    assert "21 steps" in ok.stdout
    path, line = _broken_copy(tmp_path, "effect: reject", "effect: explode")
    bad = subprocess.run(
        [str(script), "model", "validate", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert bad.returncode == 1
    assert f"{path}:{line}: " in bad.stdout
    assert "Traceback" not in bad.stderr


# --- audit verify -----------------------------------------------------------------------------


def test_audit_verify_passes_then_names_the_altered_row(coordinator, case, other_org, capsys):
    testing.advance(coordinator, case, 3)
    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    events = AuditEvent.objects.filter(organisation=coordinator.organisation).count()
    assert f"haderslev: OK ({events} events)" in out
    assert "aabenraa: OK (0 events)" in out

    victim = AuditEvent.objects.get(organisation=coordinator.organisation, seq=3)
    table = connection.ops.quote_name(AuditEvent._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {table} SET {connection.ops.quote_name('actor_name')} = %s "
            f"WHERE {connection.ops.quote_name('id')} = %s",
            ["Mallory", victim.pk],
        )
    assert main(["audit", "verify", "--organisation", "haderslev"]) == 1
    out = capsys.readouterr().out
    assert f"haderslev: BROKEN at seq 3 (event id {victim.pk}): content does not match" in out
    assert "aabenraa" not in out


def test_audit_verify_refuses_an_unknown_organisation(org, capsys):
    assert main(["audit", "verify", "--organisation", "atlantis"]) == 2
    err = capsys.readouterr().err
    assert "no organisation with slug 'atlantis'" in err
    assert "haderslev" in err  # lists the known ones


# --- token create -----------------------------------------------------------------------------


def test_token_create_prints_a_token_that_authenticates(coordinator, client, capsys):
    assert main(["token", "create", "--user", "koordinator", "--name", "integration"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert len(token) >= 32 and " " not in token
    assert ApiToken.objects.filter(user=coordinator, name="integration").count() == 1
    response = client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 200, response.content
    assert "items" in response.json()


def test_token_create_refuses_an_unknown_user(db, capsys):
    assert main(["token", "create", "--user", "nobody"]) == 2
    assert "no user with username 'nobody'" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


def test_token_create_refuses_control_characters_in_the_name(coordinator, capsys):
    assert main(["token", "create", "--user", "koordinator", "--name", "ci\x1bbot"]) == 2
    assert "kontroltegn (U+001B)" in capsys.readouterr().err
    assert not ApiToken.objects.exists()


# --- token list / revoke ---------------------------------------------------------------------


def _create_token(username: str, name: str, capsys) -> str:
    assert main(["token", "create", "--user", username, "--name", name]) == 0
    return capsys.readouterr().out.strip().splitlines()[-1]


def test_token_list_shows_ids_users_names_and_use_but_never_the_token(coordinator, requester,
                                                                      client, capsys):
    first = _create_token("koordinator", "integration", capsys)
    second = _create_token("medarbejder", "rapport", capsys)
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {first}").status_code == 200
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].split() == ["ID", "USER", "NAME", "CREATED", "LAST", "USED"]
    mine = ApiToken.objects.get(user=coordinator)
    row = next(line for line in lines if line.split()[0] == str(mine.pk))
    assert row.split()[1:3] == ["koordinator", "integration"]
    assert "never" not in row  # used once above
    assert next(line for line in lines if "rapport" in line).rstrip().endswith("never")
    assert first not in out and second not in out
    assert mine.key_hash not in out

    assert main(["token", "list", "--user", "medarbejder"]) == 0
    out = capsys.readouterr().out
    assert "rapport" in out and "integration" not in out
    assert main(["token", "list", "--user", "nobody"]) == 2
    assert "no user with username 'nobody'" in capsys.readouterr().err


def test_token_list_says_so_when_there_are_none(coordinator, capsys):
    assert main(["token", "list"]) == 0
    assert capsys.readouterr().out.strip() == "No API tokens."
    assert main(["token", "list", "--user", "koordinator"]) == 0
    assert capsys.readouterr().out.strip() == "koordinator has no API tokens."


def test_a_revoked_token_no_longer_authenticates(coordinator, client, capsys):
    token = _create_token("koordinator", "integration", capsys)
    keep = _create_token("koordinator", "anden", capsys)
    revoked = ApiToken.objects.get(name="integration")
    events = AuditEvent.objects.count()
    assert main(["token", "revoke", str(revoked.pk)]) == 0
    out = capsys.readouterr().out
    assert out.strip() == f"Revoked API token {revoked.pk} ('integration') of koordinator."
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {keep}").status_code == 200
    event = AuditEvent.objects.get(event_type="api_token.revoked")
    assert AuditEvent.objects.count() == events + 1
    assert event.object_id == str(revoked.pk) and event.before["username"] == "koordinator"
    assert event.organisation_id == coordinator.organisation_id and event.actor_id is None
    assert main(["audit", "verify"]) == 0


def test_revoke_refuses_unknown_ids_and_revokes_none_of_them(coordinator, capsys):
    _create_token("koordinator", "integration", capsys)
    known = ApiToken.objects.get()
    assert main(["token", "revoke", str(known.pk), "999999"]) == 2
    err = capsys.readouterr().err
    assert "no API token with id 999999" in err and "nothing revoked" in err
    assert ApiToken.objects.filter(pk=known.pk).exists()
    assert main(["token", "revoke"]) == 2
    assert "give the token id(s)" in capsys.readouterr().err
    assert main(["token", "revoke", str(known.pk), "--user", "koordinator"]) == 2
    assert ApiToken.objects.filter(pk=known.pk).exists()


def test_revoke_all_tokens_of_a_user(coordinator, requester, client, capsys):
    tokens = [_create_token("koordinator", name, capsys) for name in ("a", "b")]
    other = _create_token("medarbejder", "c", capsys)
    assert main(["token", "revoke", "--user", "koordinator"]) == 0
    out = capsys.readouterr().out
    assert out.count("Revoked API token") == 2
    for token in tokens:
        assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {token}").status_code == 401
    assert client.get("/api/v1/cases", HTTP_AUTHORIZATION=f"Bearer {other}").status_code == 200
    assert main(["token", "revoke", "--user", "koordinator"]) == 0
    assert "koordinator has no API tokens; nothing to revoke." in capsys.readouterr().out


# --- demo -------------------------------------------------------------------------------------


def test_demo_loads_once_and_says_so_the_second_time(db, capsys):
    assert main(["demo"]) == 0
    out = capsys.readouterr().out
    assert "Demo data loaded: Haderslev Kommune og Nabo Kommune" in out
    assert "koordinator" in out and "password for all: demo" in out
    assert "nabo" in out
    counts = (User.objects.count(), Case.objects.count(), AuditEvent.objects.count())
    assert counts[1] >= 5

    assert main(["demo"]) == 0
    assert "already loaded" in capsys.readouterr().out
    assert (User.objects.count(), Case.objects.count(), AuditEvent.objects.count()) == counts

    assert main(["audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "haderslev: OK" in out and "nabo: OK" in out


# --- manage -----------------------------------------------------------------------------------


def test_manage_passes_through_to_django(db, capsys):
    assert main(["manage", "check"]) == 0
    assert "no issues" in capsys.readouterr().out


# --- serve ------------------------------------------------------------------------------------


class _Exec(Exception):
    pass


def test_serve_migrates_loads_the_demo_once_prints_logins_and_execs_gunicorn(
    db, settings, monkeypatch, capsys, tmp_path
):
    settings.DEMO_MODE = True
    settings.STATIC_ROOT = str(tmp_path / "static")  # not the checkout's var/static
    (tmp_path / "static").mkdir()
    commands: list[str] = []
    monkeypatch.setattr(
        "django.core.management.call_command", lambda name, **kw: commands.append(name)
    )

    def fake_execv(path, argv):
        raise _Exec(argv)

    monkeypatch.setattr("anskaf.cli.os.execv", fake_execv)
    monkeypatch.setenv("PORT", "8123")
    with pytest.raises(_Exec) as exc:
        main(["serve"])
    argv = exc.value.args[0]
    assert commands == ["migrate", "collectstatic"]
    assert argv[1:4] == ["-m", "gunicorn", "anskaf.wsgi:application"]
    assert argv[argv.index("--bind") + 1] == "127.0.0.1:8123"
    assert argv[argv.index("--access-logfile") + 1] == "-"
    out = capsys.readouterr().out
    assert "Demo data loaded" in out
    assert "password for all: demo" in out and "visitation" in out
    assert out.rstrip().endswith("http://127.0.0.1:8123  (Ctrl+C stops it)")

    with pytest.raises(_Exec):
        main(["serve", "--no-migrate", "--port", "8124"])
    assert commands[2:] == []  # the static sources did not change: nothing to collect
    assert "Demo data already loaded." in capsys.readouterr().out


def test_serve_refuses_a_bad_port_without_a_traceback(monkeypatch, capsys):
    monkeypatch.setenv("PORT", "eighty")
    assert main(["serve"]) == 2
    assert "PORT must be a whole number" in capsys.readouterr().err


# --- model check / diff / install / export (issue 17) -----------------------------------------


def _write(tmp_path: Path, name: str, content: str) -> Path:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    return path


def test_model_check_is_validate_under_its_new_name(tmp_path, capsys):
    assert main(["model", "check", str(DEFAULT_MODEL_PATH)]) == 0
    assert "21 steps" in capsys.readouterr().out
    path, line = _broken_copy(tmp_path, "effect: reject", "effect: explode")
    assert main(["model", "check", str(path)]) == 1
    captured = capsys.readouterr()
    assert f"{path}:{line}: " in captured.out
    assert f"{path}: invalid (1 problem)" in captured.err


def test_model_diff_says_in_words_what_changed_per_step(tmp_path, capsys):
    from anskaf.process.tests.model_edits import insert_step, rename_step, shipped

    new = _write(tmp_path, "new.yaml", rename_step(insert_step(shipped(), after=3),
                                                   "need_reported", "Behov meldes ind"))
    assert main(["model", "diff", str(DEFAULT_MODEL_PATH), str(new)]) == 0
    out = capsys.readouterr().out
    assert "Tilføjet: trin 4 security_pre_screening" in out
    assert "Ændret: trin 1 need_reported »Behov meldes ind«" in out
    assert "  - titel ændret fra »Behov/ønske meldes ind til koordinerende funktion«" in out
    assert "Nyt nummer: trin 4 → 5 documentation_collected" in out
    assert main(["model", "diff", str(DEFAULT_MODEL_PATH), str(DEFAULT_MODEL_PATH)]) == 0
    assert capsys.readouterr().out.strip() == "Ingen forskelle."


def test_model_diff_refuses_an_invalid_file_naming_its_line(tmp_path, capsys):
    path, line = _broken_copy(tmp_path, "effect: reject", "effect: explode")
    assert main(["model", "diff", str(DEFAULT_MODEL_PATH), str(path)]) == 1
    assert f"{path}:{line}: " in capsys.readouterr().err
    assert main(["model", "diff", str(DEFAULT_MODEL_PATH), str(tmp_path / "nope")]) == 2


def test_model_install_publishes_audited_as_the_cli_and_export_gives_it_back(
        org, coordinator, tmp_path, capsys):
    from anskaf.audit.services import audit_verify
    from anskaf.cases.process_models import model_for
    from anskaf.process.tests.model_edits import insert_step, shipped

    content = insert_step(shipped(), after=3)
    path = _write(tmp_path, "ny.yaml", content)
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--reason", "Sikkerhed tidligt"]) == 0
    assert "as version 1 of" in capsys.readouterr().out
    event = AuditEvent.objects.get(organisation=org, event_type="model.published")
    assert (event.actor_id, event.actor_role, event.after["reason"]) == (
        None, "cli", "Sikkerhed tidligt")
    assert audit_verify(org.pk).ok
    assert len(model_for(testing.new_case(coordinator)).steps) == 22
    # the same content again: nothing new, and it says so
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--reason", "Igen"]) == 0
    assert "unchanged" in capsys.readouterr().out
    assert AuditEvent.objects.filter(event_type="model.published").count() == 1
    out = tmp_path / "export.yaml"
    assert main(["model", "export", "--organisation", org.slug, "-o", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == content
    assert main(["model", "export", "--organisation", org.slug]) == 0
    assert capsys.readouterr().out == content
    bpmn = tmp_path / "export.bpmn"
    assert main(["model", "export", "--organisation", org.slug, "--format", "bpmn",
                 "-o", str(bpmn)]) == 0
    assert 'id="Task_security_pre_screening"' in bpmn.read_text(encoding="utf-8")


def test_model_install_refuses_an_invalid_model_and_stores_nothing(org, tmp_path, capsys):
    from anskaf.cases.models import ModelVersion

    path, line = _broken_copy(tmp_path, "effect: reject", "effect: explode")
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--reason", "x"]) == 1
    err = capsys.readouterr().err
    assert f"{path}:{line}: " in err and "nothing installed" in err
    assert not ModelVersion.objects.filter(organisation=org).exists()


def test_model_install_and_export_usage_errors(org, tmp_path, capsys):
    assert main(["model", "install", str(DEFAULT_MODEL_PATH), "--organisation", "nowhere",
                 "--reason", "x"]) == 2
    assert "no organisation with slug 'nowhere'" in capsys.readouterr().err
    assert main(["model", "install", str(DEFAULT_MODEL_PATH), "--organisation", org.slug,
                 "--reason", "  "]) == 2
    assert main(["model", "export", "--organisation", "nowhere"]) == 2
    with pytest.raises(SystemExit) as exc:
        main(["model", "install", str(DEFAULT_MODEL_PATH), "--organisation", org.slug])
    assert exc.value.code == 2


# --- model install --unit / --shared, export --unit, migrate (issue 17, ADR 0032) ----------


def test_model_install_for_a_forvaltning_and_export_it(org, unit, coordinator, tmp_path,
                                                       capsys):
    from django.utils.text import slugify

    from anskaf.cases.process_models import model_for
    from anskaf.process.tests.model_edits import insert_step, shipped

    content = insert_step(shipped(), after=3)
    path = _write(tmp_path, "forvaltning.yaml", content)
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--unit", slugify(unit.name), "--reason", "Forvaltningens egen"]) == 0
    assert f"{org.slug}/{slugify(unit.name)}" in capsys.readouterr().out
    assert len(model_for(testing.new_case(coordinator)).steps) == 22
    assert main(["model", "export", "--organisation", org.slug,
                 "--unit", str(unit.pk)]) == 0
    assert capsys.readouterr().out == content
    assert main(["model", "export", "--organisation", org.slug]) == 0
    assert capsys.readouterr().out == shipped()  # the municipality level is untouched
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--unit", "ingen-saadan", "--reason", "x"]) == 2
    assert "no forvaltning" in capsys.readouterr().err
    with pytest.raises(SystemExit) as exc:
        main(["model", "install", str(path), "--organisation", org.slug, "--shared",
              "--reason", "x"])
    assert exc.value.code == 2


def test_model_install_shared_pins_the_municipalities_and_is_audited_in_each(
        org, coordinator, tmp_path, capsys):
    from anskaf.audit.services import audit_verify
    from anskaf.cases.process_models import current_version
    from anskaf.process.tests.model_edits import rename_step, shipped

    before = current_version(org.pk)
    path = _write(tmp_path, "kl.yaml",
                  rename_step(shipped(), "initial_supplier_dialogue", "KL's trin"))
    assert main(["model", "install", str(path), "--shared", "--reason", "KL anbefaler"]) == 0
    assert "shared default" in capsys.readouterr().out
    assert current_version(org.pk).sha256 == before.sha256
    assert AuditEvent.objects.filter(organisation=org,
                                     event_type="model.shared_published").count() == 1
    assert audit_verify(org.pk).ok


def test_model_migrate_dry_run_then_for_real(org, coordinator, tmp_path, capsys):
    from anskaf.cases.process_models import model_for
    from anskaf.process.tests.model_edits import insert_step, shipped

    case = testing.new_case(coordinator)
    path = _write(tmp_path, "ny.yaml", insert_step(shipped(), after=3))
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--reason", "r"]) == 0
    capsys.readouterr()
    assert main(["model", "migrate", "--organisation", org.slug, "--dry-run"]) == 0
    out = capsys.readouterr()
    assert f"{case.number}" in out.out and "would move" in out.out
    assert "Nyt trin 4" in out.out and "nothing changed" in out.err
    assert len(model_for(Case.objects.get(pk=case.pk)).steps) == 21
    assert main(["model", "migrate", "--organisation", org.slug, "--case", case.number]) == 0
    assert "1 case(s) moved" in capsys.readouterr().err
    assert len(model_for(Case.objects.get(pk=case.pk)).steps) == 22
    event = AuditEvent.objects.get(event_type="case.model_migrated")
    assert (event.actor_role, event.after["via"]) == ("cli", "cli")
    assert main(["model", "migrate", "--organisation", org.slug, "--case", "nope"]) == 2


def test_model_migrate_exits_1_naming_a_refused_case(org, coordinator, tmp_path, capsys):
    from anskaf.process.tests.model_edits import dump, load, shipped

    case = testing.advance(coordinator, testing.new_case(coordinator), through=2)
    data = load(shipped())
    next(s for s in data["steps"] if s["number"] == 2)["key"] = "something_else"
    path = _write(tmp_path, "ny.yaml", dump(data))
    assert main(["model", "install", str(path), "--organisation", org.slug,
                 "--reason", "r"]) == 0
    capsys.readouterr()
    assert main(["model", "migrate", "--organisation", org.slug]) == 1
    out = capsys.readouterr()
    assert f"{case.number}" in out.out and "REFUSED" in out.out
    assert "findes ikke i den nye model" in out.out and "1 refused" in out.err


# --- domain errors: answered in one place (ADR 0037) ----------------------------------------------


def _raising(exc: Exception):
    def command(args):
        raise exc

    return command


def test_a_refusal_a_command_does_not_answer_is_printed_field_by_field_with_exit_1(capsys):
    from anskaf.cli import _run
    from anskaf.errors import ValidationFailed

    exc = ValidationFailed({"slug": "Forkortelsen er optaget.", "cvr": "Ugyldigt CVR-nummer."})
    assert _run(_raising(exc), None) == 1
    assert capsys.readouterr().err.splitlines() == [
        "error: slug: Forkortelsen er optaget.", "error: cvr: Ugyldigt CVR-nummer."]


def test_a_refused_move_is_its_message_with_exit_1(capsys):
    from anskaf.cli import _run
    from anskaf.installation.errors import OperatorRefused

    exc = OperatorRefused("Kommunen er allerede suspenderet.")
    assert _run(_raising(exc), None) == 1
    assert capsys.readouterr().err == "error: Kommunen er allerede suspenderet.\n"


def test_not_found_is_a_wrong_argument_with_exit_2(capsys):
    from anskaf.cli import _run
    from anskaf.errors import NotFound

    assert _run(_raising(NotFound("Sag 7 findes ikke.")), None) == 2
    assert capsys.readouterr().err == "error: Sag 7 findes ikke.\n"


@pytest.mark.django_db
def test_org_resume_of_an_unknown_municipality_is_exit_2(capsys):
    assert main(["org", "resume", "findes-ikke"]) == 2
    assert capsys.readouterr().err.startswith("error: ")
