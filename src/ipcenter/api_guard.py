"""Keeps every answer under /api/ JSON in the documented error shape, and refuses input that no
operation can take before it reaches one.

- A NUL character in a query string, a JSON body or a form field is a 400: PostgreSQL cannot
  store it, so each operation would otherwise fail with a 500.
- A body over DATA_UPLOAD_MAX_MEMORY_SIZE is a 413 (Django raises RequestDataTooBig, which
  would become an HTML 400, or ninja's "cannot parse").
- What Django answers itself on an API path (unknown path 404, ninja's 405, a 500 after an
  unexpected exception, logged by django.request) becomes JSON `{"detail", "code"}`.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

from django.core.exceptions import (
    BadRequest,
    RequestDataTooBig,
    TooManyFieldsSent,
    TooManyFilesSent,
)
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _

API_PREFIX = "/api/"
NUL = "\x00"


def api_error(status: int, detail: str, code: str | None = None, **extra: Any) -> JsonResponse:
    body: dict[str, Any] = {"detail": detail}
    if code is not None:
        body["code"] = code
    body.update(extra)
    return JsonResponse(body, status=status)


def _fallback(status: int) -> tuple[str, str]:
    """The message and code for an answer Django gave without an API handler."""
    if status == 404:
        return _("Not found."), "not_found"
    if status == 405:
        return _("This method is not allowed here."), "method_not_allowed"
    if status == 413:
        return _("The request body is too large."), "too_large"
    if status >= 500:
        return _("Something went wrong on our side; it has been logged."), "server_error"
    if status == 403:
        return _("You are not allowed to do this."), "forbidden"
    return _("The request is not valid."), "invalid"


def _has_nul(value: Any) -> bool:
    if isinstance(value, str):
        return NUL in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list):
        return any(_has_nul(v) for v in value)
    return False


def _query_has_nul(request: HttpRequest) -> bool:
    """A NUL in the path or the query string."""
    return NUL in request.path or any(
        _has_nul(k) or any(_has_nul(v) for v in values) for k, values in request.GET.lists()
    )


def _form_has_nul(request: HttpRequest) -> bool:
    """A NUL in a form field's name or value (parses the form; files are not read)."""
    return any(_has_nul(k) or any(_has_nul(v) for v in vs) for k, vs in request.POST.lists())


def _nul_refused() -> JsonResponse:
    return api_error(
        400, _("The request contains a NUL character, which no field accepts."), "nul_character"
    )


def _too_large() -> JsonResponse:
    return api_error(413, _("The request body is too large."), "too_large")


def _check_input(request: HttpRequest) -> JsonResponse | None:
    if _query_has_nul(request):
        return _nul_refused()
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return None
    content_type = request.content_type or ""
    try:
        if content_type == "application/json":
            body = request.body  # raises RequestDataTooBig past the limit
            if b"\\u0000" in body or b"\x00" in body:
                try:
                    data = json.loads(body)
                except ValueError:
                    return None  # the operation answers 400 for malformed JSON
                if _has_nul(data):
                    return _nul_refused()
        elif content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            if content_type == "application/x-www-form-urlencoded":
                # Read first, so that an operation taking a JSON body can still read it (a 422
                # rather than a 500 from "cannot access body after reading the data stream").
                request.body  # noqa: B018
            # Files are streamed to disk and not checked here; only the form fields are.
            if _form_has_nul(request):
                return _nul_refused()
        else:
            request.body  # noqa: B018 - reading it enforces the size limit
    except RequestDataTooBig:
        return _too_large()
    except (TooManyFieldsSent, TooManyFilesSent):
        return api_error(400, _("The request has too many fields."), "too_many_fields")
    except MultiPartParserError:
        return api_error(400, _("The request body is not valid JSON or form data."), "malformed")
    return None


def _page_has_nul(request: HttpRequest) -> bool:
    """A NUL in a page's path, query string or form fields (pages, like the API, cannot store
    it: PostgreSQL refuses it in text)."""
    if _query_has_nul(request):
        return True
    if request.method != "POST" or request.content_type not in (
        "multipart/form-data",
        "application/x-www-form-urlencoded",
    ):
        return False
    try:
        return _form_has_nul(request)
    except (RequestDataTooBig, TooManyFieldsSent, TooManyFilesSent, MultiPartParserError):
        return False  # Django's own handling answers these


class ApiGuardMiddleware:
    """Sits after the language middlewares, so messages are in the caller's language."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if not request.path.startswith(API_PREFIX):
            if _page_has_nul(request):
                # Django's 400 page (the handler400 template), not a 500 from the database.
                raise BadRequest(_("The request contains a NUL character, which no field accepts."))
            return self.get_response(request)
        refused = _check_input(request)
        if refused is not None:
            return refused
        response = self.get_response(request)
        if response.status_code >= 400 and not response.get("Content-Type", "").startswith(
            "application/json"
        ):
            detail, code = _fallback(response.status_code)
            replaced = api_error(response.status_code, detail, code)
            if response.has_header("Allow"):
                replaced["Allow"] = response["Allow"]
            return replaced
        return response
