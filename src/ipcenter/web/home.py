"""What each person sees on their home page: their work, soonest due first.

Each area registers panel builders for the roles it serves; later steps add their own queues
(pre-examination cases, mediations, ...) here without touching the page.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import F
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _

from ipcenter.accounts.access import can, memberships
from ipcenter.accounts.models import Membership, User
from ipcenter.accounts.roles import Perm, Role
from ipcenter.audit.tags import event_label


@dataclass
class Row:
    title: str
    detail: str = ""
    url: str = ""
    due_on: dt.date | None = None

    @property
    def overdue(self) -> bool:
        return self.due_on is not None and self.due_on < timezone.localdate()


@dataclass
class Panel:
    title: str | Promise
    rows: list[Row] = field(default_factory=list)
    empty: str | Promise = ""
    more_url: str = ""


PanelBuilder = Callable[[User, Membership], Panel | None]
PANELS: dict[str, list[PanelBuilder]] = {}


def panel(*roles: str) -> Callable[[PanelBuilder], PanelBuilder]:
    def register(builder: PanelBuilder) -> PanelBuilder:
        for role in roles:
            PANELS.setdefault(role, []).append(builder)
        return builder

    return register


def due_items(user: User) -> Panel:
    from ipcenter.notifications.models import Notification

    # Soonest deadline first, undated messages after them (SQLite would put NULLs first).
    items = Notification.objects.filter(recipient=user, read_at__isnull=True).order_by(
        F("due_on").asc(nulls_last=True), "-created_at"
    )[:10]
    return Panel(
        title=_("Due and unread"),
        rows=[
            Row(
                title=n.subject,
                detail=n.body[:140],
                url=n.url or reverse("notifications:inbox"),
                due_on=n.due_on,
            )
            for n in items
        ],
        empty=_("Nothing is waiting for you."),
        more_url=reverse("notifications:inbox"),
    )


def home_panels(user: User) -> list[Panel]:
    panels = [due_items(user)] if can(user, Perm.NOTIFICATION_READ) else []
    seen: set[tuple[str, int | None]] = set()
    for m in memberships(user):
        for builder in PANELS.get(m.role, []):
            key = (builder.__name__, m.center_id or m.organization_id)
            if key in seen:
                continue
            seen.add(key)
            built = builder(user, m)
            if built is not None:
                panels.append(built)
    return panels


# --- Step 1 panels -------------------------------------------------------------------------


@panel(Role.PRE_EXAMINER, Role.CENTER_MANAGER)
def deadlines_today(user: User, m: Membership) -> Panel | None:
    """The working-day clocks as they run today for this center."""
    from ipcenter.calendar import add_workdays, is_provisional
    from ipcenter.centers.selectors import center_settings

    if m.center is None:
        return None
    today = timezone.localdate()
    values = center_settings(center=m.center, on=today)
    rows = []
    for key, label in (
        ("preexam_decision_days", _("A request received today must be decided by")),
        ("preexam_amendment_days", _("An amendment invited today is due by")),
        ("cnipa_filing_days", _("A case qualified today must be filed with CNIPA by")),
    ):
        days = values[key]
        due = add_workdays(today, days)
        detail = _("%(days)d working days") % {"days": days}
        if is_provisional(due):
            detail += " · " + _("provisional: the holiday schedule for that year is not out yet")
        rows.append(Row(title=str(label), detail=detail, due_on=due))
    return Panel(
        title=_("Working-day clocks at %(center)s")
        % {"center": m.center.localized_name(user.language)},
        rows=rows,
        more_url=reverse("centers:detail", args=[m.center.code]),
    )


@panel(Role.PRE_EXAMINER)
def examiner_fields(user: User, m: Membership) -> Panel | None:
    profile = getattr(user, "staff_profile", None)
    fields = list(profile.ipc_fields) if profile else []
    return Panel(
        title=_("My technical fields"),
        rows=[Row(title=code) for code in fields],
        empty=_("No IPC competences are recorded for you yet."),
    )


@panel(Role.CENTER_MANAGER, Role.SYSTEM_ADMIN)
def recent_audit(user: User, m: Membership) -> Panel:
    from ipcenter.audit.selectors import audit_events_for

    events = audit_events_for(user=user)[:8]
    return Panel(
        title=_("Recent activity"),
        rows=[
            Row(
                title=event_label(e.tag),
                # Redacted rows have no label: the subject's type and id stand in for it.
                detail=f"{e.actor_label} · {e.subject_label or f'{e.subject_type}:{e.subject_id}'}",
                url=reverse("audit:list") + f"?tag={e.tag}",
            )
            for e in events
        ],
        empty=_("No activity yet."),
        more_url=reverse("audit:list"),
    )


@panel(Role.ENTERPRISE_ADMIN, Role.APPLICANT, Role.AGENT, Role.WORKSTATION_STAFF)
def recent_documents(user: User, m: Membership) -> Panel:
    from ipcenter.documents.models import Document

    docs = Document.objects.filter(organization=m.organization).order_by("-created_at")[:6]
    return Panel(
        title=_("Recent documents of %(org)s")
        % {"org": m.organization.localized_name(user.language)},
        rows=[
            Row(
                title=str(d),
                detail=f"{d.get_kind_display()} · {d.created_at:%Y-%m-%d}",
                url=reverse("documents:detail", args=[d.pk]),
            )
            for d in docs
        ],
        empty=_("No documents uploaded yet."),
        more_url=reverse("documents:list"),
    )


@panel(Role.ENTERPRISE_ADMIN)
def organization_members(user: User, m: Membership) -> Panel:
    members = (
        Membership.objects.filter(organization=m.organization, is_active=True)
        .select_related("user")
        .order_by("user__username")[:10]
    )
    return Panel(
        title=_("People of %(org)s") % {"org": m.organization.localized_name(user.language)},
        rows=[Row(title=x.user.display_name(), detail=str(Role(x.role).label)) for x in members],
        more_url=reverse("accounts:members"),
    )
