from django.urls import path

from . import views

app_name = "portfolio"
urlpatterns = [
    path("systemer/", views.system_list, name="system_list"),
    path("systemer/ny/", views.system_create, name="system_create"),
    path("systemer/soeg/", views.system_search, name="system_search"),
    path("systemer/import/", views.system_import, name="system_import"),
    path("systemer/<int:system_pk>/", views.system_detail, name="system_detail"),
    path("systemer/<int:system_pk>/rediger/", views.system_edit, name="system_edit"),
    path("systemer/<int:system_pk>/kontrakter/ny/", views.contract_create,
         name="contract_create"),
    path("systemer/<int:system_pk>/kontrakter/<int:pk>/opsigelse-besluttet/",
         views.contract_notice_decided, name="contract_notice_decided"),
    path("systemer/<int:system_pk>/kontrakter/<int:pk>/rediger/", views.contract_edit,
         name="contract_edit"),
    path("systemer/<int:system_pk>/databehandleraftaler/ny/", views.dpa_create,
         name="dpa_create"),
    path("systemer/<int:system_pk>/databehandleraftaler/<int:pk>/rediger/", views.dpa_edit,
         name="dpa_edit"),
    path("systemer/<int:system_pk>/databehandleraftaler/<int:pk>/tilsyn/", views.dpa_oversight,
         name="dpa_oversight"),
    path("systemer/kontrakter.csv", views.contract_export, name="contract_export"),
    path("sager/<int:pk>/system/", views.case_link, name="case_link"),
    path("sager/<int:pk>/kitos/", views.kitos_register, name="kitos_register"),
    path("sager/<int:pk>/arkivvurdering/<int:system_pk>/", views.archive_assess,
         name="archive_assess"),
    path("udbudsgraense/", views.threshold_tasks, name="threshold_tasks"),
    path("udbudsgraense/<int:pk>/bekraeft/", views.threshold_confirm, name="threshold_confirm"),
    path("administration/udbudsgraenser/", views.threshold_admin, name="threshold_admin"),
    # Administration -> Indstillinger -> "Test forbindelsen" (issue 18; the page is orgs').
    path("administration/indstillinger/test-kitos/", views.kitos_test, name="kitos_test"),
]
