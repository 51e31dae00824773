"""Django in this process, on the bench database with the bench settings, for the in-process
measurements (bench/profile.py, bench/scale_cost.py)."""

from __future__ import annotations

import os


def setup() -> None:
    os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/anskaf_bench")
    os.environ.setdefault("SECRET_KEY", "bench-not-secret")
    os.environ["ALLOWED_HOSTS"] = "testserver,127.0.0.1"
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings_bench"
    import django

    django.setup()
