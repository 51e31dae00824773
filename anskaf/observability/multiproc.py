"""The directory where gunicorn's processes (and a worker beside them) keep their metrics
(prometheus-client's multiprocess mode). No prometheus_client import at module level: the
variable must be set before that library is first imported, and this module is what sets it."""

from __future__ import annotations

import os
import re
from pathlib import Path

MULTIPROC_ENV = "PROMETHEUS_MULTIPROC_DIR"
_PID_IN_NAME = re.compile(r"_(\d+)\.db$")


def multiprocess_dir() -> Path | None:
    value = os.environ.get(MULTIPROC_ENV, "").strip()
    return Path(value) if value else None


def use_multiprocess_dir(var_dir: Path, *, clean: bool) -> Path:
    """Set PROMETHEUS_MULTIPROC_DIR (unless the operator did) to var_dir/prometheus and create
    it; with `clean` (`anskaf serve` at start) remove what processes that are gone left."""
    path = multiprocess_dir() or var_dir / "prometheus"
    os.environ[MULTIPROC_ENV] = str(path)
    path.mkdir(parents=True, exist_ok=True)
    if clean:
        remove_dead_files(path)
    return path


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # someone else's process: alive
        return True
    return True


def remove_dead_files(path: Path) -> int:
    """Remove the count files of processes that are gone (an earlier run's gunicorn workers):
    the counts start afresh, while a worker process still running keeps its file. Returns how
    many files were removed."""
    removed = 0
    for file in path.glob("*.db"):
        match = _PID_IN_NAME.search(file.name)
        if match is None or not _alive(int(match.group(1))):
            file.unlink(missing_ok=True)
            removed += 1
    return removed


def mark_process_dead(pid: int) -> None:
    """gunicorn's child_exit: a stopped worker's live gauges are dropped (its counts stay)."""
    if multiprocess_dir() is not None:
        from prometheus_client import multiprocess

        multiprocess.mark_process_dead(pid)
