"""The log line (plain and JSON) with time, level, logger and request id, and the request id a
response carries back."""

from __future__ import annotations

import io
import json
import logging

import pytest

from anskaf.observability import context, logs


def emit(log_format: str, message: str, *args, **kwargs) -> str:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logs.formatter(log_format))
    handler.addFilter(logs.RequestIdFilter())
    logger = logging.getLogger("anskaf.test.logs")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning(message, *args, **kwargs)
    finally:
        logger.removeHandler(handler)
        logger.propagate = True
    return stream.getvalue()


def test_a_json_line_has_time_level_logger_request_id_and_message():
    with context.bound_request_id("req-42"):
        line = emit("json", "outbox message %s sent", 7, extra={"status": 200})
    assert line.endswith("\n") and line.count("\n") == 1
    record = json.loads(line)
    assert record["level"] == "WARNING" and record["logger"] == "anskaf.test.logs"
    assert record["request_id"] == "req-42" and record["message"] == "outbox message 7 sent"
    assert record["status"] == 200
    assert record["time"].endswith("+00:00") and "T" in record["time"]


def test_a_json_line_keeps_a_traceback_on_one_line():
    try:
        raise ValueError("øv\nanden linje")
    except ValueError:
        line = emit("json", "failed", exc_info=True)
    assert line.count("\n") == 1
    assert "ValueError: øv" in json.loads(line)["exc_info"]


def test_a_plain_line_names_the_request_or_a_dash_outside_one():
    with context.bound_request_id("abc123"):
        inside = emit("plain", "hello")
    outside = emit("plain", "hello")
    assert " WARNING anskaf.test.logs [abc123] hello" in inside
    assert " WARNING anskaf.test.logs [-] hello" in outside
    assert inside[:4].isdigit()  # starts with the time


def test_an_unsafe_request_id_is_not_taken():
    with context.bound_request_id("bad id\nforged line"):
        assert context.request_id() is None
    assert not context.is_safe_request_id("x" * 65)
    assert context.is_safe_request_id("proxy-1.abc_DEF")


def test_log_format_must_be_plain_or_json():
    assert logs.check_format(" JSON ") == "json"
    assert logs.check_format("") == "plain"
    with pytest.raises(ValueError, match="LOG_FORMAT must be plain or json"):
        logs.check_format("xml")


@pytest.mark.django_db
def test_the_response_returns_the_sane_request_id_or_a_new_one(client):
    response = client.get("/healthz", HTTP_X_REQUEST_ID="proxy-req-1")
    assert response["X-Request-ID"] == "proxy-req-1"
    response = client.get("/healthz", HTTP_X_REQUEST_ID="no spaces allowed")
    assert response["X-Request-ID"] != "no spaces allowed"
    assert len(response["X-Request-ID"]) == 32


@pytest.mark.django_db
def test_djangos_line_for_a_refused_request_names_its_request_id(client, settings, caplog):
    settings.METRICS_TOKEN = "tok"
    caplog.handler.addFilter(logs.RequestIdFilter())
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get("/metrics", HTTP_X_REQUEST_ID="refused-1")
    assert response.status_code == 401
    record = next(r for r in caplog.records if r.name == "django.request")
    assert record.request_id == "refused-1"
