"""Human names for the navigation area's audit event tags (merged into ipcenter.audit.tags)."""

from __future__ import annotations

from typing import Any

EVENT_LABELS: dict[str, Any] = {}
