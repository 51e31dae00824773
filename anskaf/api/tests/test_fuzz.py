"""The API against its own OpenAPI description (issue 21, item 3; ADR 0022).

schemathesis (its `st run`) fuzzes a live server on PostgreSQL from /api/v1/openapi.json: every
check, positive and negative data, all four phases (examples, coverage, fuzzing, stateful,
which follows the description's links case -> steps -> documents), a fixed seed and a bound,
once as an ordinary coordinator and once as an admin (API tokens). It fails on any 5xx, any
response the description does not allow, any schema-valid request refused with 400 (only 2xx,
401, 403, 404 and 409 are allowed for those) and any schema-violating one accepted.

On PostgreSQL only (SQLite: one server, one writer): `make test` runs it in the PostgreSQL
pass. Run it alone with `pytest -m fuzz` and a DATABASE_URL (docs/development.md).
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

from anskaf import testing
from anskaf.api.services import token_create

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]

SEED = 21
MAX_EXAMPLES = int(os.environ.get("ANSKAF_FUZZ_EXAMPLES", "20"))
# per role; past it the run is a failure (raise it on a loaded machine with
# ANSKAF_FUZZ_SECONDS). With 105 operations a role took 185-230 s on the 2 CI cores (ADR 0022).
MAX_SECONDS = int(os.environ.get("ANSKAF_FUZZ_SECONDS", "360"))

# max_response_time (seconds): a generous bound, since a journal package renders PDFs and CI
# shares two cores; still a failure for a request that hangs.
CONFIG = """\
[checks]
enabled = true
max_response_time = 60

[checks.positive_data_acceptance]
expected-statuses = ["2XX", 401, 403, 404, 409]

[checks.negative_data_rejection]
expected-statuses = [400, 401, 403, 404, 405, 409, 413, 415, 422]
"""

#: what the last runs counted, for the summary line (conftest.py's pytest_terminal_summary)
RESULTS: list[dict[str, object]] = []


def _needs_postgresql() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("the fuzzing suite runs in the PostgreSQL pass only")


def _seed_data():
    """A municipality with a few cases at different steps, an ordinary coordinator and an
    admin, so that the fuzzer's requests reach real rows."""
    org = testing.make_org()
    unit = testing.make_unit(org)
    coordinator = testing.make_user(org, "koordinator", "coordinator", unit=unit,
                                    full_name="Karen Koordinator")
    admin = testing.make_user(org, "admin", "admin", unit=unit)
    for title in ("Nyt økonomisystem", "Nyt journalsystem"):
        testing.new_case(coordinator, title=title)
    return {"coordinator": coordinator, "admin": admin}


def _st_run(base_url: str, token: str, workdir: Path, role: str) -> dict[str, object]:
    config = workdir / "schemathesis.toml"
    config.write_text(CONFIG)
    report = workdir / f"{role}.json"
    command = [
        str(Path(sys.executable).with_name("st")), "--config-file", str(config), "run",
        f"{base_url}/api/v1/openapi.json", "--url", base_url,
        "--checks", "all", "--mode", "all",
        "--phases", "examples,coverage,fuzzing,stateful",
        "--seed", str(SEED), "--max-examples", str(MAX_EXAMPLES),
        "--workers", "2", "--no-color", "--request-timeout", "90",
        "--header", f"Authorization: Bearer {token}",
        "--report", "json", "--report-json-path", str(report),
        "--generation-database", "none",
    ]
    output = workdir / f"{role}.log"
    started = time.monotonic()
    with output.open("w") as out:
        try:
            returncode = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, cwd=workdir,
                                        timeout=MAX_SECONDS).returncode
        except subprocess.TimeoutExpired:
            returncode = None
    return {"role": role, "returncode": returncode, "output": output.read_text(),
            "seconds": time.monotonic() - started, "report": report}


def _counts(output: str) -> tuple[int, int]:
    """(test cases generated, unique failures) from st run's closing summary."""
    generated = re.search(r"^\s*(\d+) generated", output, re.MULTILINE)
    failures = re.search(r"found (\d+) unique failures", output)
    return (int(generated.group(1)) if generated else 0,
            int(failures.group(1)) if failures else 0)


def summary_line() -> str | None:
    """The line `make test` prints (conftest.py: pytest_terminal_summary), or None."""
    if not RESULTS:
        return None
    roles = ", ".join(f"{r['role']} {r['generated']} in {r['seconds']:.0f} s" for r in RESULTS)
    generated = sum(int(r["generated"]) for r in RESULTS)
    failures = sum(int(r["failures"]) + (r["returncode"] != 0 and not r["failures"])
                   for r in RESULTS)
    return (f"schemathesis: {generated} requests generated, failures: {failures} ({roles}; "
            f"seed {SEED}, {MAX_EXAMPLES} examples per operation)")


def test_the_api_keeps_its_openapi_description(live_server, tmp_path):
    _needs_postgresql()
    people = _seed_data()
    RESULTS.clear()
    for role in os.environ.get("ANSKAF_FUZZ_ROLES", "coordinator,admin").split(","):
        result = _st_run(live_server.url, token_create(user=people[role], name="fuzz"),
                         tmp_path, role)
        result["generated"], result["failures"] = _counts(str(result["output"]))
        RESULTS.append(result)
    failed = [r for r in RESULTS if r["returncode"] != 0]
    assert not failed, "\n\n".join(
        f"--- st run as {r['role']} (exit {r['returncode']}) ---\n{str(r['output'])[-15000:]}"
        for r in failed)
    assert all(r["generated"] for r in RESULTS), "schemathesis generated no requests"
