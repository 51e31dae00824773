"""anskaf's URLs plus /bench/floor (same middleware and login, no domain data, no template) and
/bench/shell (the empty HTML page: base.html with its context processors, an empty block)."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


@login_required
def floor(request):
    return HttpResponse(f"floor {request.user.pk}", content_type="text/plain")


@login_required
def shell(request):
    return render(request, "base.html", {})


urlpatterns = [
    path("bench/floor", floor),
    path("bench/shell", shell),
    path("", include("anskaf.urls")),
]

handler400 = "anskaf.web.views.error_400"
handler403 = "anskaf.web.views.error_403"
handler404 = "anskaf.web.views.error_404"
handler500 = "anskaf.web.views.error_500"
