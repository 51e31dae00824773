"""Production settings plus bench-only parts; no app code changes: the floor and empty-shell
views (bench/urls_bench.py) and a middleware that reports each request's SQL queries."""

from anskaf.settings import *  # noqa: F403
from anskaf.settings import MIDDLEWARE

ROOT_URLCONF = "bench.urls_bench"
# Outermost, so it counts every query of the request (session, user, viewer, view).
MIDDLEWARE = ["bench.middleware.QueryCountMiddleware", *MIDDLEWARE]
