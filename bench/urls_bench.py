"""anskaf's URLs plus /bench/floor: same middleware and login, no domain data, no template."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.urls import include, path


@login_required
def floor(request):
    return HttpResponse(f"floor {request.user.pk}", content_type="text/plain")


urlpatterns = [
    path("bench/floor", floor),
    path("", include("anskaf.urls")),
]

handler400 = "anskaf.web.views.error_400"
handler403 = "anskaf.web.views.error_403"
handler404 = "anskaf.web.views.error_404"
handler500 = "anskaf.web.views.error_500"
