from django.urls import path

from ipcenter.documents import views

app_name = "documents"

urlpatterns = [
    path("", views.document_index, name="list"),
    path("<uuid:document_id>/", views.document_detail, name="detail"),
    path("<uuid:document_id>/view/", views.document_view, name="view"),
    path("<uuid:document_id>/download/", views.document_download, name="download"),
]
