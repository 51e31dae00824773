"""The shell's own pages: home, health check, the person's deputies, accessibility statement,
error pages. The apps' pages live in the apps (the cases' in `anskaf.cases.views`)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from anskaf.cases.forms import apply_service_errors
from anskaf.orgs import deputies
from anskaf.orgs.errors import ValidationFailed as OrgValidationFailed
from anskaf.orgs.models import Deputy
from anskaf.orgs.permissions import is_operator

from .forms import DeputyForm


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return JsonResponse({"status": "error", "database": {"status": "error",
                                                             "error": str(exc)[:200]}}, status=503)
    return JsonResponse({"status": "ok", "database": {"status": "ok", "vendor": connection.vendor}})


def readyz(request: HttpRequest) -> JsonResponse:
    """Readiness: the database, Redis when the queue is there, the documents' storage, and a
    worker's heartbeat within ANSKAF_HEARTBEAT_MAX_AGE seconds. 503 names what failed.
    /healthz stays the cheap liveness check (the database only)."""
    checks = {"database": _check_database(), "storage": _check_storage(), "worker": _check_worker()}
    if settings.REDIS_URL:
        checks["redis"] = _check_redis()
    failed = [name for name, check in checks.items() if check["status"] != "ok"]
    body: dict = {"status": "error" if failed else "ok", "checks": checks}
    if failed:
        body["reason"] = "; ".join(f"{name}: {checks[name]['error']}" for name in failed)
    return JsonResponse(body, status=503 if failed else 200)


def _failed(exc: Exception) -> dict:
    return {"status": "error", "error": f"{type(exc).__name__}: {exc}"[:200]}


def _check_database() -> dict:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        return _failed(exc)
    return {"status": "ok", "vendor": connection.vendor}


def _check_storage() -> dict:
    import os
    from pathlib import Path

    from django.core.files.storage import FileSystemStorage, storages

    try:
        storage = storages["documents"]
        if isinstance(storage, FileSystemStorage):
            location = Path(storage.location)
            location.mkdir(parents=True, exist_ok=True)
            if not os.access(location, os.W_OK | os.X_OK):
                return {"status": "error", "error": f"{location} is not writable"}
        else:  # S3 and the like: one request that needs the bucket and the credentials
            storage.exists(".anskaf-readyz")
    except Exception as exc:
        return _failed(exc)
    return {"status": "ok", "backend": type(storage).__name__}


def _check_redis() -> dict:
    from huey.contrib.djhuey import HUEY

    try:
        HUEY.storage.conn.ping()
    except Exception as exc:
        return _failed(exc)
    return {"status": "ok"}


def _check_worker() -> dict:
    from django.utils import timezone
    from huey.contrib.djhuey import HUEY

    from anskaf.notifications.selectors import last_heartbeat

    if HUEY.immediate:
        return {"status": "ok", "mode": "immediate (tasks run in the web process)"}
    limit = settings.ANSKAF_HEARTBEAT_MAX_AGE
    try:
        beat = last_heartbeat()
    except Exception as exc:
        return _failed(exc)
    if beat is None:
        return {"status": "error", "error": "no worker has ever beaten its heart (is `anskaf "
                                            "worker` running?)"}
    age = (timezone.now() - beat.beat_at).total_seconds()
    result = {"last_heartbeat": beat.beat_at.isoformat(), "age_seconds": round(age),
              "host": beat.host}
    if age > limit:
        return {"status": "error", **result,
                "error": f"no worker heartbeat for {round(age)} s (limit {limit} s): "
                         "is `anskaf worker` running?"}
    return {"status": "ok", **result}


class LoginView(auth_views.LoginView):
    """Django's login page; the installation's operator lands on the installation's pages."""

    redirect_authenticated_user = True

    def get_default_redirect_url(self) -> str:
        if is_operator(self.request.user):
            from django.urls import reverse

            return reverse("installation:overview")
        return super().get_default_redirect_url()


def home(request: HttpRequest) -> HttpResponse:
    if is_operator(request.user):  # sees no municipality's pages (ADR 0030)
        return redirect("installation:overview")
    return redirect("cases:my_tasks")


@login_required
@require_http_methods(["GET", "POST"])
def my_deputies(request: HttpRequest) -> HttpResponse:
    form = DeputyForm(request.POST or None, person=request.user)
    if request.method == "POST" and "remove" in request.POST:
        try:
            deputies.deputy_remove(actor=request.user, deputy_id=request.POST.get("remove"))
        except OrgValidationFailed as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Stedfortræderen er fjernet.")
        return redirect("web:my_deputies")
    if request.method == "POST" and form.is_valid():
        try:
            deputies.deputy_add(actor=request.user, deputy_username=form.cleaned_data["deputy"],
                                starts_on=form.cleaned_data["starts_on"],
                                ends_on=form.cleaned_data["ends_on"])
        except OrgValidationFailed as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, "Stedfortræderen er gemt.")
            return redirect("web:my_deputies")
    return render(request, "web/my_deputies.html", {
        "nav": "deputies", "form": form,
        "mine": Deputy.objects.filter(person=request.user).select_related("deputy"),
        "for_others": Deputy.objects.filter(deputy=request.user).select_related("person"),
    }, status=400 if request.method == "POST" else 200)


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html", {"nav": ""})


# --- error pages ---------------------------------------------------------------------------------


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
