"""Rendered fragments of the case page, cached (ADR 0042).

A fragment is cached under a key of its name, a version of exactly the data it shows and the
viewer's permission signature: the answers it shows that depend on who looks (may edit, may
put forward, ...), never the viewer's id, so everyone with the same answers shares an entry.
The versions move in the same transaction as the write (the audit trail's sequence numbers
and chain head), so a key is never reused for other content and nothing is invalidated: a
user's own write changes the version their next request reads. The cache is Django's default
(`CACHES`: Redis when REDIS_URL is set, per-process memory otherwise).

Forms in a cached fragment carry a placeholder instead of a CSRF token; it is replaced by the
requesting user's token on the way out, so no token is ever stored or shared.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Hashable
from functools import cache as once
from pathlib import Path
from typing import Any

from django.http import HttpRequest
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe

from anskaf.http.kept import kept_get, kept_get_many, kept_set, kept_set_many

# Stands for the requesting user's CSRF token in stored HTML (letters only: never escaped).
CSRF_PLACEHOLDER = "anskafCsrfTokenPlaceholder"
TIMEOUT = 24 * 3600  # keys are never reused; the timeout only frees memory


@once
def templates_digest() -> str:
    """A digest of every template shipped (read once per process): a deploy with changed
    templates never reads the old HTML from a shared cache."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.glob("*/templates/**/*.html")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


@once
def code_digest() -> str:
    """A digest of the package's Python code (read once per process): what a cache keeps was
    computed by this code, so a deploy that changes it, or a data migration with it, never
    reads what the old code computed or pickled."""
    digest = hashlib.sha256()
    for path in sorted(Path(__file__).resolve().parent.parent.glob("**/*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def fragment_key(name: str, version: Hashable, signature: Hashable) -> str:
    raw = repr((templates_digest(), code_digest(), translation.get_language(), name, version,
                signature))
    return "anskaf:fragment:" + hashlib.sha256(raw.encode()).hexdigest()


def cached_fragment(request: HttpRequest, key: str | None,
                    render: Callable[[str], str]) -> tuple[str, bool]:
    """The fragment's HTML with the requesting user's CSRF token, and whether it came from the
    cache. `render(token)` renders it with `token` where a form's token goes; `key` None: not
    cached (e.g. a search, whose results are the viewer's own)."""
    html = kept_get(key) if key is not None else None
    hit = html is not None
    if html is None:
        html = render(CSRF_PLACEHOLDER)
        if key is not None:
            kept_set(key, html, TIMEOUT)
    if CSRF_PLACEHOLDER in html:
        html = html.replace(CSRF_PLACEHOLDER, get_token(request))
    return html, hit


Shown = tuple[tuple[str, Any], ...]


def kept_renders(name: str, template: str, shown: list[Shown],
                 constants: dict[str, Any] | None = None) -> list[SafeString]:
    """Each of `shown` (all that one row or line shows, as (name, value) pairs) rendered by
    `template`, kept under exactly that: the key is the content, so it never names stale HTML
    and nothing is invalidated. Read in one round trip; the missing ones rendered, given only
    their values and `constants` (no request: nothing else can enter them), and kept in
    another."""
    extra = constants or {}
    keys = [fragment_key(name, (values, tuple(extra.items())), ()) for values in shown]
    kept = kept_get_many(list(dict.fromkeys(keys)))
    fresh: dict[str, str] = {}
    out = []
    for key, values in zip(keys, shown, strict=True):
        html = kept.get(key) or fresh.get(key)
        if html is None:
            html = fresh[key] = render_to_string(template, {**dict(values), **extra})
        out.append(mark_safe(html))  # the template's own output, escaped there
    if fresh:
        kept_set_many(fresh, TIMEOUT)
    return out
