"""The JSON API under /api/v1/: sessions (with CSRF) for the pages' own calls, bearer tokens for
machine clients. Domain errors become 409/422 with the message in the caller's language."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, ValidationError
from ninja.security import APIKeyCookie, HttpBearer

from ipcenter.lib.errors import DomainError


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from ipcenter.accounts.services import api_token_authenticate

        user = api_token_authenticate(token)
        if user is None:
            return None
        request.user = user
        if user.language:
            translation.activate(user.language)
        return user


class SessionAuth(APIKeyCookie):
    """The browser session, with Django's CSRF check on unsafe methods."""

    param_name = "sessionid"

    def __init__(self) -> None:
        super().__init__(csrf=True)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return user
        return None


api = NinjaAPI(
    title="ipcenter API",
    version="1.0.0",
    urls_namespace="api",
    description=(
        "The JSON API of ipcenter. Authenticate with a bearer token (create one under "
        "Profile > API tokens) or, from the pages, with the session and its CSRF token."
    ),
    auth=[TokenAuth(), SessionAuth()],
)


def _error(request: HttpRequest, status: int, detail: str, **extra: Any) -> HttpResponse:
    return api.create_response(request, {"detail": detail, **extra}, status=status)


@api.exception_handler(DomainError)
def on_domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, str(exc.message), code=exc.code, errors=exc.errors)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 404, translation.gettext("Not found."))


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 403, translation.gettext("You are not allowed to do this."))


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(request, 401, translation.gettext("Sign in or send a valid API token."))


@api.exception_handler(ValidationError)
def on_invalid(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return _error(request, 422, translation.gettext("The request is not valid."), errors=exc.errors)


def _mount() -> None:
    from ipcenter.accounts.api import router as accounts_router
    from ipcenter.audit.api import router as audit_router
    from ipcenter.centers.api import router as centers_router
    from ipcenter.centers.api import workstations_router
    from ipcenter.documents.api import router as documents_router
    from ipcenter.filings.api import router as filings_router
    from ipcenter.navigation.api import router as navigation_router
    from ipcenter.notifications.api import router as notifications_router
    from ipcenter.preexam.api import router as preexam_router
    from ipcenter.preexam.api_priorart import router as preexam_priorart_router
    from ipcenter.preexam.api_tracking import router as preexam_tracking_router
    from ipcenter.web.api import router as calendar_router

    api.add_router("/accounts", accounts_router)
    api.add_router("/centers", centers_router)
    api.add_router("/workstations", workstations_router)
    api.add_router("/audit", audit_router)
    api.add_router("/documents", documents_router)
    api.add_router("/notifications", notifications_router)
    api.add_router("/calendar", calendar_router)
    api.add_router("/filings", filings_router)
    api.add_router("/preexam", preexam_router)
    api.add_router("/preexam", preexam_tracking_router)
    api.add_router("/preexam", preexam_priorart_router)
    api.add_router("/navigation", navigation_router)


_mount()
