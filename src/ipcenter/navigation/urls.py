"""Patent navigation pages: corpus search, documents, IPC browser, imports."""

from django.urls import URLPattern, path

from ipcenter.navigation import views

app_name = "navigation"

urlpatterns: list[URLPattern] = [
    path("", views.search, name="search"),
    path("export.csv", views.export, name="export"),
    path("documents/<str:key>/", views.document_detail, name="document"),
    path("ipc/", views.ipc_browser, name="ipc"),
    # Any spelling parse_ipc reads; links use the slash-free scheme form ("A01B0001020000").
    path("ipc/<path:symbol>/", views.ipc_detail, name="ipc_node"),
    path("imports/", views.import_list, name="imports"),
    path("imports/<int:job_id>/", views.import_detail, name="import"),
    path("imports/<int:job_id>/resume/", views.import_resume, name="import_resume"),
    path("imports/<int:job_id>/cancel/", views.import_cancel, name="import_cancel"),
]
