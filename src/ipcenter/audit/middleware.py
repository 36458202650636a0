from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from ipcenter.audit.context import client_address


def request_address(request: HttpRequest) -> str | None:
    """The client's address. X-Forwarded-For counts only when the direct peer is one of
    IPCENTER_TRUSTED_PROXIES; then the right-most address the proxy did not add itself is
    taken, so a client cannot forge its address by sending the header."""
    peer = request.META.get("REMOTE_ADDR") or None
    trusted = settings.IPCENTER_TRUSTED_PROXIES
    if peer is None or peer not in trusted:
        return peer
    forwarded = [a.strip() for a in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
    for address in reversed([a for a in forwarded if a]):
        if address not in trusted:
            return address
    return peer


class RequestContextMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        token = client_address.set(request_address(request))
        try:
            return self.get_response(request)
        finally:
            client_address.reset(token)
