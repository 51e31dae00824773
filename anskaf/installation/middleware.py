"""The operator sees the installation's pages only (ADR 0030).

An operator belongs to no municipality; every page of a municipality (cases, documents,
people, administration, and any page added later) answers them 404, decided here once rather
than in each view. The operator's own pages answer 404 to everyone else (views.py)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from anskaf.orgs.permissions import is_operator

# Pages that are no municipality's: the operator may use them.
OPERATOR_MAY = {"login", "logout", "healthz", "readyz", "metrics", "web:accessibility",
                "web:home", "invitation", "oidc_authentication_init", "oidc_authentication_callback",
                "oidc_logout"}


def operator_may(view_name: str) -> bool:
    return view_name in OPERATOR_MAY or view_name.startswith("installation:")


class OperatorConfinementMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(self, request: HttpRequest, view_func: Any, view_args: Any,
                     view_kwargs: Any) -> HttpResponse | None:
        match = request.resolver_match
        if match is None or match.view_name.startswith("api"):
            return None  # the API judges its caller itself (anskaf/api/auth.py)
        user = getattr(request, "user", None)
        if not is_operator(user) or operator_may(match.view_name):
            return None
        return render(request, "404.html", status=404)
