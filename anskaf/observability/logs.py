"""The log line: time, level, logger, request id and message - plain text by default, one JSON
object per line with LOG_FORMAT=json (for a log collector). Standard library only: gunicorn's
settings use it before Django is loaded."""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime
from typing import Any

from .context import request_id

FORMATS = ("plain", "json")
PLAIN = "%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s"
# Extra fields a log call may pass (logger.info(..., extra={...})) that the JSON line keeps.
EXTRA_FIELDS = ("method", "path", "status", "duration_ms", "view", "remote_addr", "task",
                "message_pk", "bytes")


class RequestIdFilter(logging.Filter):
    """Gives every record a `request_id` ("-" outside a request), unless the call set one.
    Django logs a 4xx/5xx answer (django.request) after the middleware has left the request:
    its record carries the request, which carries the id."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", None):
            carried = getattr(getattr(record, "request", None), "request_id", None)
            record.request_id = request_id() or carried or "-"
        return True


class PlainFormatter(logging.Formatter):
    def __init__(self) -> None:
        super().__init__(PLAIN)


class JsonFormatter(logging.Formatter):
    """One JSON object per line: time (UTC, ISO 8601), level, logger, request_id, message, and
    the exception's traceback as `exc_info` when there is one."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "request_id": getattr(record, "request_id", None) or request_id(),
            "message": record.getMessage(),
        }
        for name in EXTRA_FIELDS:
            if hasattr(record, name):
                line[name] = getattr(record, name)
        if record.exc_info:
            line["exc_info"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack_info"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def formatter(log_format: str) -> logging.Formatter:
    return JsonFormatter() if log_format == "json" else PlainFormatter()


def check_format(log_format: str) -> str:
    value = (log_format or "plain").strip().lower()
    if value not in FORMATS:
        raise ValueError(f"LOG_FORMAT must be plain or json, not {log_format!r}")
    return value


def logging_config(*, log_format: str, level: str) -> dict[str, Any]:
    """Django's LOGGING: one console handler with the request id filter and the chosen format."""
    formatter_class = JsonFormatter if log_format == "json" else PlainFormatter
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {"request_id": {"()": RequestIdFilter}},
        "formatters": {"anskaf": {"()": formatter_class}},
        "handlers": {"console": {"class": "logging.StreamHandler", "filters": ["request_id"],
                                 "formatter": "anskaf"}},
        "root": {"handlers": ["console"], "level": level},
        "loggers": {"django.db.backends": {"level": "INFO"}},
    }
