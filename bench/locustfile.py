"""One page per run: BENCH_PATHS (|-separated, picked at random), session cookie BENCH_COOKIE."""

import os
import random

from locust import FastHttpUser, task

PATHS = os.environ["BENCH_PATHS"].split("|")
COOKIE = os.environ["BENCH_COOKIE"]
NAME = os.environ.get("BENCH_NAME", "page")


class Visitor(FastHttpUser):
    @task
    def page(self):
        path = random.choice(PATHS)
        with self.client.get(path, name=NAME, headers={"Cookie": COOKIE},
                             allow_redirects=False, catch_response=True) as resp:
            if resp.status_code != 200:
                resp.failure(f"HTTP {resp.status_code}")
