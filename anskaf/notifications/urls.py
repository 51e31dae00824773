"""Mounted at the site root (anskaf/urls.py), before the web app's case URLs."""

from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("notifikationer/", views.centre, name="centre"),
    path("notifikationer/<int:pk>/laest/", views.mark_read, name="mark_read"),
    path("notifikationer/alle-laest/", views.mark_all_read, name="mark_all_read"),
    path("notifikationer/indstillinger/", views.preferences, name="preferences"),
    path("sager/<int:pk>/trin/<int:number>/frist/", views.step_deadline, name="step_deadline"),
    path("administration/drift/", views.operations, name="operations"),
    path("administration/udbakke/", views.outbox, name="outbox"),
    path("administration/udbakke/<int:pk>/send-igen/", views.outbox_retry, name="outbox_retry"),
]
