from __future__ import annotations

from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render


def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
        db = {"status": "ok", "vendor": connection.vendor}
    except Exception as exc:  # noqa: BLE001 - the health check reports any failure
        return JsonResponse({"status": "error", "database": {"status": "error",
                                                             "error": str(exc)[:200]}}, status=503)
    return JsonResponse({"status": "ok", "database": db})


def home(request: HttpRequest) -> HttpResponse:
    return redirect("web:case_list")


def case_list(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


def case_create(request: HttpRequest) -> HttpResponse:
    return HttpResponse("todo")


def accessibility(request: HttpRequest) -> HttpResponse:
    return render(request, "web/accessibility.html", {"nav": ""})


def error_400(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "400.html", status=400)


def error_403(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "403.html", status=403)


def error_404(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    return render(request, "404.html", status=404)


def error_500(request: HttpRequest) -> HttpResponse:
    return render(request, "500.html", status=500)
