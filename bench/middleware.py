"""Bench-only middleware (enabled by bench/settings_bench.py, never by anskaf.settings): the
number of SQL queries a request ran (`X-Bench-Queries`) and the CPU time its thread spent in
Django (`X-Bench-CPU`, ms; PostgreSQL's own CPU not included), so the load tool can report
both per request without touching the app's code."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.db import connections
from django.http import HttpRequest, HttpResponse

HEADER = "X-Bench-Queries"
CPU_HEADER = "X-Bench-CPU"


class QueryCountMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        count = 0
        cpu = time.thread_time()

        def counter(execute, sql, params, many, context):
            nonlocal count
            count += 1
            return execute(sql, params, many, context)

        with connections["default"].execute_wrapper(counter):
            response = self.get_response(request)
        response[HEADER] = str(count)
        response[CPU_HEADER] = f"{(time.thread_time() - cpu) * 1000:.2f}"
        return response
