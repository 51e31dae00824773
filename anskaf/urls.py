from django.contrib.auth import views as auth_views
from django.urls import include, path

from anskaf.api.urls import api
from anskaf.installation import views as installation_views
from anskaf.orgs.oidc import SsoLoginView
from anskaf.web import views as web_views
from anskaf.web.metrics import metrics_view

urlpatterns = [
    path("healthz", web_views.healthz, name="healthz"),
    path("readyz", web_views.readyz, name="readyz"),
    path("metrics", metrics_view, name="metrics"),
    path("log-ind/", web_views.LoginView.as_view(), name="login"),
    # A municipality's own single sign-on (issue 18): to its provider, or back to log-ind/.
    path("log-ind/<slug:slug>/", SsoLoginView.as_view(), name="login_org"),
    path("log-ud/", auth_views.LogoutView.as_view(), name="logout"),
    # Single sign-on (OpenID Connect): answers 404 unless OIDC_RP_CLIENT_ID is set.
    path("oidc/", include("mozilla_django_oidc.urls")),
    path("api/v1/", api.urls),
    # Before the web app's and the administration's URLs: some of its paths sit under theirs.
    path("", include("anskaf.notifications.urls")),
    path("", include("anskaf.documents.urls")),
    path("administration/", include("anskaf.orgs.urls")),
    path("drift/", include("anskaf.installation.urls")),
    # The invitation e-mail's link (a new municipality's first admin, a new operator).
    path("invitation/<uidb64>/<token>/", installation_views.invitation, name="invitation"),
    path("", include("anskaf.meetings.urls")),
    path("", include("anskaf.portfolio.urls")),
    path("", include("anskaf.discussion.urls")),
    path("", include("anskaf.cases.urls")),
    path("", include("anskaf.web.urls")),
]

handler400 = "anskaf.web.views.error_400"
handler403 = "anskaf.web.views.error_403"
handler404 = "anskaf.web.views.error_404"
handler500 = "anskaf.web.views.error_500"
