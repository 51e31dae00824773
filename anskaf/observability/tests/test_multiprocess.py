"""prometheus-client's multiprocess mode as gunicorn runs it: separate processes count into
one directory, /metrics adds them up; `anskaf serve` clears what dead processes left."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from prometheus_client.parser import text_string_to_metric_families

from anskaf.observability import multiproc

ROOT = Path(__file__).resolve().parents[3]
COUNT = ("from anskaf.observability import metrics; "
         "metrics.REQUESTS.labels(view='healthz', method='GET', status='200').inc({n})")
EXPOSE = ("import sys; from anskaf.observability import metrics; "
          "sys.stdout.write(metrics.exposition().decode())")


def run(code: str, directory: Path) -> str:
    env = {**os.environ, multiproc.MULTIPROC_ENV: str(directory), "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                          text=True, timeout=60).stdout


def test_the_counts_of_several_processes_add_up(tmp_path):
    run(COUNT.format(n=2), tmp_path)
    run(COUNT.format(n=3), tmp_path)
    assert len(list(tmp_path.glob("counter_*.db"))) == 2  # one file per process
    text = run(EXPOSE, tmp_path)
    samples = {(s.name, s.labels.get("view")): s.value
               for family in text_string_to_metric_families(text) for s in family.samples}
    assert samples[("anskaf_http_requests_total", "healthz")] == 5


def test_serve_clears_the_files_of_processes_that_are_gone(tmp_path, monkeypatch):
    run(COUNT.format(n=1), tmp_path)  # that process has ended
    mine = tmp_path / f"counter_{os.getpid()}.db"
    mine.write_bytes(b"")  # a live process's file stays
    monkeypatch.delenv(multiproc.MULTIPROC_ENV, raising=False)
    path = multiproc.use_multiprocess_dir(tmp_path / "var", clean=False)
    assert path == tmp_path / "var" / "prometheus" and path.is_dir()
    monkeypatch.setenv(multiproc.MULTIPROC_ENV, str(tmp_path))
    assert multiproc.use_multiprocess_dir(Path("/nonexistent"), clean=True) == tmp_path
    assert [p.name for p in tmp_path.glob("*.db")] == [mine.name]


def test_serve_and_worker_count_into_the_var_dir_before_loading_django(tmp_path):
    code = ("import os, sys; from anskaf import cli; cli._use_metrics_dir(clean=True); "
            "print(os.environ['PROMETHEUS_MULTIPROC_DIR'])")
    env = {**os.environ, "ANSKAF_VAR_DIR": str(tmp_path), "PYTHONPATH": str(ROOT)}
    env.pop(multiproc.MULTIPROC_ENV, None)
    out = subprocess.run([sys.executable, "-c", code], env=env, check=True, capture_output=True,
                         text=True, timeout=60).stdout.strip()
    assert out == str(tmp_path / "prometheus") and (tmp_path / "prometheus").is_dir()
