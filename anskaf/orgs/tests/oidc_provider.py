"""The OpenID Connect provider of the SSO tests: npm's oauth2-mock-server (tests/oidc/server.mjs)
in a subprocess on 127.0.0.1. Skipped when node or tests/oidc/node_modules is missing (`npm ci
--prefix tests/oidc`), unless REQUIRE_OIDC=1, which makes that a failure."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import threading
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
PROVIDER_DIR = ROOT / "tests" / "oidc"


def unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_OIDC") == "1":
        pytest.fail(f"REQUIRE_OIDC=1 but {reason}")
    pytest.skip(reason)


def start_provider() -> tuple[subprocess.Popen, str]:
    """A running provider and its issuer URL, e.g. http://127.0.0.1:40123."""
    node = shutil.which("node")
    if node is None:
        unavailable("node not found: the SSO tests need Node.js for the OpenID Connect provider")
    if not (PROVIDER_DIR / "node_modules" / "oauth2-mock-server").is_dir():
        unavailable("tests/oidc/node_modules missing: run `npm ci --prefix tests/oidc`")
    proc = subprocess.Popen(
        [node, str(PROVIDER_DIR / "server.mjs")], cwd=PROVIDER_DIR, stdin=subprocess.PIPE,
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    first: list[str] = []
    reader = threading.Thread(target=lambda: first.append(proc.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout=30)
    if not first or not first[0].strip():
        proc.kill()
        _, err = proc.communicate(timeout=5)
        pytest.fail(f"the OpenID Connect provider did not start: {err.strip()[-2000:]}")
    issuer = json.loads(first[0])["issuer"]
    assert issuer.startswith("http://127.0.0.1:")
    return proc, issuer


def stop_provider(proc: subprocess.Popen) -> None:
    proc.stdin.close()
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=5)
