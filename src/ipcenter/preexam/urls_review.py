"""Pages of intake and review (views.py)."""

from django.urls import URLPattern, path

from ipcenter.preexam import views

urlpatterns: list[URLPattern] = [
    path("cases/", views.case_index, name="case_list"),
    path("cases/new/", views.case_new, name="case_new"),
    path("cases/<int:case_id>/", views.case_detail, name="case_detail"),
    path("cases/<int:case_id>/diff/", views.case_diff, name="case_diff"),
    path(
        "cases/<int:case_id>/documents/<str:document_id>/",
        views.case_document,
        name="case_document",
    ),
    path("cases/<int:case_id>/accept/", views.case_accept_view, name="case_accept"),
    path("cases/<int:case_id>/not-accept/", views.case_not_accept_view, name="case_not_accept"),
    path("cases/<int:case_id>/opinion/", views.case_opinion_view, name="case_opinion"),
    path("cases/<int:case_id>/amend/", views.case_amend_view, name="case_amend"),
    path("cases/<int:case_id>/qualify/", views.case_qualify_view, name="case_qualify"),
    path("cases/<int:case_id>/unqualify/", views.case_unqualify_view, name="case_unqualify"),
    path("cases/<int:case_id>/withdraw/", views.case_withdraw_view, name="case_withdraw"),
    path("cases/<int:case_id>/assign/", views.case_assign_view, name="case_assign"),
    path("queue/", views.examiner_queue, name="queue"),
    path("conflicts/", views.conflict_index, name="conflicts"),
    path(
        "conflicts/<int:conflict_id>/withdraw/",
        views.conflict_withdraw_view,
        name="conflict_withdraw",
    ),
]
