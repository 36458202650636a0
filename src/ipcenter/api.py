"""The JSON API under /api/v1/: sessions (with CSRF) for the pages' own calls, bearer tokens for
machine clients. Domain errors become 409/422 with the message in the caller's language."""

from __future__ import annotations

import logging
from typing import Any

from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.db import DataError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils import translation
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.openapi.schema import OpenAPISchema
from ninja.security import APIKeyCookie, HttpBearer

from ipcenter.api_schemas import ErrorOut
from ipcenter.lib.errors import DomainError

logger = logging.getLogger(__name__)


class TokenAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from ipcenter.accounts.services import (
            api_token_authenticate,
            api_token_check_second_factor,
        )

        api_token = api_token_authenticate(token)
        if api_token is None:
            return None
        user = api_token.user
        if user.language:
            translation.activate(user.language)
        api_token_check_second_factor(api_token)  # refused in the owner's language
        request.user = user
        # Endpoints that only a browser session may use (making tokens) look for it.
        request.api_token = api_token  # type: ignore[attr-defined]
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


# Besides its own answers, every operation may give these, all with the ErrorOut body.
_ERROR_RESPONSES = {
    400: "Bad request: malformed JSON or a NUL character in the input",
    401: "No valid session or API token",
    403: "Not allowed for the caller's roles",
    404: "Not found, or not visible to the caller (the same answer)",
    409: "Conflicts with the object's state",
    413: "The request body is too large",
    422: "The input is not valid; `errors` says which fields",
    500: "Unexpected error (logged)",
}
_UNSAFE_ONLY = {409, 413}


class IpcenterAPI(NinjaAPI):
    def get_openapi_schema(
        self, *, path_prefix: str | None = None, path_params: dict[str, Any] | None = None
    ) -> OpenAPISchema:
        """The generated spec, with the shared error answers documented on every operation."""
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"]["schemas"]["ErrorOut"] = ErrorOut.model_json_schema()
        ref = {"application/json": {"schema": {"$ref": "#/components/schemas/ErrorOut"}}}
        for methods in schema["paths"].values():
            for method, operation in methods.items():
                for status, description in _ERROR_RESPONSES.items():
                    if status in _UNSAFE_ONLY and method in ("get", "head"):
                        continue
                    if status == 401 and not operation.get("security"):
                        continue
                    # Keep a description an operation gives itself, and add the body.
                    answer = operation["responses"].setdefault(status, {"description": description})
                    answer.setdefault("content", ref)
        return schema


api = IpcenterAPI(
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


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if exc.status_code == 400:  # ninja's "Cannot parse request body"
        detail = translation.gettext("The request body is not valid JSON or form data.")
        return _error(request, 400, detail, code="malformed")
    return _error(request, exc.status_code, str(exc))


@api.exception_handler(RequestDataTooBig)
def on_too_large(request: HttpRequest, exc: Exception) -> HttpResponse:
    return _error(
        request, 413, translation.gettext("The request body is too large."), code="too_large"
    )


@api.exception_handler(DataError)
def on_data_error(request: HttpRequest, exc: DataError) -> HttpResponse:
    """A value the database refuses (too long, out of range) that no schema bound caught."""
    logger.warning("API input refused by the database on %s: %s", request.path, exc)
    detail = translation.gettext("A value is too long or out of range.")
    return _error(request, 422, detail, code="out_of_range")


@api.exception_handler(Exception)
def on_unexpected(request: HttpRequest, exc: Exception) -> HttpResponse:
    logger.exception("Unexpected error on %s %s", request.method, request.path)
    detail = translation.gettext("Something went wrong on our side; it has been logged.")
    return _error(request, 500, detail, code="server_error")


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
