"""Pages of the fast track after qualification and of the statistics (views_tracking.py)."""

from django.urls import URLPattern, path

from ipcenter.preexam import views_tracking as views

urlpatterns: list[URLPattern] = [
    path("cases/<int:case_id>/cnipa-filing/", views.cnipa_filing, name="tracking_cnipa_filing"),
    path(
        "cases/<int:case_id>/office-actions/",
        views.office_action_new,
        name="tracking_office_action",
    ),
    path(
        "cases/<int:case_id>/office-actions/<int:office_action_id>/response/",
        views.office_action_response,
        name="tracking_office_action_response",
    ),
    path(
        "cases/<int:case_id>/leave-fast-track/",
        views.leave_fast_track,
        name="tracking_leave_fast_track",
    ),
    path("cases/<int:case_id>/grant/", views.grant, name="tracking_grant"),
    path("cases/<int:case_id>/certificate/", views.certificate, name="tracking_certificate"),
    path("stats/", views.stats_page, name="stats"),
]
