"""Sentry: configured from SENTRY_DSN when the settings load, without sending anything; a clear
start-up error naming the extra when the package is missing. Each case in a fresh interpreter,
so the SDK never stays switched on in the test process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from anskaf.observability import sentry

ROOT = Path(__file__).resolve().parents[3]
# A DSN on a port nothing listens on: nothing is sent unless an error happens.
DSN = "http://public@127.0.0.1:9/42"
LOAD_SETTINGS = ("import django, os; os.environ['DJANGO_SETTINGS_MODULE'] = 'anskaf.settings'; "
                 "django.setup()")
REPORT = ("import json, sentry_sdk; client = sentry_sdk.get_client(); "
          "print(json.dumps({'active': client.is_active(), 'dsn': client.dsn, "
          "'pii': client.options['send_default_pii'], 'env': client.options['environment'], "
          "'release': client.options['release'], "
          "'django': 'django' in client.integrations}))")


def run(code: str, **env: str) -> subprocess.CompletedProcess:
    full = {**os.environ, "ANSKAF_TESTING": "1", "PYTHONPATH": str(ROOT), **env}
    full.pop("DJANGO_SETTINGS_MODULE", None)
    return subprocess.run([sys.executable, "-c", code], env=full, capture_output=True, text=True,
                          timeout=60, cwd=ROOT)


def test_sentry_dsn_switches_the_sdk_on_with_django_and_without_personal_data():
    result = run(f"{LOAD_SETTINGS}; {REPORT}", SENTRY_DSN=DSN, SENTRY_ENVIRONMENT="test")
    assert result.returncode == 0, result.stderr
    report = json.loads(result.stdout.strip().splitlines()[-1])
    assert report == {"active": True, "dsn": DSN, "pii": False, "env": "test",
                      "release": report["release"], "django": True}
    assert report["release"].startswith("anskaf@")


def test_without_sentry_dsn_nothing_is_switched_on():
    result = run(f"{LOAD_SETTINGS}; {REPORT}", SENTRY_DSN="")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1])["active"] is False
    assert sentry.configure(dsn="", environment="", release="x") is False


def test_sentry_dsn_without_the_package_names_the_extra():
    hide = "import sys; sys.modules['sentry_sdk'] = None; "  # as if never installed
    result = run(hide + LOAD_SETTINGS, SENTRY_DSN=DSN)
    assert result.returncode != 0
    assert "SENTRY_DSN is set, which needs the sentry extra: pip install 'anskaf[sentry]'" in (
        result.stderr)
