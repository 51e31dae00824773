"""The production shape on this machine (issue 22, ADR 0024): nginx with TLS in front of two
`anskaf serve` app servers and two identical workers, on PostgreSQL (a database of its own),
Redis (db 13, flushed before and after) and documents on S3 (moto's server).

The processes are started from the shipped systemd units' ExecStart lines and nginx runs the
shipped site file (docs/deploy/); only ports, addresses and paths are replaced. Each process
gets a clean environment, as systemd gives it: no test settings, the task queue not immediate.

Runs in the PostgreSQL pass only. Without nginx, Redis or moto it is skipped, unless
REQUIRE_DEPLOYMENT=1 (CI), which makes that a failure.
"""

from __future__ import annotations

import json
import os
import re
import secrets
import shlex
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "docs" / "deploy"
ANSKAF = Path(sys.executable).with_name("anskaf")
NGINX = os.environ.get("NGINX_PATH", "/usr/sbin/nginx")
REDIS_URL = "redis://127.0.0.1:6379/13"  # this test's own Redis database: flushed, nothing else
BUCKET = "anskaf-deployment"
PASSWORD = "Udrulning-prøve-7413"
UNIT_BINARY = "/srv/anskaf/venv/bin/anskaf"

# Every kind of process this file starts, to stop them all (process groups) at the end.
Proc = subprocess.Popen


def _unavailable(reason: str) -> None:
    if os.environ.get("REQUIRE_DEPLOYMENT") == "1":
        pytest.fail(f"REQUIRE_DEPLOYMENT=1, but {reason}")
    pytest.skip(reason)


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


# --- the shipped files ----------------------------------------------------------------------


def unit_exec_start(name: str, instance: str = "") -> list[str]:
    """The unit's ExecStart as argv, with %i filled in and this checkout's anskaf."""
    lines = [line.partition("=")[2].strip() for line in (DEPLOY / name).read_text().splitlines()
             if line.startswith("ExecStart=")]
    assert len(lines) == 1, f"{name}: one ExecStart expected, found {lines}"
    argv = shlex.split(lines[0].replace("%i", instance))
    assert argv[0] == UNIT_BINARY, f"{name}: ExecStart should run {UNIT_BINARY}"
    return [str(ANSKAF), *argv[1:]]


def nginx_site(https_port: int, http_port: int, upstreams: list[int], cert: Path,
               key: Path) -> str:
    """docs/deploy/nginx-anskaf.conf on loopback ports, with the test's certificate."""
    text = (DEPLOY / "nginx-anskaf.conf").read_text()
    for old, new in (("listen 80;", f"listen 127.0.0.1:{http_port};"),
                     ("listen 443 ssl http2;", f"listen 127.0.0.1:{https_port} ssl http2;"),
                     ("/etc/ssl/anskaf/fullchain.pem", str(cert)),
                     ("/etc/ssl/anskaf/privkey.pem", str(key)),
                     ("server 127.0.0.1:8000 ", f"server 127.0.0.1:{upstreams[0]} "),
                     ("server 127.0.0.1:8001 ", f"server 127.0.0.1:{upstreams[1]} ")):
        assert text.count(old) == 1, f"nginx-anskaf.conf changed: expected {old!r} once"
        text = text.replace(old, new)
    return text


def nginx_main(tmp: Path, site: Path) -> str:
    """The main nginx.conf an unprivileged test needs around the site file (Debian's own
    /etc/nginx/nginx.conf plays this part in production)."""
    temp = "\n".join(f"    {kind}_temp_path {tmp}/{kind};"
                     for kind in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"))
    return (f"daemon off;\nworker_processes 1;\npid {tmp}/nginx.pid;\n"
            f"error_log {tmp}/nginx-error.log warn;\n"
            "events { worker_connections 512; }\n"
            f"http {{\n    access_log {tmp}/nginx-access.log;\n{temp}\n"
            f"    include {site};\n}}\n")


def self_signed(tmp: Path) -> tuple[Path, Path]:
    cert, key = tmp / "fullchain.pem", tmp / "privkey.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-addext",
                    "subjectAltName=DNS:localhost,IP:127.0.0.1",
                    "-keyout", str(key), "-out", str(cert)],
                   check=True, capture_output=True)
    return cert, key


