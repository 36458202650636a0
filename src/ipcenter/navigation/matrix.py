"""Patent navigation endpoints of the role matrix (see ipcenter.accounts.matrix)."""

from __future__ import annotations

from ipcenter.accounts.endpoint import Endpoint

PAGES: tuple[Endpoint, ...] = ()
API: tuple[Endpoint, ...] = ()
