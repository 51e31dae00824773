"""The operator's pages, mounted at /drift/ (see anskaf/urls.py; ADR 0030)."""

from django.urls import path

from . import views

app_name = "installation"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("udbudsgraenser/", views.thresholds, name="thresholds"),
    path("kommuner/ny/", views.org_create, name="org_create"),
    path("kommuner/<slug:slug>/", views.org_detail, name="org_detail"),
    path("kommuner/<slug:slug>/suspender/", views.org_suspend, name="org_suspend"),
    path("kommuner/<slug:slug>/genaabn/", views.org_resume, name="org_resume"),
    path("kommuner/<slug:slug>/udfas/", views.org_offboard, name="org_offboard"),
    path("kommuner/<slug:slug>/log-ind/", views.org_sso, name="org_sso"),
    path("kommuner/<slug:slug>/log-ind/fjern/", views.org_sso_remove, name="org_sso_remove"),
    path("procesmodel/", views.shared_models, name="shared_models"),
    path("procesmodel/udgiv/", views.shared_model_publish, name="shared_model_publish"),
]
