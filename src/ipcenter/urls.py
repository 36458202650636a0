from django.contrib.auth import views as auth_views
from django.urls import include, path

from ipcenter.accounts import views as account_views
from ipcenter.api import api
from ipcenter.web import views as web_views

urlpatterns = [
    path("", web_views.home, name="home"),
    path("healthz", web_views.healthz, name="healthz"),
    path("i18n/setlang/", web_views.set_language, name="set_language"),
    path("calendar/", web_views.calendar_page, name="calendar"),
    path("accounts/login/", account_views.LoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/totp/setup/", account_views.totp_setup, name="totp_setup"),
    path("accounts/totp/verify/", account_views.totp_verify, name="totp_verify"),
    path(
        "accounts/password/reset/",
        auth_views.PasswordResetView.as_view(
            html_email_template_name=None,
            email_template_name="registration/password_reset_email.txt",
            subject_template_name="registration/password_reset_subject.txt",
        ),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/sent/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/password/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("accounts/", include("ipcenter.accounts.urls")),
    path("centers/", include("ipcenter.centers.urls")),
    path("audit/", include("ipcenter.audit.urls")),
    path("documents/", include("ipcenter.documents.urls")),
    path("notifications/", include("ipcenter.notifications.urls")),
    path("filings/", include("ipcenter.filings.urls")),
    path("preexam/", include("ipcenter.preexam.urls")),
    path("navigation/", include("ipcenter.navigation.urls")),
    path("api/v1/", api.urls),
]
