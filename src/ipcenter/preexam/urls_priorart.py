"""Pages' actions on the IPC suggestion, prior art and citations of a case (views_priorart.py)."""

from django.urls import URLPattern, path

from ipcenter.preexam import views_priorart as views

urlpatterns: list[URLPattern] = [
    path(
        "cases/<int:case_id>/analysis/refresh/",
        views.analysis_refresh,
        name="case_analysis_refresh",
    ),
    path("cases/<int:case_id>/citations/", views.citation_mark, name="case_citation_mark"),
    path(
        "cases/<int:case_id>/citations/<int:citation_id>/remove/",
        views.citation_remove,
        name="case_citation_remove",
    ),
]
