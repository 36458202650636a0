"""Create requests that are carried out once, however often they are sent.

API: `@idempotent` under `@router.post(...)` on every operation that creates something. A request
with an `Idempotency-Key` header claims the key (per user, method and path) in the transaction
that does the work; a retry with the same key and body gets the stored answer (header
`Idempotent-Replayed: true`), with another body a 422. Without the header nothing changes.

Pages: `{% form_token %}` in the form and `@form_token_once` on the view. The first POST that
succeeds (redirects) consumes the token; another POST with it redirects to that first result.
"""

from __future__ import annotations

import functools
import hashlib
import inspect
import json
import re
from collections.abc import Callable
from contextlib import ExitStack
from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from ninja.decorators import decorate_view
from ninja.operation import Operation
from ninja.utils import contribute_operation_callback

from ipcenter.idempotency.services import (
    KeyInFlight,
    idempotency_claim,
    idempotency_finish,
    idempotency_release,
)
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.lib.visibility import may_read

HEADER = "Idempotency-Key"
FORM_FIELD = "form_token"
_KEY_FORMAT = re.compile(r"[\x21-\x7e]{1,255}")
_FORM_TYPES = ("multipart/form-data", "application/x-www-form-urlencoded")
_NOT_HASHED = {"csrfmiddlewaretoken", FORM_FIELD}

HEADER_DOC = {
    "in": "header",
    "name": HEADER,
    "required": False,
    "schema": {"type": "string", "minLength": 1, "maxLength": 255},
    "description": (
        "Any unique string (a UUID, say) that makes the request safe to retry: for 24 hours "
        "another request of yours with the same key on this operation is not carried out again. "
        "With the same body it gets the first answer again (header `Idempotent-Replayed: true`), "
        "with another body a 422; while the first is still running it waits for it, or gets a 409."
    ),
}


def request_fingerprint(request: HttpRequest) -> str:
    """sha256 of what the request asks: query string and body (form fields and file contents for
    multipart, whose boundaries differ from one send to the next)."""
    digest = hashlib.sha256()

    def part(value: str | bytes) -> None:
        data = value.encode() if isinstance(value, str) else value
        digest.update(len(data).to_bytes(8, "big"))
        digest.update(data)

    part(request.META.get("QUERY_STRING", ""))
    if request.content_type in _FORM_TYPES:
        for name in sorted(set(request.POST) - _NOT_HASHED):
            for value in request.POST.getlist(name):
                part(name)
                part(value)
        for name in sorted(request.FILES):
            for upload in request.FILES.getlist(name):
                part(name)
                part(upload.name or "")
                part(str(upload.size))
                for chunk in upload.chunks():
                    digest.update(chunk)
                upload.seek(0)
    else:
        part(request.body)
    return digest.hexdigest()


# --- API ----------------------------------------------------------------------------------


