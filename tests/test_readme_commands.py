"""Every command the README shows works as written next to a running `make run` (issue 22).

One server is started as `make run` starts it (`ANSKAF_DEMO=1 anskaf serve --worker`, SQLite,
no SECRET_KEY), in a fresh var/ directory on a free port. Then, as in a second shell (no demo
mode, no SECRET_KEY, no test settings), each shell block of the README marked
`<!-- readme-test: next to make run -->` runs in bash, and each command of the table under
"The `anskaf` command" runs with its placeholders filled in: each must exit 0, each curl must
answer 200. Last, the server's terminal is checked for the noise the issue named, and Ctrl+C
must stop both processes within a few seconds.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
BIN = Path(sys.executable).parent
MARKER = "<!-- readme-test: next to make run -->"

# The table's command forms -> what this test runs for them (None: not runnable beside a
# running server, with the reason). A form the README gains without an entry here fails.
TABLE = {
    "anskaf model validate FILE": "anskaf model validate anskaf/process/models/haderslev.yaml",
    "anskaf model check FILE": "anskaf model check anskaf/process/models/haderslev.yaml",
    "anskaf model diff OLD NEW": "anskaf model diff anskaf/process/models/haderslev.yaml "
                                 "anskaf/process/models/haderslev.yaml",
    "anskaf model install FILE --organisation SLUG [--unit SLUG] --reason TEXT":
        "anskaf model install anskaf/process/models/haderslev.yaml --organisation haderslev "
        "--reason 'Kommunens egen version'",
    "anskaf model install FILE --shared --reason TEXT":  # the shipped model: already shared
        "anskaf model install anskaf/process/models/haderslev.yaml --shared "
        "--reason 'Den leverede model'",
    "anskaf model export --organisation SLUG [--unit SLUG] [--format yaml] [-o FILE]":
        "anskaf model export --organisation haderslev",
    "anskaf model migrate --organisation SLUG [--dry-run] [--case ID ...]":
        "anskaf model migrate --organisation haderslev --dry-run",
    "anskaf audit verify [--organisation SLUG]": "anskaf audit verify --organisation haderslev",
    "anskaf audit anchor": "anskaf audit anchor",
    "anskaf audit rotate-key": "anskaf audit rotate-key",
    "anskaf keys rotate-secrets": "anskaf keys rotate-secrets",
    "anskaf backup -o FILE": 'anskaf backup -o "$ANSKAF_VAR_DIR/readme-backup.tar"',
    # restore wants an empty database, not the running one; tests/test_backup_restore.py runs it
    "anskaf restore FILE [--force]": None,
    "anskaf token create --user USERNAME [--name NAME]":
        "anskaf token create --user koordinator --name readme",
    "anskaf token list [--user USERNAME]": "anskaf token list --user koordinator",
    "anskaf token revoke ID [ID ...]": "anskaf token revoke {token_id}",
    "anskaf token revoke --user USERNAME": "anskaf token revoke --user koordinator",
    "anskaf operator add USERNAME [--email EMAIL] [--name FULL_NAME]":
        "anskaf operator add readme-drift --name 'Rita Drift'",
    "anskaf org create --name NAME --slug SLUG --cvr CVR [--unit FORVALTNING ...] --admin-name "
    "FULL_NAME --admin-email EMAIL":
        "anskaf org create --name 'Readme Kommune' --slug readme --cvr 29189854 "
        "--unit 'Børn og Skole' --admin-name 'Rita Readme' --admin-email rita@readme.example",
    "anskaf org list": "anskaf org list",
    "anskaf org suspend SLUG --reason TEXT": "anskaf org suspend readme --reason 'README'",
    "anskaf org resume SLUG": "anskaf org resume readme",
    "anskaf org offboard SLUG --reason TEXT -o FILE":
        "anskaf org suspend readme --reason README && anskaf org offboard readme --reason "
        "README -o \"$ANSKAF_VAR_DIR/readme-offboard.tar\"",
    "anskaf demo": "anskaf demo",
    "anskaf serve [--port P] [--host H] [--workers N] [--threads N] [--no-migrate]":
        None,  # the server itself: this test starts it
    "anskaf serve ... --worker": None,  # the same, as make run starts it
    "anskaf worker [--threads N] [--no-periodic]": None,  # runs until stopped; make run has one
    "anskaf manage kitos_retry": "anskaf manage kitos_retry",
    "anskaf manage COMMAND ...": "anskaf manage migrate",
}

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("DATABASE_URL")),
    reason="make run uses SQLite whatever the test database: run once, in the SQLite pass",
)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def shell_env(var_dir: Path) -> dict[str, str]:
    """A user's shell in the checkout: none of the test suite's variables."""
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("ANSKAF_", "DJANGO_", "SQLITE_", "OIDC_", "REDIS", "KITOS_"))
           and k not in {"SECRET_KEY", "SECRET_KEY_FILE", "DATABASE_URL", "DEBUG", "PORT",
                         "LOG_LEVEL", "EMAIL_HOST", "PYTEST_CURRENT_TEST"}}
    # var/ of the checkout, moved aside: ANSKAF_VAR_DIR's default is <checkout>/var.
    env["ANSKAF_VAR_DIR"] = str(var_dir)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def marked_blocks(text: str) -> list[str]:
    return re.findall(re.escape(MARKER) + r"\s*```sh\n(.*?)```", text, flags=re.S)


def table_forms(text: str) -> list[str]:
    section = text.split("## The `anskaf` command", 1)[1].split("\n## ", 1)[0]
    forms = []
    for line in section.splitlines():
        if line.startswith("| `anskaf"):
            first_cell = line.split("|")[1]
            forms += re.findall(r"`(anskaf [^`]*)`", first_cell)
    return forms


def wait_until_up(url: str, server: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"the server stopped (exit {server.returncode}):\n{log.read_text()}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)
    pytest.fail(f"the server did not answer within {seconds} s:\n{log.read_text()}")


def run(command: str, env: dict[str, str], port: int) -> subprocess.CompletedProcess:
    # The README's address, on this test's port; curl must get a 200 (not just any answer).
    script = (
        "set -euo pipefail\n"
        'curl() { local out code; out=$(mktemp); code=$(command curl -sS -o "$out" '
        '-w "%{http_code}" "$@") || return $?; cat "$out"; echo; '
        '[ "$code" = 200 ] || { echo "curl $*: HTTP $code" >&2; return 1; }; }\n'
        + command.replace("127.0.0.1:8000", f"127.0.0.1:{port}")
    )
    return subprocess.run(["bash", "-c", script], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=60)


def test_the_readme_commands_work_next_to_make_run(tmp_path):
    if shutil.which("curl") is None:
        pytest.skip("the README's API example needs curl, which is not installed")
    text = README.read_text(encoding="utf-8")
    blocks = marked_blocks(text)
    assert len(blocks) >= 2, "the README's marked shell blocks are gone"
    forms = table_forms(text)
    unknown = [form for form in forms if form not in TABLE]
    assert not unknown, f"README shows commands this test does not know: {unknown}"

    var_dir = tmp_path / "var"
    port = free_port()
    env = shell_env(var_dir)
    log = tmp_path / "make-run.log"
    # As the Makefile's run target: ANSKAF_DEMO=1 PORT=$(PORT) .venv/bin/anskaf serve --worker
    # (one web worker: this machine's cores are shared).
    server_env = {**env, "ANSKAF_DEMO": "1", "PORT": str(port), "WEB_CONCURRENCY": "1"}
    with log.open("w") as out:
        server = subprocess.Popen([str(BIN / "anskaf"), "serve", "--worker"], cwd=ROOT,
                                  env=server_env, stdout=out, stderr=subprocess.STDOUT,
                                  start_new_session=True)
    try:
        # Ready: the database, the storage and the worker's first heartbeat (/readyz).
        wait_until_up(f"http://127.0.0.1:{port}/readyz", server, log)
        # The README uses .venv/bin/anskaf; where this suite's venv lives elsewhere, use it.
        venv_anskaf = ".venv/bin/anskaf"
        if not (ROOT / venv_anskaf).exists():
            blocks = [b.replace(venv_anskaf, str(BIN / "anskaf")) for b in blocks]
        for block in blocks:
            result = run(block, env, port)
            assert result.returncode == 0, (
                f"README block failed (exit {result.returncode}):\n{block}\n"
                f"stdout:\n{result.stdout}\nstderr:\n{result.stderr}")
        token_id = ""
        for form in forms:
            command = TABLE[form]
            if command is None:
                continue
            if "{token_id}" in command:
                created = run("anskaf token create --user koordinator --name revoke-me", env, port)
                assert created.returncode == 0, created.stderr
                listing = run("anskaf token list --user koordinator", env, port).stdout
                token_id = next(line.split()[0] for line in listing.splitlines()
                                if "revoke-me" in line)
                command = command.format(token_id=token_id)
            result = run(command, env, port)
            assert result.returncode == 0, (
                f"{command} (README: {form}) failed with exit {result.returncode}:\n"
                f"{result.stdout}\n{result.stderr}")
        # A static file is served but not logged; a request is.
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/static/anskaf/app.css") as r:
            assert r.status == 200
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/log-ind/") as r:
            assert r.status == 200
        time.sleep(0.5)
        # A browser's pre-connected socket that never sends a request: it used to hold the
        # web worker until gunicorn killed it after 30 s.
        idle = socket.create_connection(("127.0.0.1", port))
        time.sleep(0.3)
        started = time.monotonic()
        os.killpg(server.pid, signal.SIGINT)  # Ctrl+C reaches the whole process group
        try:
            server.wait(timeout=10)
        except subprocess.TimeoutExpired:
            pytest.fail(f"Ctrl+C did not stop the server within 10 s:\n{log.read_text()}")
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline and _group_alive(server.pid):
            time.sleep(0.1)
        stopped_after = time.monotonic() - started
        idle.close()
        assert not _group_alive(server.pid), "the worker outlived Ctrl+C"
        assert stopped_after < 6, f"Ctrl+C took {stopped_after:.1f} s"
    finally:
        if server.poll() is None or _group_alive(server.pid):
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait(timeout=10)

    output = log.read_text(encoding="utf-8")
    assert f"http://127.0.0.1:{port}" in output
    assert "password for all: demo" in output and "koordinator" in output
    assert '"GET /log-ind/ HTTP/1.1" 200' in output
    for noise in ("Step 1 - ", "Step 7 - ", "Enqueueing", "Executing", "Applying ",
                  "/static/anskaf/app.css", "SIGKILL", "Booting worker", "Traceback"):
        assert noise not in output, f"the terminal shows {noise!r}:\n{output}"
    assert (var_dir / "secret_key").stat().st_mode & 0o077 == 0


def _group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    # Zombies of our own child count as gone.
    out = subprocess.run(["ps", "-o", "stat=", "-g", str(pgid)], capture_output=True, text=True)
    return any(not stat.startswith("Z") for stat in out.stdout.split())
