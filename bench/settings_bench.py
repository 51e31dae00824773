"""Production settings plus one bench-only URL (the floor view); no app code changes."""

from anskaf.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls_bench"
