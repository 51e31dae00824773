from django.urls import path

from . import model_admin, views

app_name = "cases"
urlpatterns = [
    path("opgaver/", views.my_tasks, name="my_tasks"),
    path("sager/", views.case_list, name="case_list"),
    path("sager/ny/", views.case_create, name="case_create"),
    path("sager/filtre/", views.saved_filter_save, name="saved_filter_save"),
    path("sager/filtre/<int:filter_pk>/slet/", views.saved_filter_delete,
         name="saved_filter_delete"),
    path("sager/<int:pk>/", views.case_detail, name="case_detail"),
    path("sager/<int:pk>/rediger/", views.case_edit, name="case_edit"),
    path("sager/<int:pk>/traek-tilbage/", views.case_withdraw, name="case_withdraw"),
    path("sager/<int:pk>/overdrag/", views.case_handover, name="case_handover"),
    path("sager/<int:pk>/trin/<int:number>/", views.step_detail, name="step_detail"),
    # The case page's read-only parts, loaded after it (ADR 0042): tidslinje, it-visitationen,
    # portefoelje (?trin=N: on one step).
    path("sager/<int:pk>/dele/<slug:part>/", views.case_part, name="case_part"),
    path("sager/<int:pk>/trin/<int:number>/<slug:action>/", views.step_action, name="step_action"),
    # Administration -> Procesmodel (issue 17): the organisation's admins only.
    path("administration/procesmodel/", model_admin.model_admin, name="model_admin"),
    path("administration/procesmodel/gaeldende.yaml", model_admin.model_download,
         name="model_download"),
    path("administration/procesmodel/gaeldende.bpmn", model_admin.model_bpmn_download,
         name="model_bpmn_download"),
    path("administration/procesmodel/versioner/<int:version_id>.bpmn",
         model_admin.model_version_bpmn, name="model_version_bpmn"),
    path("administration/procesmodel/versioner/<int:version_id>.yaml",
         model_admin.model_version_download, name="model_version_download"),
    path("administration/procesmodel/kontrol/", model_admin.model_check_view, name="model_check"),
    path("administration/procesmodel/forhaandsvis/", model_admin.model_preview_view,
         name="model_preview"),
    path("administration/procesmodel/udgiv/", model_admin.model_publish_view,
         name="model_publish"),
    path("administration/procesmodel/versioner/<int:version_id>/genudgiv/",
         model_admin.model_rollback_view, name="model_rollback"),
    path("administration/procesmodel/versioner/<int:version_id>/tag-i-brug/",
         model_admin.model_adopt_view, name="model_adopt"),
    path("administration/procesmodel/sager/", model_admin.model_migrations,
         name="model_migrations"),
    path("administration/procesmodel/sager/flyt/", model_admin.model_migrate_view,
         name="model_migrate"),
]
