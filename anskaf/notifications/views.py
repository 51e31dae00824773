"""Notification centre, mail preferences, step deadlines and the admin outbox: thin views."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from anskaf.cases import selectors as case_selectors
from anskaf.cases.errors import MoveRefused, NotFound, ValidationFailed
from anskaf.cases.process_models import model_for
from anskaf.http.dates import display_date
from anskaf.orgs.views import admin_required

from . import selectors, services
from .choices import OutboxStatus
from .forms import DeadlineForm, PreferencesForm
from .grouping import grouped
from .permissions import deadline_refusal

PAGE_SIZE = 25


# --- the notification centre ------------------------------------------------------------------


@login_required
@require_GET
def centre(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("vis") == "ulaeste"
    page = Paginator(selectors.my_notifications(viewer=request.user, unread_only=unread_only),
                     PAGE_SIZE).get_page(request.GET.get("side"))
    return render(request, "notifications/centre.html", {
        "nav": "notifications", "page": page, "unread_only": unread_only,
        "groups": grouped(page.object_list),  # per case, deduplicated, each with why
    })


@login_required
@require_POST
def mark_read(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        item = services.notification_mark_read(actor=request.user, notification_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if request.POST.get("open") == "1":
        return redirect(item.url)  # "Åbn": read it and go straight to the case
    messages.success(request, "Notifikationen er markeret som læst.")
    return redirect(_back(request))


@login_required
@require_POST
def mark_all_read(request: HttpRequest) -> HttpResponse:
    count = services.notification_mark_all_read(actor=request.user)
    messages.success(request, f"{count} notifikation{'er' if count != 1 else ''} markeret som læst."
                     if count else "Du havde ingen ulæste notifikationer.")
    return redirect(_back(request))


def _back(request: HttpRequest) -> str:
    target = request.POST.get("next", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return reverse("notifications:centre")


@login_required
@require_http_methods(["GET", "POST"])
def preferences(request: HttpRequest) -> HttpResponse:
    current = selectors.my_preferences(viewer=request.user)
    form = PreferencesForm(request.POST or None, initial_modes=current)
    if request.method == "POST" and form.is_valid():
        try:
            services.preferences_set(actor=request.user, modes=form.cleaned_data)
        except ValidationFailed as exc:
            for field, message in exc.errors.items():
                form.add_error(field if field in form.fields else None, message)
        else:
            messages.success(request, "Dine valg for e-mails er gemt.")
            return redirect("notifications:preferences")
    return render(request, "notifications/preferences.html", {
        "nav": "notifications", "form": form, "has_email": bool(request.user.email),
    }, status=400 if request.method == "POST" else 200)


# --- step deadlines -----------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def step_deadline(request: HttpRequest, pk: int, number: int) -> HttpResponse:
    try:
        detail = case_selectors.case_detail(viewer=request.user, case_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    case = detail.case
    model = model_for(case)
    if not model.has_step(number):
        raise Http404("Trinnet findes ikke.")
    refusal = deadline_refusal(request.user, case)
    if refusal is not None:
        raise PermissionDenied(refusal)
    existing = selectors.case_deadlines(case).get(number)
    form = DeadlineForm(request.POST or None, initial={
        "due_date": display_date(existing.due_date) if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.deadline_set(actor=request.user, case_id=case.pk, number=number,
                                          due_date=form.cleaned_data["due_date"])
        except ValidationFailed as exc:
            form.add_error("due_date", exc.errors.get("due_date", "Ugyldig dato."))
        except MoveRefused as exc:
            raise PermissionDenied(str(exc)) from None
        else:
            messages.success(request, f"Fristen for trin {number} er "
                             + (f"sat til {saved.due_date.strftime('%d.%m.%Y')}." if saved
                                else "fjernet."))
            return redirect(f"{reverse('cases:case_detail', kwargs={'pk': case.pk})}#trin-{number}")
    return render(request, "notifications/step_deadline.html", {
        "nav": "cases", "case": case, "step": model.step(number), "form": form,
        "existing": existing,
    }, status=400 if request.method == "POST" else 200)


# --- the outbox (administrators) ---------------------------------------------------------------


@admin_required
@require_GET
def outbox(request: HttpRequest) -> HttpResponse:
    status = request.GET.get("status") or None
    if status not in (None, *OutboxStatus.values):
        status = None
    page = Paginator(selectors.outbox(viewer=request.user, status=status),
                     PAGE_SIZE).get_page(request.GET.get("side"))
    caption = "E-mails i udbakken, nyeste først"
    if page.paginator.num_pages > 1:
        caption += f" (side {page.number} af {page.paginator.num_pages})"
    return render(request, "notifications/outbox.html", {
        "nav": "admin", "page": page, "status": status, "outbox_caption": caption,
        "counts": selectors.outbox_counts(viewer=request.user),
        "statuses": OutboxStatus.choices,
    })


@admin_required
@require_POST
def outbox_retry(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        services.outbox_retry(actor=request.user, message_id=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    except ValidationFailed as exc:
        messages.error(request, next(iter(exc.errors.values())))
    else:
        messages.success(request, "Beskeden sendes igen nu.")
    # The operations page's retry buttons come back to it.
    return redirect("notifications:operations" if request.POST.get("fra") == "drift"
                    else "notifications:outbox")


# --- the operations page (administrators, until an operator role comes with onboarding) ------

FAILED_SHOWN = 50


@admin_required
@require_GET
def operations(request: HttpRequest) -> HttpResponse:
    status = selectors.operations_status(viewer=request.user, failed_limit=FAILED_SHOWN)
    caption = "Fejlede e-mails, nyeste først"
    if status.failed_total > len(status.failed):
        caption += f" (de {len(status.failed)} nyeste af {status.failed_total})"
    return render(request, "notifications/operations.html",
                  {"nav": "admin", "status": status, "failed_caption": caption})
