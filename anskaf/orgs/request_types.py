"""The request as a signed-in page and the API see it, for type annotations only.

Django types `request.user` as "a user or AnonymousUser" and knows nothing of what middleware
adds; behind `login_required` (and the API's authentication, which puts the person in
`request.auth`) the user is always one of ours. Annotating a view's request with these classes
says so once, instead of a `# type: ignore` or a cast at every use. Django builds the real
request; these classes are never instantiated.
"""

from __future__ import annotations

from django.http import HttpRequest
from django_htmx.middleware import HtmxDetails

from .models import User


class AuthenticatedRequest(HttpRequest):
    """A page behind `login_required`: a signed-in person; `htmx` set by django-htmx's
    middleware."""

    user: User
    htmx: HtmxDetails


class ApiRequest(HttpRequest):
    """An API operation behind the API's authentication (`anskaf.api.auth`): the person in
    `auth` (django-ninja). Not in `user`: with a bearer token that stays anonymous."""

    auth: User