# --- the stack ------------------------------------------------------------------------------


@dataclass
class Stack:
    tmp: Path
    env: dict[str, str]
    db: dict[str, Any]
    https_port: int
    http_port: int
    app_ports: list[int]
    cert: Path
    smtp: Any
    procs: dict[str, Proc] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    workers_started: float = 0.0
    killed: set[str] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"https://127.0.0.1:{self.https_port}"

    def app(self, index: int) -> str:
        return f"http://127.0.0.1:{self.app_ports[index]}"

    def session(self) -> Any:
        import requests

        s = requests.Session()
        s.trust_env = False  # no proxy or CA bundle from the environment: loopback, our CA
        s.verify = str(self.cert)
        return s

    def log(self, name: str) -> str:
        path = self.tmp / f"{name}.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def logs(self, tail: int = 2500) -> str:
        names = [*self.procs, "nginx-error"]
        return "\n".join(f"--- {n} ---\n{self.log(n)[-tail:]}" for n in names)

    def start(self, name: str, argv: list[str], **extra_env: str) -> Proc:
        out = (self.tmp / f"{name}.log").open("w")
        proc = subprocess.Popen(argv, cwd=self.tmp, env={**self.env, **extra_env},
                                stdout=out, stderr=subprocess.STDOUT, start_new_session=True)
        self.procs[name] = proc
        return proc

    def kill(self, name: str) -> None:
        """A hard crash of the process and everything it started (gunicorn's workers)."""
        proc = self.procs[name]
        self.killed.add(name)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=10)
        if name.startswith("web"):  # the leader is gone; its workers may hold the port a moment
            self._wait_closed(self.app_ports[int(name.removeprefix("web"))])

    @staticmethod
    def _wait_closed(port: int, timeout: float = 10.0) -> None:
        """Until nothing accepts on the port: only then is the server down for the proxy."""
        import socket

        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            except OSError:
                return
            time.sleep(0.05)
        raise AssertionError(f"port {port} still accepts connections after the kill")

    def sql(self, query: str, *params: Any) -> list[tuple]:
        import psycopg

        with psycopg.connect(**self.db) as conn:
            return conn.execute(query, params).fetchall()

    def manage(self, *args: str, timeout: int = 120) -> subprocess.CompletedProcess:
        return subprocess.run([str(ANSKAF), *args], cwd=self.tmp, env=self.env, text=True,
                              capture_output=True, timeout=timeout)


def wait_for(what: str, check: Any, stack: Stack, timeout: float) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            result = check()
        except Exception:  # not up yet (refused, reset, 502, no table yet)
            result = None
        if result:
            return result
        for name, proc in stack.procs.items():
            if proc.poll() is not None and name not in stack.killed:
                raise AssertionError(f"{name} exited ({proc.returncode}) while waiting for "
                                     f"{what}\n{stack.logs()}")
        time.sleep(0.5)
    raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}\n{stack.logs()}")


def _healthy(base: str, verify: Any = True) -> bool:
    import requests

    return requests.get(f"{base}/healthz", timeout=5, verify=verify).status_code == 200


SETUP = """
import datetime as dt, json
from django.utils import timezone
from anskaf import testing
from anskaf.api.services import token_create
from anskaf.cases import services
from anskaf.cases.models import StepState
from anskaf.notifications.models import Notification, StepDeadline

org = testing.make_org()
unit = testing.make_unit(org)
coord = testing.make_user(org, "koordinator", "coordinator", unit=unit, password=PASSWORD,
                          full_name="Karen Koordinator")
coord.email = "koordinator@haderslev.example"
coord.save()
reader = testing.make_user(org, "dora", "it_board", password=None, full_name="Dora Digest")
reader.email = "dora@haderslev.example"
reader.save()
cases = [testing.new_case(coord, title=f"Udrulningsprøve {i}") for i in range(4)]
# An overdue step with an assignee: one reminder is due (ReminderSent keys it).
services.step_assign(actor=coord, case_id=cases[0].pk, number=1, assignee="koordinator")
StepDeadline.objects.create(organisation=org, case=cases[0], step=1, set_by=coord,
                            due_date=timezone.localdate() - dt.timedelta(days=1),
                            updated_at=timezone.now())
# Two notices waiting for Dora's daily digest: one digest e-mail is due.
for i in range(2):
    Notification.objects.create(organisation=org, recipient=reader, kind="step_opened",
                                subject=f"Samlet besked {i}", body="-", url="/",
                                created_at=timezone.now(), digest_pending=True)
print(json.dumps({
    "cases": [c.pk for c in cases],
    "token": token_create(user=coord, name="udrulningsprøve"),
    "versions": {str(c.pk): StepState.objects.get(case=c, number=1).version for c in cases},
}))
""".replace("PASSWORD", repr(PASSWORD))


