from django.urls import URLPattern, path

from ipcenter.filings import views

app_name = "filings"

urlpatterns: list[URLPattern] = [
    path("", views.filing_list, name="list"),
    path("new/", views.filing_new, name="new"),
    path("<int:filing_id>/", views.filing_detail, name="detail"),
    path("<int:filing_id>/edit/", views.filing_edit, name="edit"),
    path("<int:filing_id>/documents/", views.filing_attach, name="attach"),
    path("<int:filing_id>/submit/", views.filing_submit, name="submit"),
    path("<int:filing_id>/withdraw/", views.filing_withdraw, name="withdraw"),
    path("<int:filing_id>/review/", views.filing_review, name="review"),
    path("<int:filing_id>/findings/", views.finding_new, name="finding"),
    path("<int:filing_id>/quota-request/", views.quota_request_new, name="quota_request"),
    path("review/", views.review_queue_page, name="queue"),
    path("agencies/", views.agency_list, name="agencies"),
    path("agencies/register/", views.agency_register_page, name="agency_register"),
    path("agencies/<int:registration_id>/", views.agency_action, name="agency_action"),
    path("engagements/", views.engagement_page, name="engagements"),
    path(
        "engagements/<int:engagement_id>/revoke/",
        views.engagement_revoke,
        name="engagement_revoke",
    ),
    path("quota-requests/", views.quota_request_list, name="quota_requests"),
    path("quota-requests/<int:request_id>/", views.quota_request_decide, name="quota_decide"),
    path("sanctions/", views.sanctions_page, name="sanctions"),
]
