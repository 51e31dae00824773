"""Domain errors as HTML answers (ADR 0037): the one place every app's views turn a refusal
(`anskaf.errors.DomainError`) into what the page shows.

- `html_refusal(exc)`: a refused action on a page that comes back with the user's typing: the
  status (a field error 400, as the forms have always answered; any other refusal its own:
  403, 409), the Danish message, the fields and whether it is a lost update. Not found is the
  404 page.
- `refusals_as_pages`: a view whose refusals are whole pages: not found the 404 page, a
  missing role the 403 page with the refusal's message.

The API's answer is `anskaf/api/errors.py`, the CLI's `_run` in `anskaf/cli.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from anskaf.errors import Conflict, DomainError, Forbidden, NotFound, ValidationFailed


@dataclass(frozen=True)
class HtmlRefusal:
    status: int
    message: str
    fields: dict[str, str] = field(default_factory=dict)
    conflict: bool = False  # someone saved first: the page shows the newer state

    @property
    def forbidden(self) -> bool:
        return self.status == 403

    def feedback(self) -> dict[str, Any]:
        """The case page's `feedback` for a refused step action."""
        return {"kind": "error", "message": self.message, "fields": self.fields,
                "conflict": self.conflict}


def html_refusal(exc: DomainError, *, not_found: str = "Findes ikke.") -> HtmlRefusal:
    """What a page shows for a refused action; raises the 404 page for NotFound (with
    `not_found`, the page's own words: what it looked for is not said to exist)."""
    if isinstance(exc, NotFound):
        raise Http404(not_found) from None
    if isinstance(exc, ValidationFailed):
        return HtmlRefusal(400, exc.message, dict(exc.errors))
    return HtmlRefusal(exc.status, exc.message, conflict=isinstance(exc, Conflict))


View = Callable[..., HttpResponse]


def refusals_as_pages(view: View) -> View:
    """NotFound becomes the 404 page, Forbidden the 403 page with its message; any other
    domain error is the view's own business."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Forbidden as exc:
            raise PermissionDenied(exc.message) from None

    return wrapper
