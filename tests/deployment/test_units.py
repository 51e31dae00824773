"""The systemd units in docs/deploy/: what an operator relies on is in them, and systemd itself
reads them without a complaint. (test_deployment.py starts its processes from their ExecStart.)"""

from __future__ import annotations

import shutil
import subprocess

import pytest
from deploy_stack import DEPLOY, UNIT_BINARY, unit_exec_start

UNITS = ("anskaf-web@.service", "anskaf-worker.service")
REQUIRED = ("EnvironmentFile=/etc/anskaf/anskaf.env", "User=anskaf", "NoNewPrivileges=yes",
            "ProtectSystem=strict", "ReadWritePaths=/srv/anskaf/var", "PrivateTmp=yes",
            "Restart=on-failure")


@pytest.mark.parametrize("unit", UNITS)
def test_a_unit_runs_anskaf_as_its_own_user_with_the_hardening_options(unit):
    lines = (DEPLOY / unit).read_text().splitlines()
    for option in REQUIRED:
        assert option in lines, f"{unit} lacks {option}"
    argv = unit_exec_start(unit, "8000")
    assert argv[1] == ("serve" if unit.startswith("anskaf-web") else "worker")


def test_systemd_reads_the_units_without_a_warning(tmp_path):
    analyze = shutil.which("systemd-analyze")
    if analyze is None:
        pytest.skip("systemd-analyze not found")
    paths = []
    for unit in UNITS:
        # verify wants the ExecStart binary to exist; /srv/anskaf is the operator's.
        text = (DEPLOY / unit).read_text().replace(UNIT_BINARY, "/bin/true")
        name = unit.replace("@.", "@8000.")
        (tmp_path / unit).write_text(text)
        if name != unit:
            (tmp_path / name).symlink_to(tmp_path / unit)
        paths.append(str(tmp_path / name))
    result = subprocess.run([analyze, "verify", *paths], capture_output=True, text=True,
                            timeout=60)
    complaints = [line for line in (result.stdout + result.stderr).splitlines()
                  if str(tmp_path) in line]
    assert result.returncode == 0 and not complaints, result.stdout + result.stderr
