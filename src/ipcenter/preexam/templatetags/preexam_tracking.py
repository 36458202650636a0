"""`{% tracking_context case user as t %}`: what the fast-track part of the case page shows."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils import timezone

from ipcenter.documents.services import documents_visible_to
from ipcenter.preexam.models import Case, CaseEvent, CaseState
from ipcenter.preexam.tracking import LEAVE_KINDS, RECORDERS, filing_clock
from ipcenter.preexam.views_tracking import tracking_forms
from ipcenter.preexam.workflow import actor_kinds

register = template.Library()

S = CaseState
TRACKED_STATES = frozenset({S.QUALIFIED, S.FILED, S.OFF_TRACK, S.GRANTED})


@register.simple_tag
def tracking_context(case: Case, user: Any) -> dict[str, Any]:
    """The fast-track timeline of a qualified case and the forms this person may use on it."""
    if case.state not in TRACKED_STATES:
        return {"shown": False}
    may_record = bool(actor_kinds(user, case) & RECORDERS)
    events = {
        e.action: e
        for e in CaseEvent.objects.filter(
            case=case, action__in=["state:filed", "state:off_track", "state:granted"]
        ).order_by("at", "id")
    }
    office_actions = list(case.office_actions.order_by("received_on", "id"))
    today = timezone.localdate()
    overdue = [a.pk for a in office_actions if a.responded_on is None and a.response_due_on < today]
    filed = events.get("state:filed")
    left = events.get("state:off_track")
    certificate = None
    if case.certificate_id and user is not None and user.is_authenticated:
        certificate = documents_visible_to(user).filter(pk=case.certificate_id).first()
    return {
        "shown": True,
        "may_record": may_record,
        "forms": tracking_forms() if may_record else {},
        "filing_clock": filing_clock(case),
        "filed_late": bool(filed and filed.data.get("late")),
        "filed_event": filed,
        "off_track_event": left,
        "off_track_kind": LEAVE_KINDS.get((left.data or {}).get("kind", "")) if left else None,
        "granted_event": events.get("state:granted"),
        "office_actions": office_actions,
        "overdue_actions": overdue,
        "certificate": certificate,
        "can_file": may_record and case.state == S.QUALIFIED,
        "can_record_action": may_record and case.state == S.FILED,
        "can_respond": may_record and case.state in (S.FILED, S.OFF_TRACK),
        "can_leave": may_record and case.state == S.FILED,
        "can_grant": may_record and case.state in (S.FILED, S.OFF_TRACK),
        "can_attach": may_record and case.state == S.GRANTED,
    }
