"""Configuration from the environment (strict: bad values stop start-up with a message), and
the `anskaf worker` / `anskaf serve --worker` commands."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from anskaf.cli import main

ROOT = Path(__file__).resolve().parents[3]
CODE = ("from anskaf import settings as s; import json; print(json.dumps([s.EMAIL_BACKEND, "
        "s.EMAIL_HOST, s.EMAIL_PORT, s.EMAIL_USE_TLS, s.DEFAULT_FROM_EMAIL, s.ANSKAF_MAIL_DOMAIN, "
        "s.HUEY['huey_class'], s.HUEY.get('url'), s.HUEY['immediate'], s.ANSKAF_BASE_URL]))")
OURS = ("EMAIL_", "DEFAULT_FROM_EMAIL", "REDIS_URL", "ANSKAF_HUEY", "ANSKAF_BASE_URL",
        "ANSKAF_MAIL", "ANSKAF_DIGEST", "ANSKAF_DEADLINE", "ANSKAF_REMINDER")


def load(**env: str) -> subprocess.CompletedProcess:
    base = {k: v for k, v in os.environ.items() if not k.startswith(OURS)}
    return subprocess.run([sys.executable, "-c", CODE], capture_output=True, text=True, cwd=ROOT,
                          env={**base, "ANSKAF_TESTING": "1", **env}, timeout=60)


def settings_from(**env: str) -> list:
    result = load(**env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_mail_and_queue_come_from_the_environment():
    assert settings_from() == [
        "django.core.mail.backends.console.EmailBackend", "localhost", 25, False,
        "anskaf@localhost", "localhost", "huey.SqliteHuey", None, True, "http://127.0.0.1:8000"]
    assert settings_from(
        EMAIL_HOST="smtp.haderslev.dk", EMAIL_PORT="587", EMAIL_USE_TLS="true",
        DEFAULT_FROM_EMAIL="anskaf@haderslev.dk", REDIS_URL="redis://127.0.0.1:6379/3",
        ANSKAF_HUEY_IMMEDIATE="false", ANSKAF_BASE_URL="https://anskaf.haderslev.dk/",
    ) == ["django.core.mail.backends.smtp.EmailBackend", "smtp.haderslev.dk", 587, True,
          "anskaf@haderslev.dk", "haderslev.dk", "huey.RedisHuey", "redis://127.0.0.1:6379/3",
          False, "https://anskaf.haderslev.dk"]


@pytest.mark.parametrize(("env", "message"), [
    ({"EMAIL_USE_TLS": "true", "EMAIL_USE_SSL": "true"}, "exclude each other"),
    ({"EMAIL_PORT": "smtp"}, "EMAIL_PORT must be a whole number"),
    ({"EMAIL_USE_TLS": "maybe"}, "EMAIL_USE_TLS must be true or false"),
    ({"ANSKAF_BASE_URL": "anskaf.haderslev.dk"}, "ANSKAF_BASE_URL must start with http"),
    ({"REDIS_URL": "127.0.0.1:6379"}, "REDIS_URL must be a redis:// URL"),
    ({"ANSKAF_MAIL_MAX_ATTEMPTS": "0"}, "ANSKAF_MAIL_MAX_ATTEMPTS must be at least 1"),
    ({"ANSKAF_DIGEST_HOUR": "25"}, "ANSKAF_DIGEST_HOUR must be 0-23"),
])
def test_bad_values_stop_start_up_with_a_message(env, message):
    result = load(**env)
    assert result.returncode != 0 and message in result.stderr


def test_a_worker_refuses_to_start_when_tasks_run_at_once(db, capsys):
    assert main(["worker"]) == 2
    assert "immediate mode" in capsys.readouterr().err


class _Exec(Exception):
    pass


def test_serve_with_worker_starts_one_beside_gunicorn(db, monkeypatch, capsys):
    started: list[list[str]] = []
    monkeypatch.setattr("django.core.management.call_command", lambda name, **kw: None)
    monkeypatch.setattr("subprocess.Popen", lambda argv, **kw: started.append(argv))

    def fake_execv(path, argv):
        raise _Exec(argv)

    monkeypatch.setattr("anskaf.cli.os.execv", fake_execv)
    with pytest.raises(_Exec):
        main(["serve", "--port", "8125", "--worker"])
    assert started == [[sys.executable, "-m", "anskaf.cli", "worker", "--exit-with-parent"]]
    assert "worker started beside the web server" in capsys.readouterr().out
    with pytest.raises(_Exec):
        main(["serve", "--port", "8125"])
    assert len(started) == 1  # without --worker, none
