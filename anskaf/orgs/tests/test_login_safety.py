"""Login safety: throttled password logins (django-axes), session cookies and expiry, CSRF,
security headers, and demo logins through the real login page."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from datetime import timedelta
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.contrib.auth import get_user
from django.core.management import call_command
from django.http import HttpRequest
from django.test import Client
from django.utils import timezone

from anskaf import demo
from anskaf.orgs import oidc

ROOT = Path(__file__).resolve().parents[3]
LOGIN = "/log-ind/"


def login(client: Client, username: str, password: str, **extra):
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def logged_in(client: Client) -> bool:
    request = HttpRequest()
    request.session = client.session
    return get_user(request).is_authenticated


def test_lockout_after_the_failure_limit_shows_the_danish_page(client, coordinator, settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    for _ in range(4):
        response = login(client, "koordinator", "forkert")
        assert response.status_code == 200
        assert "Brugernavn eller adgangskode er forkert" in response.content.decode()

    response = login(client, "koordinator", "forkert")
    assert response.status_code == 429
    page = response.content.decode()
    assert "For mange forsøg på at logge ind" in page
    assert "Brugernavnet <strong>koordinator</strong> er" in page
    assert "forkert 5 gange" in page
    assert re.search(r"Vent\s+15\s+minutter", page)
    assert 'lang="da"' in page and "Content-Security-Policy" in response.headers

    # Locked: even the right password does not get in now.
    response = login(client, "koordinator", "demo")
    assert response.status_code == 429 and not logged_in(client)


def test_lockout_is_per_username_and_address(client, coordinator, requester, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        login(client, "koordinator", "forkert")
    assert login(client, "koordinator", "demo").status_code == 429

    # Another person from the same address, and the same person from another address.
    assert login(Client(), "medarbejder", "demo").status_code == 302
    elsewhere = Client(REMOTE_ADDR="192.0.2.44")
    assert login(elsewhere, "koordinator", "demo").status_code == 302
    assert logged_in(elsewhere)


def test_login_works_again_after_the_cool_off(client, coordinator):
    for _ in range(5):
        login(client, "koordinator", "forkert")
    assert login(client, "koordinator", "demo").status_code == 429

    # 15 minutes pass (each try during the lockout started the wait again).
    AccessAttempt.objects.update(attempt_time=timezone.now() - timedelta(minutes=16))
    response = login(client, "koordinator", "demo")
    assert response.status_code == 302 and logged_in(client)
    # A successful login clears the count.
    assert not AccessAttempt.objects.exists()


def test_an_administrator_can_lift_a_lockout(client, coordinator):
    for _ in range(5):
        login(client, "koordinator", "forkert")
    assert login(client, "koordinator", "demo").status_code == 429
    call_command("axes_reset_username", "koordinator")
    assert login(client, "koordinator", "demo").status_code == 302


def test_failure_limit_and_cool_off_come_from_the_environment():
    code = ("from anskaf import settings as s; import json; print(json.dumps("
            "[s.AXES_FAILURE_LIMIT, s.AXES_COOLOFF_TIME.total_seconds(), s.SESSION_COOKIE_AGE, "
            "s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.AXES_CLIENT_IP_CALLABLE]))")

    def load(**env: str) -> list:
        base = {k: v for k, v in os.environ.items()
                if k not in {"SECURE_COOKIES", "BEHIND_PROXY", "SECURE_HSTS_SECONDS"}
                and not k.startswith("ANSKAF_LOGIN") and k != "ANSKAF_SESSION_HOURS"}
        result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                                cwd=ROOT, env={**base, "ANSKAF_TESTING": "1", **env}, timeout=60)
        assert result.returncode == 0, result.stderr
        return json.loads(result.stdout)

    assert load() == [5, 900.0, 36000, 0, False, None]
    assert load(ANSKAF_LOGIN_FAILURE_LIMIT="3", ANSKAF_LOGIN_COOLOFF_MINUTES="30",
                ANSKAF_SESSION_HOURS="8") == [3, 1800.0, 28800, 0, False, None]
    assert load(SECURE_COOKIES="true", BEHIND_PROXY="true") == [
        5, 900.0, 36000, 31_536_000, True, "anskaf.orgs.oidc.forwarded_client_ip"]
    assert load(SECURE_COOKIES="true", SECURE_HSTS_SECONDS="3600")[3] == 3600


def test_behind_the_proxy_the_address_the_proxy_saw_counts():
    request = HttpRequest()
    request.META = {"REMOTE_ADDR": "127.0.0.1", "HTTP_X_FORWARDED_FOR": "10.9.9.9, 203.0.113.7"}
    assert oidc.forwarded_client_ip(request) == "203.0.113.7"
    request.META = {"REMOTE_ADDR": "127.0.0.1"}
    assert oidc.forwarded_client_ip(request) == "127.0.0.1"


@pytest.fixture
def demo_data(db):
    return demo.load()


def test_demo_login_through_the_login_page_in_demo_mode(client, demo_data, settings):
    settings.DEMO_MODE = True
    response = login(client, "koordinator", "demo")
    assert response.status_code == 302 and logged_in(client)


def test_demo_login_refused_outside_demo_mode(client, demo_data, settings):
    settings.DEMO_MODE = False
    response = login(client, "koordinator", "demo")
    assert response.status_code == 200 and not logged_in(client)


def test_session_cookie_is_http_only_lax_and_ends_with_the_browser(client, coordinator):
    response = login(client, "koordinator", "demo")
    cookie = response.cookies["sessionid"]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert not cookie["max-age"] and not cookie["expires"]  # a browser-session cookie
    assert client.session.get_expiry_age() == 10 * 3600
    assert client.session.get_expire_at_browser_close()


def test_login_needs_a_csrf_token(coordinator):
    strict = Client(enforce_csrf_checks=True)
    assert login(strict, "koordinator", "demo").status_code == 403
    page = strict.get(LOGIN)
    token = page.cookies["csrftoken"].value
    response = strict.post(LOGIN, {"username": "koordinator", "password": "demo",
                                   "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_login_and_lockout_pages_carry_security_headers_and_no_inline_script(client, coordinator):
    pages = [client.get(LOGIN)]
    for _ in range(5):
        last = login(client, "koordinator", "forkert")
    pages.append(last)
    assert pages[1].status_code == 429
    for response in pages:
        csp = response["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp
        assert response["X-Frame-Options"] == "DENY"
        assert response["X-Content-Type-Options"] == "nosniff"
        html = response.content.decode()
        scripts = re.findall(r"<script\b[^>]*>", html)
        assert scripts and all(" src=" in tag for tag in scripts)
        assert not re.search(r"\son[a-z]+=", html)  # no inline event handlers
