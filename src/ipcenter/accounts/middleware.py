from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import translation

from ipcenter.accounts.access import is_staff_member


class UserLanguageMiddleware:
    """A signed-in person sees the language saved in their profile, on every device."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and user.language:
            translation.activate(user.language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)


TOTP_EXEMPT_PREFIXES = ("/static/", "/accounts/totp/", "/accounts/logout/", "/i18n/")


class StaffTotpMiddleware:
    """With IPCENTER_STAFF_TOTP=required, staff must pass a TOTP check before anything else."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        if (
            settings.IPCENTER_STAFF_TOTP == "required"
            and user is not None
            and user.is_authenticated
            and not user.is_verified()
            and not request.path.startswith(TOTP_EXEMPT_PREFIXES)
            and is_staff_member(user)
        ):
            if request.path.startswith("/api/"):
                return JsonResponse(
                    {"detail": "A second factor (TOTP) is required for staff accounts."},
                    status=403,
                )
            return redirect(f"{reverse('totp_verify')}?next={request.get_full_path()}")
        return self.get_response(request)
