"""Administration -> Log ind (the municipality's own OpenID Connect provider) and
Administration -> Indstillinger (its KITOS, sender address, archive authority and
accessibility statement). Thin views over tenancy.py; administrators of the whole
organisation only, as every administration page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from . import tenancy
from .errors import ValidationFailed
from .models import Organisation
from .tenancy_forms import MunicipalitySettingsForm, SsoProviderForm
from .views import NAV, admin_required, apply_errors, org_of, posted


def _callback_url(request: HttpRequest) -> str:
    return request.build_absolute_uri("/oidc/callback/")


@dataclass(frozen=True)
class SsoPlace:
    """Where the sign-on page of a municipality is shown: Administration -> Log ind for its
    administrators, the municipality's page under /drift/ for the installation's operator."""

    here: str  # the page's own address (redirect after saving)
    remove_url: str
    cancel_url: str
    breadcrumbs: str  # the template of the breadcrumbs
    crumbs: dict[str, str]  # section/section_url for the breadcrumbs
    nav: str


def sso_page(request: HttpRequest, org_id: int, place: SsoPlace) -> HttpResponse:
    """Register or change a municipality's OpenID Connect provider (tenancy.sso_provider_save
    decides who may)."""
    provider = tenancy.sso_provider_get(actor=request.user, organisation_id=org_id)
    initial: dict[str, Any] = {}
    if provider is not None:
        initial = {"issuer": provider.issuer, "client_id": provider.client_id,
                   "role_claim": provider.role_claim, "username_claim": provider.username_claim,
                   "role_map": tenancy.role_map_text(provider)}
    form = SsoProviderForm(posted(request), initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy.sso_provider_save(actor=request.user, organisation_id=org_id,
                                      data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Kommunens login er gemt. Prøv det med linket herunder.")
            return redirect(place.here)
    organisation = Organisation.objects.get(pk=org_id)
    environment = (provider is None and settings.ANSKAF_OIDC_ENABLED
                   and organisation.slug == settings.ANSKAF_OIDC_ORGANISATION)
    return render(request, "orgs/sso_provider.html", {
        "nav": place.nav, "place": place, "form": form, "provider": provider,
        "organisation": organisation, "environment": environment,
        "callback_url": _callback_url(request),
        "login_url": request.build_absolute_uri(f"/log-ind/{organisation.slug}/"),
    }, status=400 if request.method == "POST" else 200)


def sso_remove(request: HttpRequest, org_id: int, here: str) -> HttpResponse:
    if tenancy.sso_provider_remove(actor=request.user, organisation_id=org_id):
        messages.success(request, "Kommunens login er fjernet. Kommunens personer logger nu "
                                  "ind med brugernavn og adgangskode (eller installationens "
                                  "fælles login, hvis den er sat op for kommunen).")
    return redirect(here)


@admin_required
@require_http_methods(["GET", "POST"])
def sso_provider(request: HttpRequest) -> HttpResponse:
    return sso_page(request, org_of(request), SsoPlace(
        here=reverse("orgs:sso_provider"), remove_url=reverse("orgs:sso_provider_remove"),
        cancel_url=reverse("orgs:overview"), breadcrumbs="orgs/includes/breadcrumbs.html",
        crumbs={}, nav=NAV))


@admin_required
@require_POST
def sso_provider_remove(request: HttpRequest) -> HttpResponse:
    return sso_remove(request, org_of(request), reverse("orgs:sso_provider"))


def settings_page(request: HttpRequest, form: MunicipalitySettingsForm, *,
                   check: Any = None, status: int = 200) -> HttpResponse:
    org_id = org_of(request)
    own = tenancy.own_settings(org_id)
    return render(request, "orgs/municipality_settings.html", {
        "nav": NAV, "form": form, "own": tenancy.settings_view(own),
        "effective": tenancy.effective_settings(org_id), "check": check,
        "installation": {"kitos_url": getattr(settings, "KITOS_URL", "") or "",
                         "sender_email": settings.DEFAULT_FROM_EMAIL},
    }, status=status)


@admin_required
@require_http_methods(["GET", "POST"])
def municipality_settings(request: HttpRequest) -> HttpResponse:
    org_id = org_of(request)
    own = tenancy.settings_view(tenancy.own_settings(org_id))
    form = MunicipalitySettingsForm(posted(request), initial=own)
    if request.method == "POST" and form.is_valid():
        try:
            tenancy.municipality_settings_save(actor=request.user, organisation_id=org_id,
                                               data=form.service_data())
        except ValidationFailed as exc:
            apply_errors(form, exc)
        else:
            messages.success(request, "Kommunens indstillinger er gemt.")
            return redirect("orgs:municipality_settings")
    return settings_page(request, form, status=400 if request.method == "POST" else 200)
