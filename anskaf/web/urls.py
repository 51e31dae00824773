from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("sager/", views.case_list, name="case_list"),
    path("sager/ny/", views.case_create, name="case_create"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
]
