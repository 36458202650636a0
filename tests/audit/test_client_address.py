"""The client address written to the audit log cannot be forged through X-Forwarded-For."""

from __future__ import annotations

from typing import Any

from django.test import RequestFactory

from ipcenter.audit.middleware import request_address


def _request(peer: str, forwarded: str | None = None) -> Any:
    extra = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        extra["HTTP_X_FORWARDED_FOR"] = forwarded
    return RequestFactory().get("/", **extra)


def test_without_trusted_proxies_the_header_is_ignored(settings: Any) -> None:
    settings.IPCENTER_TRUSTED_PROXIES = frozenset()
    assert request_address(_request("203.0.113.9", "198.51.100.1")) == "203.0.113.9"


def test_a_trusted_proxy_passes_on_the_client_address(settings: Any) -> None:
    settings.IPCENTER_TRUSTED_PROXIES = frozenset({"10.0.0.2"})
    # The client claims 1.2.3.4; the proxy appends the address it really saw.
    request = _request("10.0.0.2", "1.2.3.4, 198.51.100.7")
    assert request_address(request) == "198.51.100.7"


def test_an_untrusted_peer_cannot_claim_another_address(settings: Any) -> None:
    settings.IPCENTER_TRUSTED_PROXIES = frozenset({"10.0.0.2"})
    assert request_address(_request("203.0.113.9", "10.0.0.2, 1.2.3.4")) == "203.0.113.9"
