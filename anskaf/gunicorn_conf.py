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
- Log lines look like the application's (anskaf.observability.logs): time, level, logger and
  request id (the X-Request-ID the application answered with), plain or with LOG_FORMAT=json
  one JSON object per line.
- A stopped worker is marked dead for the metrics of /metrics (prometheus-client's
  multiprocess mode; `anskaf serve` sets PROMETHEUS_MULTIPROC_DIR).
"""

from __future__ import annotations

import os
import sys
import traceback
from typing import Any

from gunicorn.glogging import Logger
from gunicorn.workers.gthread import ThreadWorker as ThreadWorkerBase

from anskaf.observability import logs
from anskaf.observability.multiproc import mark_process_dead


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


def _response_header(resp: Any, name: str) -> str | None:
    for key, value in getattr(resp, "headers", None) or []:
        if str(key).lower() == name:
            return str(value)
    return None


class AccessLogger(Logger):
    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        try:
            log_format = logs.check_format(os.environ.get("LOG_FORMAT", "plain"))
        except ValueError:
            log_format = "plain"  # the application refuses it at start-up with the reason
        for log in (self.error_log, self.access_log):
            for handler in log.handlers:
                handler.setFormatter(logs.formatter(log_format))
                handler.addFilter(logs.RequestIdFilter())

    def access(self, resp: Any, req: Any, environ: dict, request_time: Any) -> None:
        path = environ.get("PATH_INFO", "")
        status = _status(resp)
        if (path.startswith("/static/") and status < 400) or not self.access_log_enabled:
            return
        atoms = self.atoms_wrapper_class(self.atoms(resp, req, environ, request_time))
        duration = request_time.total_seconds() if hasattr(request_time, "total_seconds") else 0
        extra = {"request_id": _response_header(resp, "x-request-id") or "-",
                 "method": environ.get("REQUEST_METHOD", ""), "path": path, "status": status,
                 "duration_ms": round(duration * 1000, 1),
                 "remote_addr": environ.get("REMOTE_ADDR", "")}
        try:
            self.access_log.info(self.cfg.access_log_format, atoms, extra=extra)
        except Exception:
            self.error(traceback.format_exc())


def child_exit(server: Any, worker: Any) -> None:
    mark_process_dead(worker.pid)


logger_class = "anskaf.gunicorn_conf.AccessLogger"
# The client, the request line, status, bytes and time taken; time, level, logger and request
# id come from the formatter.
access_log_format = '%(h)s "%(r)s" %(s)s %(b)s %(M)sms'