def _create_database(settings_db: dict) -> tuple[dict[str, Any], str]:
    import psycopg

    name = f"anskaf_deploy_{uuid.uuid4().hex[:8]}"
    params = {"host": settings_db["HOST"] or "127.0.0.1", "port": settings_db["PORT"] or 5432,
              "user": settings_db["USER"], "password": settings_db["PASSWORD"] or None}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'CREATE DATABASE "{name}"')
    user = params["user"] + (f":{params['password']}" if params["password"] else "")
    return {"dbname": name, **params}, f"postgres://{user}@{params['host']}:{params['port']}/{name}"


def _drop_database(db: dict[str, Any]) -> None:
    import psycopg

    params = {k: v for k, v in db.items() if k != "dbname"}
    with psycopg.connect(dbname="postgres", autocommit=True, **params) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{db["dbname"]}" WITH (FORCE)')


def _requirements() -> None:
    from django.conf import settings

    if "postgresql" not in settings.DATABASES["default"]["ENGINE"]:
        pytest.skip("the deployment test runs in the PostgreSQL pass")
    if not os.access(NGINX, os.X_OK):
        _unavailable(f"nginx not found at {NGINX} (Debian: apt-get install nginx)")
    if shutil.which("openssl") is None:
        _unavailable("openssl not found")
    try:
        import moto.server  # noqa: F401
        import redis

        redis.Redis.from_url(REDIS_URL, socket_timeout=2).ping()
    except ImportError as exc:
        _unavailable(f"{exc.name} is not installed (pip install -e '.[test,redis,s3]')")
    except Exception as exc:
        _unavailable(f"Redis does not answer on 127.0.0.1:6379 ({exc})")


