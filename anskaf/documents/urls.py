"""Document URLs, mounted at the site root in anskaf/urls.py."""

from django.urls import path

from . import import_views, views

app_name = "documents"
urlpatterns = [
    # Ny sag -> Importér fra Word (issue 17): coordinators and admins.
    path("sager/ny/importer/", import_views.guide_import_view, name="guide_import"),
    path("sager/<int:pk>/trin/<int:number>/dokumenter/", views.upload, name="upload"),
    path("sager/<int:pk>/dokumenter/<int:document>/v<int:version>/", views.download,
         name="download"),
    path("sager/<int:pk>/dokumenter/<int:document>/journaliser/", views.journalise,
         name="journalise"),
    path("sager/<int:pk>/journaliser/", views.case_journalise, name="case_journalise"),
    path("sager/<int:pk>/vejledning.pdf", views.guide_pdf, name="guide_pdf"),
    path("sager/<int:pk>/vejledning.docx", views.guide_docx, name="guide_docx"),
    path("skabeloner/<int:template>/", views.template_download, name="template_download"),
    path("administration/skabeloner/", views.template_admin, name="template_admin"),
    path("administration/skabeloner/<int:template>/slet/", views.template_delete,
         name="template_delete"),
]
