"""The operator's pages under /drift/ (ADR 0030) and the invitation link. Thin: parse, call
one service or selector, render. Everyone but an operator gets 404 here (anonymous visitors
are asked to log in first)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse, reverse_lazy
from django.views.decorators.http import require_http_methods, require_POST

from anskaf.cases.errors import ValidationFailed as ModelRefused
from anskaf.cases.model_admin import posted_content
from anskaf.cases.process_models import model_publish_shared, shared_versions
from anskaf.orgs.permissions import is_operator
from anskaf.orgs.views_tenancy import SsoPlace, sso_page, sso_remove
from anskaf.portfolio.views import threshold_page
from anskaf.process.loader import ModelInvalid

from . import jobs, selectors, services
from .errors import NotFound, OperatorRefused, ValidationFailed
from .forms import InvitationPasswordForm, OffboardForm, OrgCreateForm, SuspendForm

NAV = "installation"


def operator_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_operator(request.user):
            raise Http404("Siden findes ikke.")
        try:
            return view(request, *args, **kwargs)
        except NotFound as exc:
            raise Http404(exc.message) from None

    return wrapper


def _apply_errors(form: Any, exc: ValidationFailed) -> None:
    for field, message in exc.errors.items():
        form.add_error(field if field in form.fields else None, message)


@operator_required
@require_http_methods(["GET"])
def overview(request: HttpRequest) -> HttpResponse:
    rows = selectors.municipality_rows(viewer=request.user)
    status = selectors.installation_status(viewer=request.user)
    return render(request, "installation/overview.html",
                  {"nav": NAV, "rows": rows, "status": status,
                   "offboarded": selectors.offboarded(viewer=request.user)})


@operator_required
@require_http_methods(["GET", "POST"])
def org_create(request: HttpRequest) -> HttpResponse:
    form = OrgCreateForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        try:
            org, admin = services.org_create(actor=request.user, data=form.service_data())
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        else:
            messages.success(request, f"{org.name} er oprettet. En invitation er sendt til "
                                      f"{admin.email}.")
            return redirect("installation:org_detail", slug=org.slug)
    return render(request, "installation/org_create.html", {"nav": NAV, "form": form},
                  status=400 if request.method == "POST" else 200)


@operator_required
@require_http_methods(["GET", "POST"])
def thresholds(request: HttpRequest) -> HttpResponse:
    """The installation-wide EU tender thresholds (ADR 0030): the same form and rules as the
    admins' Administration → Udbudsgrænser, audited in the installation's chain."""
    return threshold_page(
        request, save=services.threshold_save,
        saved="Tærskelværdien er gemt for hele installationen.", url="installation:thresholds",
        template="installation/thresholds.html",
        context={"nav": NAV, "thresholds": selectors.thresholds(viewer=request.user)})


def _detail(request: HttpRequest, slug: str, *, form: SuspendForm | None = None,
            offboard_form: OffboardForm | None = None, error: str = "",
            status: int = 200) -> HttpResponse:
    row = selectors.municipality_row(viewer=request.user, slug=slug)
    return render(request, "installation/org_detail.html",
                  {"nav": NAV, "row": row, "org": row.organisation,
                   "form": form or SuspendForm(), "offboard_form": offboard_form or OffboardForm(),
                   "error": error}, status=status)


@operator_required
@require_http_methods(["GET"])
def org_detail(request: HttpRequest, slug: str) -> HttpResponse:
    return _detail(request, slug)


@operator_required
@require_POST
def org_suspend(request: HttpRequest, slug: str) -> HttpResponse:
    selectors.municipality_row(viewer=request.user, slug=slug)  # 404 first
    form = SuspendForm(request.POST)
    if form.is_valid():
        try:
            org = services.org_suspend(actor=request.user, slug=slug,
                                       reason=form.cleaned_data["reason"])
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except OperatorRefused as exc:
            return _detail(request, slug, form=form, error=exc.message, status=409)
        else:
            messages.success(request, f"{org.name} er suspenderet. Kommunens brugere er logget "
                                      "ud og kan ikke logge ind, før kommunen genåbnes.")
            return redirect("installation:org_detail", slug=org.slug)
    return _detail(request, slug, form=form, status=400)


@operator_required
@require_POST
def org_resume(request: HttpRequest, slug: str) -> HttpResponse:
    selectors.municipality_row(viewer=request.user, slug=slug)  # 404 first
    try:
        org = services.org_resume(actor=request.user, slug=slug)
    except OperatorRefused as exc:
        return _detail(request, slug, error=exc.message, status=409)
    messages.success(request, f"{org.name} er genåbnet. Kommunens brugere kan logge ind igen.")
    return redirect("installation:org_detail", slug=org.slug)


@operator_required
@require_POST
def org_offboard(request: HttpRequest, slug: str) -> HttpResponse:
    """Ask the worker to export a suspended municipality completely, then delete it; the
    result is listed on the overview under »Udfasede kommuner«."""
    selectors.municipality_row(viewer=request.user, slug=slug)  # 404 first
    form = OffboardForm(request.POST)
    if form.is_valid():
        try:
            org = jobs.request_offboarding(actor=request.user, slug=slug,
                                           reason=form.cleaned_data["reason"],
                                           confirm=form.cleaned_data["confirm"], via="web")
        except ValidationFailed as exc:
            _apply_errors(form, exc)
        except OperatorRefused as exc:
            return _detail(request, slug, offboard_form=form, error=exc.message, status=409)
        else:
            messages.success(request, f"Udfasningen af {org.name} er sat i gang. Baggrunds"
                                      "processen eksporterer alle kommunens data til "
                                      "eksportmappen og sletter dem derefter; resultatet står "
                                      "under »Udfasede kommuner«.")
            return redirect("installation:overview")
    return _detail(request, slug, offboard_form=form, status=400)


def _sso_place(row: selectors.MunicipalityRow) -> SsoPlace:
    slug = row.organisation.slug
    detail = reverse("installation:org_detail", args=[slug])
    return SsoPlace(here=reverse("installation:org_sso", args=[slug]),
                    remove_url=reverse("installation:org_sso_remove", args=[slug]),
                    cancel_url=detail, breadcrumbs="installation/breadcrumbs.html",
                    crumbs={"section": row.organisation.name, "section_url": detail}, nav=NAV)


@operator_required
@require_http_methods(["GET", "POST"])
def org_sso(request: HttpRequest, slug: str) -> HttpResponse:
    """The municipality's own OpenID Connect provider, registered by the operator (the same
    page and rules as its administrators' Administration -> Log ind; ADR 0031)."""
    row = selectors.municipality_row(viewer=request.user, slug=slug)
    return sso_page(request, row.organisation.pk, _sso_place(row))


