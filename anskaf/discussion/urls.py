from django.urls import path

from . import views

app_name = "discussion"
urlpatterns = [
    path("sager/<int:pk>/kommentarer/", views.comment_create, name="comment_create"),
    path("sager/<int:pk>/kommentarer/<int:comment_pk>/ret/", views.comment_edit,
         name="comment_edit"),
    path("sager/<int:pk>/kommentarer/<int:comment_pk>/slet/", views.comment_delete,
         name="comment_delete"),
]
