"""The secret key: SECRET_KEY, SECRET_KEY_FILE, or the local key in var/ that demo mode writes
and every later command of the installation finds (ADR 0017). Optional extras are named."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from anskaf.settings import require_extra

ROOT = Path(__file__).resolve().parents[1]
PRINT_KEY = "import django; from django.conf import settings; django.setup(); print(settings.SECRET_KEY)"


def settings_in(var_dir: Path, **env: str) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items()
             if k not in {"ANSKAF_TESTING", "SECRET_KEY", "SECRET_KEY_FILE", "ANSKAF_DEMO", "DEBUG"}}
    clean.update({"DJANGO_SETTINGS_MODULE": "anskaf.settings", "ANSKAF_VAR_DIR": str(var_dir),
                  "DATABASE_URL": "", **env})
    return subprocess.run([sys.executable, "-c", PRINT_KEY], cwd=ROOT, env=clean,
                          capture_output=True, text=True, timeout=60)


def test_without_a_key_outside_demo_mode_start_up_says_what_to_do(tmp_path):
    result = settings_in(tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr
    assert "make run" in result.stderr
    assert not (tmp_path / "secret_key").exists()


def test_demo_mode_writes_a_private_key_that_later_commands_find(tmp_path):
    first = settings_in(tmp_path, ANSKAF_DEMO="1")
    assert first.returncode == 0, first.stderr
    key = first.stdout.strip()
    path = tmp_path / "secret_key"
    assert path.read_text().strip() == key and len(key) >= 50
    assert path.stat().st_mode & 0o777 == 0o600
    # A second shell: no demo mode, no SECRET_KEY; the same key.
    second = settings_in(tmp_path)
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == key
    assert not [p.name for p in tmp_path.iterdir() if p.name.startswith(".secret_key")]


def test_secret_key_wins_then_secret_key_file(tmp_path):
    (tmp_path / "secret_key").write_text("local\n")
    named = tmp_path / "credential"
    named.write_text("from-a-file\n")
    assert settings_in(tmp_path, SECRET_KEY="from-env").stdout.strip() == "from-env"
    assert settings_in(tmp_path, SECRET_KEY_FILE=str(named)).stdout.strip() == "from-a-file"
    missing = settings_in(tmp_path, SECRET_KEY_FILE=str(tmp_path / "nope"))
    assert missing.returncode != 0 and "SECRET_KEY_FILE" in missing.stderr


def test_a_missing_extra_is_named_with_its_install_line():
    require_extra("json", "postgres", "never raised")  # present: nothing happens
    with pytest.raises(ImproperlyConfigured, match=r"pip install 'anskaf\[redis\]'"):
        require_extra("no_such_module_here", "redis", "REDIS_URL is set")
