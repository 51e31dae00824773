"""Creating, listing, revoking and checking API tokens. A token is random; only its SHA-256
is stored, so a token can be shown once and never again (a list shows ids and names)."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from anskaf.audit import events
from anskaf.audit.services import audit_append
from anskaf.orgs.models import User
from anskaf.validation.text import TextRefused, text_problem

from .models import ApiToken

# last_used_at is written at most this often per token, so reads stay reads.
LAST_USED_RESOLUTION = timedelta(minutes=1)
MAX_TOKEN_LENGTH = 200


def _digest(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


def token_create(*, user: User, name: str = "cli") -> str:
    """Create a token for `user` and return it; it cannot be shown again."""
    name = (name or "cli").strip()[:100] or "cli"
    if (problem := text_problem(name, name=True)) is not None:
        raise TextRefused("name", problem)
    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, name=name, key_hash=_digest(key))
    return key


def token_list(*, user: User | None = None) -> list[ApiToken]:
    """Tokens (never their secret: only its hash is stored), oldest first; one user's or all."""
    tokens = ApiToken.objects.select_related("user").order_by("created_at", "pk")
    if user is not None:
        tokens = tokens.filter(user=user)
    return list(tokens)


@transaction.atomic
def token_revoke(*, token_ids: Iterable[int] = (), user: User | None = None) -> list[ApiToken]:
    """Delete tokens by id, or all of `user`'s tokens; a revoked token never authenticates again.

    All or nothing: an id that does not exist raises ApiToken.DoesNotExist and revokes none.
    Each revocation is an audit event in the token owner's organisation (when they have one).
    """
    ids = list(dict.fromkeys(token_ids))
    if user is not None:
        tokens = list(ApiToken.objects.select_for_update().filter(user=user).order_by("pk"))
    else:
        found = {t.pk: t for t in ApiToken.objects.select_for_update().filter(pk__in=ids)}
        missing = [pk for pk in ids if pk not in found]
        if missing:
            raise ApiToken.DoesNotExist(", ".join(str(pk) for pk in missing))
        tokens = [found[pk] for pk in ids]
    users = {u.pk: u for u in User.objects.filter(pk__in={t.user_id for t in tokens})}
    for token in tokens:
        owner = users[token.user_id]
        pk = token.pk
        token.delete()
        if owner.organisation_id is not None:
            audit_append(organisation_id=owner.organisation_id, actor=None, actor_role=events.CLI,
                         event_type="api_token.revoked", object_id=pk,
                         before={"user": owner.pk, "username": owner.username,
                                 "name": token.name}, after=None)
        token.pk = pk  # keep the id for the caller's report
    return tokens


def token_authenticate(key: str) -> User | None:
    """The active user a token belongs to, or None. Demo accounts only work in demo mode."""
    if not key or len(key) > MAX_TOKEN_LENGTH:
        return None
    token = (ApiToken.objects.select_related("user", "user__organisation")
             .filter(key_hash=_digest(key)).first())
    if token is None:
        return None
    user = token.user
    if not user.is_active or (getattr(user, "is_demo", False) and not settings.DEMO_MODE):
        return None
    if user.organisation_suspended():  # a suspended municipality (ADR 0030)
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return user
