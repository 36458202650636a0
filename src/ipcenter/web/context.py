"""Navigation for the page frame: only what the person's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ipcenter.accounts.access import can, memberships
from ipcenter.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm | None
    icon: str


NAV: tuple[NavItem, ...] = (
    NavItem(_("My work"), "home", None, "house"),
    NavItem(_("Centers"), "centers:list", Perm.CENTER_VIEW, "building"),
    NavItem(_("Workstations"), "centers:workstations", Perm.WORKSTATION_VIEW, "diagram-3"),
    NavItem(_("Documents"), "documents:list", Perm.DOCUMENT_UPLOAD, "folder2"),
    NavItem(_("Inbox"), "notifications:inbox", Perm.NOTIFICATION_READ, "envelope"),
    NavItem(_("Members"), "accounts:members", Perm.ORG_MEMBERS_VIEW, "people"),
    NavItem(_("Audit log"), "audit:list", Perm.AUDIT_VIEW, "journal-text"),
    NavItem(_("Users"), "accounts:users", Perm.USER_MANAGE, "person-gear"),
    NavItem(_("Organizations"), "accounts:organizations", Perm.USER_MANAGE, "buildings"),
    NavItem(_("Working days"), "calendar", Perm.CALENDAR_USE, "calendar3"),
)


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": [], "unread_notifications": 0}
    from ipcenter.notifications.services import unread_count

    items = [
        {
            "label": item.label,
            "url": reverse(item.url_name),
            "icon": item.icon,
            "active": request.path == reverse(item.url_name)
            or (item.url_name != "home" and request.path.startswith(reverse(item.url_name))),
        }
        for item in NAV
        if item.perm is None or can(user, item.perm)
    ]
    return {
        "nav_items": items,
        "unread_notifications": unread_count(user),
        "my_memberships": memberships(user),
    }
