"""Administration pages, mounted at /administration/ (see anskaf/urls.py)."""

from django.urls import path

from . import views, views_tenancy

app_name = "orgs"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("enheder/", views.unit_list, name="unit_list"),
    path("enheder/ny/", views.unit_create, name="unit_create"),
    path("enheder/<int:pk>/rediger/", views.unit_edit, name="unit_edit"),
    path("personer/", views.person_list, name="person_list"),
    path("personer/ny/", views.person_create, name="person_create"),
    path("personer/<int:pk>/", views.person_detail, name="person_detail"),
    path("personer/<int:pk>/rediger/", views.person_edit, name="person_edit"),
    path("personer/<int:pk>/roller/", views.role_add, name="role_add"),
    path("personer/<int:pk>/roller/<int:membership_pk>/fjern/", views.role_remove,
         name="role_remove"),
    path("import/", views.csv_import_page, name="csv_import"),
    path("import/gem/", views.import_commit, name="import_commit"),
    path("import/skabelon-<slug:what>.csv", views.csv_template, name="csv_template"),
    path("import/skabelon.xlsx", views.xlsx_template, name="xlsx_template"),
    # Each municipality its own sign-on and settings (issue 18, ADR 0031).
    path("log-ind/", views_tenancy.sso_provider, name="sso_provider"),
    path("log-ind/fjern/", views_tenancy.sso_provider_remove, name="sso_provider_remove"),
    path("indstillinger/", views_tenancy.municipality_settings, name="municipality_settings"),
]
