from django.urls import path

from . import views

app_name = "cases"
urlpatterns = [
    path("opgaver/", views.my_tasks, name="my_tasks"),
    path("sager/", views.case_list, name="case_list"),
    path("sager/ny/", views.case_create, name="case_create"),
    path("sager/<int:pk>/", views.case_detail, name="case_detail"),
    path("sager/<int:pk>/rediger/", views.case_edit, name="case_edit"),
    path("sager/<int:pk>/traek-tilbage/", views.case_withdraw, name="case_withdraw"),
    path("sager/<int:pk>/overdrag/", views.case_handover, name="case_handover"),
    path("sager/<int:pk>/trin/<int:number>/", views.step_detail, name="step_detail"),
    path("sager/<int:pk>/trin/<int:number>/<slug:action>/", views.step_action, name="step_action"),
]
