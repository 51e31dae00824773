from django.urls import path

from . import views

app_name = "meetings"
urlpatterns = [
    path("it-visitationen/", views.board, name="board"),
    path("it-visitationen/moeder/nyt/", views.meeting_create, name="meeting_create"),
    path("it-visitationen/moeder/<int:meeting_pk>/", views.meeting_detail, name="meeting_detail"),
    path("it-visitationen/moeder/<int:meeting_pk>/dagsorden.pdf", views.agenda_pdf,
         name="agenda_pdf"),
    path("it-visitationen/moeder/<int:meeting_pk>/referat.pdf", views.minutes_pdf,
         name="minutes_pdf"),
    path("it-visitationen/moeder/<int:meeting_pk>/moede.ics", views.meeting_ics,
         name="meeting_ics"),
    path("it-visitationen/moeder/<int:meeting_pk>/<slug:op>/", views.meeting_action,
         name="meeting_action"),
    path("sager/<int:pk>/it-visitationen/", views.put_forward, name="put_forward"),
    path("sager/<int:pk>/it-visitationen/fra-dokumentation/", views.documentation_forward,
         name="documentation_forward"),
]
