"""What an operator watches: the request id, the log format, the Prometheus metrics, Sentry.

A plain package, not a Django app, and neutral (at the bottom layer beside `http`): it imports
nothing of anskaf, so the audit trail, the worker and gunicorn's settings (which load before
Django) can all use it. The metrics that need the database (queue length, outbox) are gathered
at scrape time by the web shell (`anskaf/web/metrics.py`).

- `context`: the request id of the work in progress (a context variable).
- `logs`: the log line (plain or JSON, LOG_FORMAT) with time, level, logger and request id.
- `metrics`: the counters and histograms, and the multiprocess directory for gunicorn.
- `sentry`: error reporting to Sentry when SENTRY_DSN is set (the `sentry` extra).
"""
