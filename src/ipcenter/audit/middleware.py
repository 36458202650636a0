from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from ipcenter.audit.context import client_address


def request_address(request: HttpRequest) -> str | None:
    # Behind a proxy, set IPCENTER_SECURE and let the proxy overwrite REMOTE_ADDR (e.g. with
    # gunicorn's --forwarded-allow-ips); X-Forwarded-For from a client is never trusted here.
    return request.META.get("REMOTE_ADDR") or None


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
