"""Human names for this area's audit event tags (merged into ipcenter.audit.tags)."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

EVENT_LABELS: dict[str, Any] = {
    "preexam:case:accepted": _("Pre-examination case accepted"),
    "preexam:case:not_accepted": _("Pre-examination case not accepted"),
    "preexam:case:opinion_issued": _("Pre-examination opinion issued"),
    "preexam:case:amended": _("Pre-examination case amended"),
    "preexam:case:qualified": _("Pre-examination case qualified"),
    "preexam:case:unqualified": _("Pre-examination case unqualified"),
    "preexam:case:withdrawn": _("Pre-examination case withdrawn"),
    "preexam:case:filed": _("Filing with CNIPA recorded"),
    "preexam:case:off_track": _("Case left the fast track"),
    "preexam:case:granted": _("Grant recorded"),
    "preexam:case:submitted": _("Pre-examination case submitted"),
    "preexam:case:viewed": _("Pre-examination case content viewed"),
    "preexam:case:assigned": _("Pre-examination case assigned"),
    "preexam:case:unassigned": _("No pre-examiner found for a case"),
    "preexam:case:reassigned": _("Pre-examination case reassigned"),
    "preexam:conflict:declared": _("Examiner conflict of interest declared"),
    "preexam:conflict:withdrawn": _("Examiner conflict of interest withdrawn"),
    # Fast track and clocks (tracking.py, tasks.py).
    "preexam:office_action:recorded": _("CNIPA office action recorded"),
    "preexam:office_action:answered": _("Office action answered"),
    "preexam:certificate:attached": _("Grant certificate attached"),
    "preexam:clock:reminded": _("Deadline reminder sent"),
    "preexam:clock:escalated": _("Overdue deadline escalated to the managers"),
    # IPC suggestion, prior art and citations (analysis.py).
    "preexam:analysis:computed": _("IPC suggestion and prior art computed"),
    "preexam:analysis:requeued": _("IPC suggestion and prior art queued again (worker lost)"),
    "preexam:citation:marked": _("Document cited against a case"),
    "preexam:citation:removed": _("Citation removed from a case"),
}
