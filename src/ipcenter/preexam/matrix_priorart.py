"""Pre-examination endpoints for IPC suggestion, prior art and citations (role matrix)."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint

PAGES: tuple[Endpoint, ...] = ()
API: tuple[Endpoint, ...] = ()
