"""Home-page panels of this area (see ipcenter.web.home)."""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import Role
from ipcenter.centers.models import today
from ipcenter.filings.models import EntityFiling, FilingState
from ipcenter.filings.selectors import quota_summary
from ipcenter.web.home import Panel, Row, panel


@panel(Role.CENTER_MANAGER)
def filings_to_review(user: User, m: Membership) -> Panel | None:
    """Submitted filings of the manager's center, oldest first."""
    if m.center is None:
        return None
    waiting = EntityFiling.objects.filter(center=m.center, state=FilingState.SUBMITTED).order_by(
        "submitted_at"
    )[:10]
    return Panel(
        title=_("Filings waiting for review"),
        rows=[
            Row(
                title=f.legal_name,
                detail=_("submitted %(date)s")
                % {"date": f.submitted_at.date().isoformat() if f.submitted_at else "—"},
                url=reverse("filings:detail", args=[f.pk]),
            )
            for f in waiting
        ],
        empty=_("No filing is waiting."),
        more_url=reverse("filings:queue") + "?state=submitted",
    )


@panel(Role.ENTERPRISE_ADMIN)
def my_filings(user: User, m: Membership) -> Panel:
    """The organization's filings: their state, and the quota left where one is in force."""
    year = today().year
    filings = (
        EntityFiling.objects.filter(organization=m.organization)
        .select_related("center", "organization")
        .order_by("-created_at")[:6]
    )
    rows = []
    for f in filings:
        detail = f"{f.center.localized_name(user.language)} · {f.get_state_display()}"
        if f.state in (FilingState.ACTIVE, FilingState.SUSPENDED):
            quota = quota_summary(organization=f.organization, center=f.center, year=year)
            detail += " · " + _("quota left: %(left)d of %(total)d") % {
                "left": quota.left,
                "total": quota.total,
            }
        rows.append(
            Row(
                title=f.legal_name,
                detail=detail,
                url=reverse("filings:detail", args=[f.pk]),
                due_on=f.suspended_until if f.state == FilingState.SUSPENDED else None,
            )
        )
    return Panel(
        title=_("Filings of %(org)s") % {"org": m.organization.localized_name(user.language)},
        rows=rows,
        empty=_("Not filed with any center yet."),
        more_url=reverse("filings:list"),
    )
