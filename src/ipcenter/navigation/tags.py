"""Human names for the navigation area's audit event tags (merged into ipcenter.audit.tags)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Any] = {
    # An import job's moves (navigation.workflow): queued when created or resumed.
    "navigation:import:queued": _("Corpus import queued"),
    "navigation:import:running": _("Corpus import started"),
    "navigation:import:succeeded": _("Corpus import finished"),
    "navigation:import:failed": _("Corpus import failed"),
    "navigation:import:cancelled": _("Corpus import cancelled"),
}