@operator_required
@require_POST
def org_sso_remove(request: HttpRequest, slug: str) -> HttpResponse:
    row = selectors.municipality_row(viewer=request.user, slug=slug)
    return sso_remove(request, row.organisation.pk, _sso_place(row).here)


class InvitationView(auth_views.PasswordResetConfirmView):
    """The link in the invitation e-mail: choose a password, and be logged in. Django's
    password-reset confirmation (its token stops working once the password is set)."""

    template_name = "installation/invitation.html"
    form_class = InvitationPasswordForm
    post_reset_login = True
    post_reset_login_backend = "anskaf.orgs.backends.DemoAwareModelBackend"
    success_url = reverse_lazy("web:home")

    def form_valid(self, form: Any) -> HttpResponse:
        with transaction.atomic():
            response = super().form_valid(form)
            services.invitation_accepted(person=form.user)
        messages.success(self.request, "Din adgangskode er gemt, og du er logget ind.")
        return response


invitation = InvitationView.as_view()


# --- the installation's shared process model (ADR 0032) ---------------------------------------


def _shared_page(request: HttpRequest, status: int = 200, **extra: Any) -> HttpResponse:
    return render(request, "installation/shared_models.html",
                  {"nav": NAV, "versions": shared_versions(), **extra}, status=status)


@operator_required
@require_http_methods(["GET"])
def shared_models(request: HttpRequest) -> HttpResponse:
    return _shared_page(request)


@operator_required
@require_POST
def shared_model_publish(request: HttpRequest) -> HttpResponse:
    """Publish a shared model version (upload or textarea, with a reason): the municipalities
    that run the shared default are pinned first; audited in every municipality's chain."""
    reason = request.POST.get("reason", "")
    content, error = posted_content(request)
    kept = {"content": content if content is not None else request.POST.get("content", ""),
            "reason": reason}
    if content is None:
        return _shared_page(request, 400, content_error=error, **kept)
    try:
        result = model_publish_shared(actor=request.user, content=content, reason=reason,
                                      via="web")
    except ModelRefused as exc:
        return _shared_page(request, 400, reason_error=exc.errors.get("reason", exc.message),
                            **kept)
    except ModelInvalid as exc:
        return _shared_page(request, 400, problems=exc.problems, **kept)
    if result.created:
        messages.success(request, f"Den fælles version {result.version.version} er udgivet. "
                                  "Kommunerne ser den på deres side Procesmodel.")
    else:
        messages.info(request, "Modellen er den samme som den nyeste fælles version. Der er "
                               "ikke udgivet noget.")
    return redirect("installation:shared_models")