def idempotent(
    view_func: Callable[..., Any] | None = None,
    *,
    replay_body: bool = True,
    subject: str = "",
    within: tuple[str, str] | None = None,
    recheck: Callable[..., object] | None = None,
) -> Any:
    """Make a django-ninja create operation safe to retry with an `Idempotency-Key` header.

    replay_body=False: the answer holds a secret shown once (a new API token), so it is not
    stored; a retry learns that the request was carried out (409) instead of seeing it again.

    A replay hands out the stored answer only while the caller may still read what it
    describes (the permission checks are not run again otherwise): `subject`, the model label of
    the created object, whose id is the answer's "id"; `within`, (model label, path parameter)
    of the object the operation acts under (the case of an amendment). Each is asked through
    ipcenter.lib.visibility; when the caller may no longer read it, the answer is the same 404
    as for a missing object.

    recheck: for an operation with neither, called as the operation is (request and its
    parameters) before a replay; it runs the operation's own permission check (`require`,
    `get_for_user_or_404`), so a replay is refused with the 403 or 404 of a fresh request.
    Every operation declares at least one of the three (tests/idempotency walk the API).
    """

    def decorate(func: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(func)
        def claimed(request: HttpRequest, *args: Any, **kwargs: Any) -> Any:
            stack: ExitStack | None = getattr(request, "_idempotency_stack", None)
            key = request.headers.get(HEADER)
            if stack is None or key is None:
                return func(request, *args, **kwargs)
            if not _KEY_FORMAT.fullmatch(key):
                raise InvalidInput(
                    _("The %(header)s header must be 1 to 255 visible ASCII characters.")
                    % {"header": HEADER}
                )
            # Runs after authentication and input validation; the transaction stays open until
            # the answer is stored (see _answer_stored below).
            stack.enter_context(transaction.atomic())
            row, is_new = idempotency_claim(
                user=request.user,
                key=key,
                method=request.method or "POST",
                path=request.path,
                request_hash=request_fingerprint(request),
            )
            if not is_new:
                if recheck is not None:
                    recheck(request, *args, **kwargs)
                if not replay_body:
                    raise Conflict(
                        _("This request was already carried out; its answer is shown only once.")
                    )
                _recheck(request, bytes(row.response_body), subject, within, kwargs)
                replay = HttpResponse(
                    bytes(row.response_body),
                    status=row.response_status,
                    content_type=row.response_content_type or None,
                )
                replay["Idempotent-Replayed"] = "true"
                return replay
            request._idempotency_row = row  # type: ignore[attr-defined]
            request._idempotency_store_body = replay_body  # type: ignore[attr-defined]
            with transaction.atomic():  # a failure undoes the work but keeps the transaction
                return func(request, *args, **kwargs)

        # ninja reads the parameters from the signature; resolve its annotations here, where the
        # view's module is known (the wrapper's globals are this module's).
        claimed.__signature__ = inspect.signature(func, eval_str=True)  # type: ignore[attr-defined]
        claimed.idempotent_rechecks = bool(subject or within or recheck)  # type: ignore[attr-defined]
        contribute_operation_callback(claimed, _document_header)
        return decorate_view(_answer_stored)(claimed)

    return decorate(view_func) if view_func is not None else decorate


def _recheck(
    request: HttpRequest,
    body: bytes,
    subject: str,
    within: tuple[str, str] | None,
    path: dict[str, Any],
) -> None:
    """404 unless the caller may still read what the stored answer describes."""
    if within is not None and not may_read(request.user, within[0], path.get(within[1])):
        raise Http404
    if subject:
        try:
            created = json.loads(body).get("id")
        except (ValueError, AttributeError):
            created = None
        if not may_read(request.user, subject, created):
            raise Http404


def _answer_stored(run: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """Wrap the operation's run: hold the key's transaction open until the finished answer (the
    JSON ninja makes of the result) is stored with the key, then commit both with the work."""

    @functools.wraps(run)
    def running(request: HttpRequest, **kwargs: Any) -> HttpResponseBase:
        if HEADER not in request.headers:
            return run(request, **kwargs)
        with ExitStack() as stack:
            request._idempotency_stack = stack  # type: ignore[attr-defined]
            response = run(request, **kwargs)
            row = getattr(request, "_idempotency_row", None)
            if row is not None:
                if 200 <= response.status_code < 300 and isinstance(response, HttpResponse):
                    store = getattr(request, "_idempotency_store_body", True)
                    idempotency_finish(
                        row=row,
                        status=response.status_code,
                        content_type=response.get("Content-Type", "") if store else "",
                        body=response.content if store else b"",
                    )
                else:
                    idempotency_release(row=row)
        return response

    return running


def _document_header(operation: Operation) -> None:
    extra = dict(operation.openapi_extra or {})
    extra["parameters"] = [*extra.get("parameters", []), HEADER_DOC]
    extra["responses"] = {
        409: {"description": "A request with the same Idempotency-Key is still being processed."},
        422: {"description": "The input is not valid, or the Idempotency-Key was used before."},
        **extra.get("responses", {}),
    }
    operation.openapi_extra = extra


# --- pages --------------------------------------------------------------------------------


def form_token_done(request: HttpRequest, location: str) -> None:
    """For a view that answers a successful POST with a page instead of a redirect: the token
    is consumed, and a second POST with it is sent to `location`."""
    request._idempotency_location = location  # type: ignore[attr-defined]


def form_token_once(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Carry out a create form at most once per form token (see `{% form_token %}`)."""

    @functools.wraps(view)
    def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        token = request.POST.get(FORM_FIELD, "") if request.method == "POST" else ""
        if not _KEY_FORMAT.fullmatch(token) or not request.user.is_authenticated:
            return view(request, *args, **kwargs)
        with transaction.atomic():
            try:
                row, is_new = idempotency_claim(
                    user=request.user,
                    key=token,
                    method="POST",
                    path=request.path,
                    request_hash="",  # the same form, whatever was typed into it the second time
                )
            except KeyInFlight as exc:
                messages.warning(request, str(exc.message))
                return redirect(request.get_full_path())
            if not is_new:
                messages.info(
                    request, _("This form was already sent. Here is what it did the first time.")
                )
                return redirect(row.response_location)
            with transaction.atomic():  # a failure undoes the work but keeps the transaction
                response = view(request, *args, **kwargs)
            location = getattr(request, "_idempotency_location", "")
            if 300 <= response.status_code < 400 and response.has_header("Location"):
                location = response["Location"]
            if location:
                idempotency_finish(row=row, status=response.status_code, location=location)
            else:  # the form came back with errors: the token may be sent again
                idempotency_release(row=row)
        return response

    return guarded
