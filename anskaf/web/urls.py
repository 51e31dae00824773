from django.urls import path

from . import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("mig/stedfortraeder/", views.my_deputies, name="my_deputies"),
    path("tilgaengelighed/", views.accessibility, name="accessibility"),
]
