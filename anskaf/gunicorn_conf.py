"""gunicorn's settings for `anskaf serve` (`--config python:anskaf.gunicorn_conf`).

Loaded by gunicorn's master before the application: no Django here.

- Ctrl+C (SIGINT, and the SIGQUIT the master sends right after) is gunicorn's quick stop. A
  gthread worker then waited for its threads, and a thread blocked reading an idle keep-alive
  or pre-connected browser socket held it until `--graceful-timeout` (30 s) ran out and the
  master killed it ("was sent SIGKILL! Perhaps out of memory?"). Worse, gunicorn's handler
  shuts the thread pool down under a lock, and the second signal, arriving inside the first
  handler, waits for that lock forever. The quick stop abandons requests anyway, so our worker
  leaves at once, holding no lock. SIGTERM (systemd's stop) is untouched: it still lets
  running requests finish.
- The access log leaves out successful static files (a page pulls in a dozen); requests to
  the application and every error (4xx/5xx, static or not) are logged.
"""

from __future__ import annotations

import os
import sys
from typing import Any

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker as ThreadWorkerBase


class ThreadWorker(ThreadWorkerBase):
    """gunicorn's gthread worker, whose quick stop (SIGINT, SIGQUIT) exits at once."""

    def handle_quit(self, sig: Any, frame: Any) -> None:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(0)


def _status(resp: Any) -> int:
    code = getattr(resp, "status_code", None)
    if isinstance(code, int):
        return code
    try:
        return int(str(getattr(resp, "status", "0")).split()[0])
    except (ValueError, IndexError):
        return 0


class AccessLogger(Logger):
    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        if environ.get("PATH_INFO", "").startswith("/static/") and _status(resp) < 400:
            return
        super().access(resp, req, environ, request_time)


logger_class = "anskaf.gunicorn_conf.AccessLogger"
