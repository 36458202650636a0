"""Navigation for the page frame: only what the person's roles allow."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.urls import reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from ipcenter.accounts.access import can, memberships
from ipcenter.accounts.roles import Perm


@dataclass(frozen=True)
class NavItem:
    label: str | Promise
    url_name: str
    perm: Perm | tuple[Perm, ...] | None  # a tuple: any one of them
    icon: str
    testid: str = ""

    def shown_to(self, user: Any) -> bool:
        if self.perm is None:
            return True
        perms = self.perm if isinstance(self.perm, tuple) else (self.perm,)
        return any(can(user, p) for p in perms)


@dataclass(frozen=True)
class NavSection:
    title: str | Promise  # empty: no heading
    items: tuple[NavItem, ...]


_CASE_READERS = (Perm.CASE_VIEW_OWN, Perm.CASE_EXAMINE, Perm.CASE_MANAGE)

NAV: tuple[NavSection, ...] = (
    NavSection(
        "",
        (
            NavItem(_("My work"), "home", None, "house"),
            NavItem(_("Inbox"), "notifications:inbox", Perm.NOTIFICATION_READ, "envelope"),
        ),
    ),
    NavSection(
        _("Entity filing"),
        (
            NavItem(
                _("My filings"), "filings:list", Perm.FILING_VIEW_OWN, "patch-check", "nav-filings"
            ),
            NavItem(
                _("Filing review"),
                "filings:queue",
                Perm.FILING_REVIEW,
                "clipboard-check",
                "nav-filing-review",
            ),
            NavItem(_("Agencies"), "filings:agencies", Perm.AGENCY_REVIEW, "briefcase"),
            NavItem(
                # An enterprise administrator engages agencies; an agent sees its agency's.
                _("Engagements"),
                "filings:engagements",
                (Perm.FILING_APPLY, Perm.AGENCY_REGISTER),
                "person-vcard",
                "nav-engagements",
            ),
            NavItem(
                _("Agency registration"),
                "filings:agency_register",
                Perm.AGENCY_REGISTER,
                "briefcase",
            ),
            NavItem(
                _("Quota requests"), "filings:quota_requests", Perm.QUOTA_DECIDE, "speedometer2"
            ),
            NavItem(_("Sanctions"), "filings:sanctions", Perm.FILING_REVIEW, "exclamation-octagon"),
        ),
    ),
    NavSection(
        _("Pre-examination"),
        (
            NavItem(
                _("Cases"), "preexam:case_list", _CASE_READERS, "file-earmark-text", "nav-preexam"
            ),
            NavItem(_("My review queue"), "preexam:queue", Perm.CASE_EXAMINE, "inbox", "nav-queue"),
            NavItem(
                _("Conflicts of interest"),
                "preexam:conflicts",
                (Perm.EXAMINER_CONFLICT_DECLARE, Perm.CASE_MANAGE),
                "person-x",
                "nav-conflicts",
            ),
            NavItem(
                _("Statistics"),
                "preexam:stats",
                Perm.PREEXAM_STATS_VIEW,
                "bar-chart-line",
                "nav-preexam-stats",
            ),
        ),
    ),
    NavSection(
        _("Patent navigation"),
        (
            NavItem(
                _("Patent search"),
                "navigation:search",
                Perm.CORPUS_SEARCH,
                "search",
                "nav-patent-search",
            ),
            NavItem(_("IPC browser"), "navigation:ipc", Perm.CORPUS_SEARCH, "diagram-3", "nav-ipc"),
            NavItem(
                _("Corpus imports"),
                "navigation:imports",
                Perm.CORPUS_IMPORT,
                "cloud-arrow-up",
                "nav-corpus-imports",
            ),
        ),
    ),
    NavSection(
        pgettext_lazy("navigation section", "General"),
        (
            NavItem(_("Centers"), "centers:list", Perm.CENTER_VIEW, "building"),
            NavItem(_("Workstations"), "centers:workstations", Perm.WORKSTATION_VIEW, "diagram-3"),
            NavItem(_("Documents"), "documents:list", Perm.DOCUMENT_UPLOAD, "folder2"),
            NavItem(_("Members"), "accounts:members", Perm.ORG_MEMBERS_VIEW, "people"),
            NavItem(_("Working days"), "calendar", Perm.CALENDAR_USE, "calendar3"),
        ),
    ),
    NavSection(
        _("Administration"),
        (
            NavItem(_("Audit log"), "audit:list", Perm.AUDIT_VIEW, "journal-text"),
            NavItem(_("Users"), "accounts:users", Perm.USER_MANAGE, "person-gear"),
            NavItem(
                _("Role requests"),
                "accounts:role_requests",
                (Perm.USER_MANAGE, Perm.ROLE_APPROVE),
                "person-check",
                "nav-role-requests",
            ),
            NavItem(_("Organizations"), "accounts:organizations", Perm.USER_MANAGE, "buildings"),
        ),
    ),
)


def _is_active(path: str, url: str, url_name: str) -> bool:
    return path == url or (url_name != "home" and path.startswith(url))


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_sections": [], "unread_notifications": 0}
    from ipcenter.notifications.services import unread_count

    sections: list[dict[str, Any]] = []
    for section in NAV:
        items: list[dict[str, Any]] = [
            {
                "label": item.label,
                "url": (url := reverse(item.url_name)),
                "icon": item.icon,
                "testid": item.testid,
                "active": _is_active(request.path, url, item.url_name),
            }
            for item in section.items
            if item.shown_to(user)
        ]
        if items:
            sections.append({"title": section.title, "items": items})
    # Where one item's address lies inside another's (/navigation/ and /navigation/imports/),
    # only the closest one is marked.
    active = [i for s in sections for i in s["items"] if i["active"]]
    longest = max((len(i["url"]) for i in active), default=0)
    for item in active:
        item["active"] = len(item["url"]) == longest
    return {
        "nav_sections": sections,
        "unread_notifications": unread_count(user),
        "my_memberships": memberships(user),
    }