def _environment(tmp: Path, url: str, https_port: int, s3: str, smtp_port: int) -> dict[str, str]:
    """What /etc/anskaf/anskaf.env holds in production (docs/deploy/anskaf.env.example)."""
    base = f"https://127.0.0.1:{https_port}"
    return {
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": str(tmp), "LANG": "C.UTF-8",
        "SECRET_KEY": secrets.token_urlsafe(50), "DATABASE_URL": url, "REDIS_URL": REDIS_URL,
        "ANSKAF_HUEY_NAME": f"anskaf-deploy-{tmp.name}",
        "ALLOWED_HOSTS": "127.0.0.1,localhost", "CSRF_TRUSTED_ORIGINS": base,
        "ANSKAF_BASE_URL": base, "BEHIND_PROXY": "true", "SECURE_COOKIES": "true",
        "ANSKAF_VAR_DIR": str(tmp / "var"), "WEB_CONCURRENCY": "2", "WEB_THREADS": "4",
        "ANSKAF_WARMUP": "0", "DB_CONN_MAX_AGE": "60",
        "ANSKAF_S3_BUCKET": BUCKET, "ANSKAF_S3_ENDPOINT_URL": s3, "ANSKAF_S3_REGION": "eu-north-1",
        "ANSKAF_S3_ACCESS_KEY_ID": "test", "ANSKAF_S3_SECRET_ACCESS_KEY": "test",
        "ANSKAF_S3_ADDRESSING_STYLE": "path",
        "EMAIL_HOST": "127.0.0.1", "EMAIL_PORT": str(smtp_port), "EMAIL_TIMEOUT": "5",
        "DEFAULT_FROM_EMAIL": "anskaf@haderslev.example",
        "ANSKAF_JOBS_EVERY_MINUTE": "true",
        # Single sign-on on (never reached): its redirect_uri shows which scheme the app saw.
        "OIDC_RP_CLIENT_ID": "anskaf", "OIDC_RP_CLIENT_SECRET": "not-used",
        "OIDC_OP_AUTHORIZATION_ENDPOINT": "https://login.example.invalid/authorize",
        "OIDC_OP_TOKEN_ENDPOINT": "https://login.example.invalid/token",
        "OIDC_OP_USER_ENDPOINT": "https://login.example.invalid/userinfo",
        "OIDC_OP_JWKS_ENDPOINT": "https://login.example.invalid/keys",
        "ANSKAF_OIDC_ORGANISATION": "haderslev",
    }


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    _requirements()
    import boto3
    import redis
    from django.conf import settings
    from moto.server import ThreadedMotoServer

    from anskaf.notifications.tests import smtp

    tmp = tmp_path_factory.mktemp("deploy")
    cert, key = self_signed(tmp)
    redis.Redis.from_url(REDIS_URL).flushdb()
    moto = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    moto.start()
    host, port = moto.get_host_and_port()
    s3 = f"http://{host}:{port}"
    boto3.client("s3", endpoint_url=s3, region_name="eu-north-1", aws_access_key_id="test",
                 aws_secret_access_key="test").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-north-1"})
    collector = smtp.Collector()
    smtp_port = smtp.free_port()
    controller = smtp.start(smtp_port, collector)
    db, url = _create_database(settings.DATABASES["default"])
    https_port, http_port = free_port(), free_port()
    s = Stack(tmp=tmp, env=_environment(tmp, url, https_port, s3, smtp_port), db=db,
              https_port=https_port, http_port=http_port, app_ports=[free_port(), free_port()],
              cert=cert, smtp=collector)
    started = time.monotonic()

    def stage(what: str) -> None:  # shown with -s, and with the output of a failing test
        print(f"deployment stack: {what} after {time.monotonic() - started:.1f} s", flush=True)

    try:
        # Both app servers at once, as two systemd instances would start: one migrates under
        # the migration lock while the other waits.
        for i, port in enumerate(s.app_ports):
            s.start(f"web{i}", unit_exec_start("anskaf-web@.service", str(port)))
        for i in range(2):
            wait_for(f"app server {i}", lambda i=i: _healthy(s.app(i)), s, timeout=240)
        stage("both app servers answer (migrated, static files collected)")
        setup = s.manage("manage", "shell", "-c", SETUP)
        assert setup.returncode == 0, setup.stderr
        s.data = json.loads(setup.stdout.strip().splitlines()[-1])
        stage("data set up")
        # Two identical workers, both scheduling the periodic jobs (DEBUG: huey's lines).
        for i in range(2):
            s.start(f"worker{i}", unit_exec_start("anskaf-worker.service"), LOG_LEVEL="DEBUG")
        s.workers_started = time.time()
        site = tmp / "nginx-anskaf.conf"
        site.write_text(nginx_site(https_port, http_port, s.app_ports, cert, key))
        (tmp / "nginx.conf").write_text(nginx_main(tmp, site))
        s.start("nginx", [NGINX, "-e", str(tmp / "nginx-error.log"), "-p", str(tmp),
                          "-c", str(tmp / "nginx.conf")])
        wait_for("nginx", lambda: _healthy(s.url, str(cert)), s, timeout=30)
        stage("nginx serves")
        yield s
    finally:
        _stop(s)
        controller.stop()
        moto.stop()
        redis.Redis.from_url(REDIS_URL).flushdb()
        _drop_database(db)


def _stop(s: Stack) -> None:
    for proc in s.procs.values():
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
    for proc in s.procs.values():
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=10)


def cookie(response: Any, name: str) -> tuple[str, str]:
    """The value and the attributes of a Set-Cookie, read from the raw headers (a requests
    session would not send a Secure cookie over the direct http connection to an app server)."""
    for header in response.raw.headers.getlist("Set-Cookie"):
        match = re.match(rf"{name}=([^;]*);?(.*)", header)
        if match:
            return match.group(1), match.group(2)
    raise AssertionError(f"no {name} cookie in {response.headers}")
