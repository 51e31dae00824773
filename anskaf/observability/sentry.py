"""Errors to Sentry (or a Sentry-compatible service such as GlitchTip) when SENTRY_DSN is set.

The SDK is the optional extra `anskaf[sentry]`; settings.py stops start-up with the install
command when the DSN is set and the package is missing. Personal data stays out: no user
details, cookies or request bodies are sent (send_default_pii off), only the error, its
stack and the request id (as a tag) to find the matching log lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .context import request_id

if TYPE_CHECKING:  # the sentry extra may be missing; only configure() imports it for real
    from sentry_sdk.types import Event, Hint


def _tag_request_id(event: Event, hint: Hint) -> Event:
    rid = request_id()
    if rid:
        event.setdefault("tags", {})["request_id"] = rid
    return event


def configure(*, dsn: str, environment: str, release: str) -> bool:
    """Start the Sentry SDK with the Django integration; False (and nothing started) when no
    DSN is given. Sends nothing by itself: only an error is sent, when one happens."""
    if not dsn:
        return False
    import sentry_sdk
    from sentry_sdk.integrations.django import DjangoIntegration

    sentry_sdk.init(
        dsn=dsn,
        environment=environment or None,
        release=release,
        integrations=[DjangoIntegration()],
        send_default_pii=False,
        max_request_body_size="never",
        traces_sample_rate=0.0,  # errors only: no performance traces leave the installation
        before_send=_tag_request_id,
    )
    return True
