"""Patent navigation API: corpus search, documents, IPC, imports."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["navigation"])
