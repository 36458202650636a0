"""Human names for this area's audit event tags (merged into ipcenter.audit.tags)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Any] = {
    "filings:filing:created": _("Filing drafted"),
    "filings:filing:updated": _("Filing data changed"),
    "filings:filing:document_attached": _("Document attached to a filing"),
    "filings:filing:submitted": _("Filing submitted"),
    "filings:filing:needs_supplement": _("Filing needs a supplement"),
    "filings:filing:approved": _("Filing approved"),
    "filings:filing:rejected": _("Filing rejected"),
    "filings:filing:active": _("Filing in force"),
    "filings:filing:suspended": _("Filing suspended"),
    "filings:filing:suspension_extended": _("Filing suspension extended"),
    "filings:filing:cancelled": _("Filing cancelled"),
    "filings:filing:withdrawn": _("Filing withdrawn"),
    "filings:filing:rechecked": _("Filing re-checked (annual)"),
    "filings:finding:recorded": _("Adverse finding recorded"),
    "filings:agency:submitted": _("Agency registration submitted"),
    "filings:agency:registered": _("Agency registered"),
    "filings:agency:rejected": _("Agency registration rejected"),
    "filings:agency:revoked": _("Agency registration revoked"),
    "filings:agency:guarantee": _("Agency guarantee-list flag changed"),
    "filings:engagement:granted": _("Agency engaged by an enterprise"),
    "filings:engagement:revoked": _("Engagement of an agency revoked"),
    "filings:quota:set": _("Annual quota set"),
    "filings:quota:requested": _("Extra quota requested"),
    "filings:quota:granted": _("Extra quota granted"),
    "filings:quota:refused": _("Extra quota refused"),
    "filings:sanction:suspend": _("Sanction: filing suspended"),
    "filings:sanction:cancel": _("Sanction: filing cancelled"),
}
