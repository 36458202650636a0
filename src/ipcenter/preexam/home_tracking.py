"""Home-page panels of this area (see ipcenter.web.home): deadlines of the applicant side, and
the overdue clocks a center's managers were told of. Each is one bounded query; an empty panel
is not shown."""

from __future__ import annotations

import datetime as dt

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import Role
from ipcenter.preexam.models import Clock, ClockKind
from ipcenter.preexam.tasks import APPLICANT_CLOCKS
from ipcenter.preexam.tracking import case_url
from ipcenter.web.home import Panel, Row, panel

PANEL_SIZE = 10


def _row(clock: Clock, today: dt.date) -> Row:
    case = clock.case
    detail = f"{ClockKind(clock.kind).label} · {case.title}"
    if clock.due_on < today:
        detail = _("Overdue") + " · " + detail
    if clock.provisional:
        detail += " · " + _("provisional")
    return Row(title=case.reference, detail=detail, url=case_url(case), due_on=clock.due_on)


@panel(Role.ENTERPRISE_ADMIN, Role.APPLICANT, Role.AGENT)
def applicant_deadlines(user: User, m: Membership) -> Panel | None:
    """Running clocks that the applicant side must beat, soonest first."""
    clocks = (
        Clock.objects.filter(stopped_at__isnull=True, kind__in=APPLICANT_CLOCKS)
        .filter(Q(case__organization_id=m.organization_id) | Q(case__agency_id=m.organization_id))
        .select_related("case")
        .order_by("due_on", "id")[:PANEL_SIZE]
    )
    today = timezone.localdate()
    rows = [_row(clock, today) for clock in clocks]
    if not rows:
        return None
    return Panel(title=_("Deadlines"), rows=rows)


@panel(Role.CENTER_MANAGER)
def center_overdue(user: User, m: Membership) -> Panel | None:
    """Clocks of the manager's center that ran out and were escalated, oldest first."""
    if m.center_id is None:
        return None
    clocks = (
        Clock.objects.filter(
            stopped_at__isnull=True, escalated_at__isnull=False, case__center_id=m.center_id
        )
        .select_related("case")
        .order_by("due_on", "id")[:PANEL_SIZE]
    )
    today = timezone.localdate()
    rows = [_row(clock, today) for clock in clocks]
    if not rows:
        return None
    return Panel(title=_("Overdue in my center"), rows=rows)
