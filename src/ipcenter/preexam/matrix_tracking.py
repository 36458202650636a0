"""Pre-examination fast-track, clock and statistics endpoints of the role matrix."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint

PAGES: tuple[Endpoint, ...] = ()
API: tuple[Endpoint, ...] = ()
