"""Creating and checking API tokens. A token is random; only its SHA-256 is stored."""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from anskaf.orgs.models import User

from .models import ApiToken

# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(*, user: User, name: str = "cli") -> str:
    """Create a token for `user` and return it; it cannot be shown again."""
    name = (name or "cli").strip()[:100] or "cli"
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_digest(key))
    return key


def token_authenticate(key: str) -> User | None:
    """The active user a token belongs to, or None. Demo accounts only work in demo mode."""
    if not key or len(key) > MAX_TOKEN_LENGTH:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_digest(key)).first()
    if token is None:
        return None
    user = token.user
    if not user.is_active or (getattr(user, "is_demo", False) and not settings.DEMO_MODE):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
