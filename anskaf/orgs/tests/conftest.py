"""Fixtures of the orgs tests: two running OpenID Connect providers, and a fake KITOS."""

from __future__ import annotations

import pytest

from anskaf.portfolio.fake_kitos import FakeKitos

from .oidc_provider import start_provider, stop_provider


@pytest.fixture(scope="session")
def two_providers():
    """Two running providers (municipality A's and B's): (issuer A, issuer B)."""
    a, issuer_a = start_provider()
    try:
        b, issuer_b = start_provider()
    except BaseException:
        stop_provider(a)
        raise
    yield issuer_a, issuer_b
    stop_provider(a)
    stop_provider(b)


@pytest.fixture
def fake_kitos():
    """A KITOS on 127.0.0.1 that a municipality can be set up to use."""
    fake = FakeKitos(email="api@haderslev.dk", password="kitos-kode")
    fake.start()
    yield fake
    fake.stop()
