"""Home-page panels of this area (see ipcenter.web.home): the examiner's cases by due date, the
managers' unassigned cases, the applicant side's open cases."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import Role
from ipcenter.preexam.selectors import examiner_queue, unassigned_cases
from ipcenter.web.home import Panel, Row, panel


@panel(Role.PRE_EXAMINER)
def examiner_cases(user: User, m: Membership) -> Panel | None:
    cases = examiner_queue(user=user)
    if m.center_id is not None:
        cases = cases.filter(center_id=m.center_id)
    return Panel(
        title=_("My cases"),
        rows=[
            Row(
                title=f"{c.reference} · {c.title[:80]}",
                detail=f"{c.get_state_display()} · {c.main_code}",
                url=reverse("preexam:case_detail", args=[c.pk]),
                due_on=c.due_on,  # type: ignore[attr-defined]
            )
            for c in cases[:10]
        ],
        empty=_("No case is waiting for your review."),
        more_url=reverse("preexam:queue"),
    )


@panel(Role.CENTER_MANAGER)
def unassigned(user: User, m: Membership) -> Panel | None:
    if m.center_id is None:
        return None
    cases = unassigned_cases(center_id=m.center_id)
    return Panel(
        title=_("Unassigned cases"),
        rows=[
            Row(
                title=f"{c.reference} · {c.title[:80]}",
                detail=f"{c.get_patent_type_display()} · {c.main_code}",
                url=reverse("preexam:case_detail", args=[c.pk]),
                due_on=c.due_on,  # type: ignore[attr-defined]
            )
            for c in cases[:10]
        ],
        empty=_("Every case has a pre-examiner."),
        more_url=reverse("preexam:case_list") + "?unassigned=1",
    )
