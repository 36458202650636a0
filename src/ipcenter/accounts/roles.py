"""Roles, organization kinds and the permission matrix, as data.

This table is the single source of the role matrix: `docs/roles.md` is generated from it
(`ipcenter roles_doc`) and tests fail when the two drift apart.
"""

from __future__ import annotations

from enum import StrEnum

from django.db import models
from django.utils.translation import gettext_lazy as _


class OrgKind(models.TextChoices):
    CENTER = "center", _("IP protection center")
    WORKSTATION = "workstation", _("Workstation")
    ENTERPRISE = "enterprise", _("Enterprise")
    AGENCY = "agency", _("Patent agency")
    COURT = "court", _("Court")
    ENFORCEMENT = "enforcement", _("Enforcement office")
    IP_OFFICE = "ip_office", _("IP office")


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant")
    ENTERPRISE_ADMIN = "enterprise_admin", _("Enterprise administrator")
    AGENT = "agent", _("Patent agent")
    PRE_EXAMINER = "pre_examiner", _("Pre-examiner")
    MEDIATOR = "mediator", _("Mediator")
    WORKSTATION_STAFF = "workstation_staff", _("Workstation staff")
    OVERSEAS_EXPERT = "overseas_expert", _("Overseas expert")
    NAVIGATION_ANALYST = "navigation_analyst", _("Navigation analyst")
    RECEPTION_STAFF = "reception_staff", _("Reception staff")
    CENTER_MANAGER = "center_manager", _("Center manager")
    IP_OFFICE_VIEWER = "ip_office_viewer", _("IP office viewer")
    SYSTEM_ADMIN = "system_admin", _("System administrator")


# Which kind of organization a role is held in. Center staff hold their role in the center's own
# organization; workstation staff in the workstation's; the system administrator anywhere.
ROLE_ORG_KINDS: dict[str, frozenset[str]] = {
    Role.APPLICANT: frozenset({OrgKind.ENTERPRISE}),
    Role.ENTERPRISE_ADMIN: frozenset({OrgKind.ENTERPRISE}),
    Role.AGENT: frozenset({OrgKind.AGENCY}),
    Role.PRE_EXAMINER: frozenset({OrgKind.CENTER}),
    Role.MEDIATOR: frozenset({OrgKind.CENTER}),
    Role.WORKSTATION_STAFF: frozenset({OrgKind.WORKSTATION}),
    Role.OVERSEAS_EXPERT: frozenset({OrgKind.CENTER}),
    Role.NAVIGATION_ANALYST: frozenset({OrgKind.CENTER}),
    Role.RECEPTION_STAFF: frozenset({OrgKind.CENTER}),
    Role.CENTER_MANAGER: frozenset({OrgKind.CENTER}),
    Role.IP_OFFICE_VIEWER: frozenset({OrgKind.IP_OFFICE}),
    Role.SYSTEM_ADMIN: frozenset(OrgKind.values),
}

# Staff roles work inside a center (or, with no center, across all of them) and need TOTP.
STAFF_ROLES: frozenset[str] = frozenset(
    {
        Role.PRE_EXAMINER,
        Role.MEDIATOR,
        Role.WORKSTATION_STAFF,
        Role.OVERSEAS_EXPERT,
        Role.NAVIGATION_ANALYST,
        Role.RECEPTION_STAFF,
        Role.CENTER_MANAGER,
        Role.IP_OFFICE_VIEWER,
        Role.SYSTEM_ADMIN,
    }
)
# Roles that must name the center they work in.
CENTER_BOUND_ROLES: frozenset[str] = STAFF_ROLES - {Role.IP_OFFICE_VIEWER, Role.SYSTEM_ADMIN}


class Scope(StrEnum):
    """What a permission is checked against once the role allows it."""

    ANY = "any"  # no object: the role is enough
    CENTER = "center"  # the object's center must be the membership's (or it spans all centers)
    ORGANIZATION = "organization"  # the object belongs to the membership's organization
    SELF = "self"  # the object belongs to the user
    ASSIGNED = "assigned"  # the object is assigned to the user (e.g. a case to its examiner)


class Perm(StrEnum):
    """Permissions as `area:resource:action`."""

    CENTER_VIEW = "centers:center:view"
    CENTER_SETTINGS_VIEW = "centers:settings:view"
    CENTER_SETTINGS_CHANGE = "centers:settings:change"
    CENTER_FIELDS_CHANGE = "centers:fields:change"
    WORKSTATION_VIEW = "centers:workstation:view"
    AUDIT_VIEW = "audit:event:view"
    DOCUMENT_UPLOAD = "documents:document:upload"
    DOCUMENT_VIEW_OWN = "documents:document:view-own"
    DOCUMENT_VIEW_CENTER = "documents:document:view-center"
    NOTIFICATION_READ = "notifications:notification:read"
    TOKEN_MANAGE = "accounts:token:manage"  # noqa: S105
    PROFILE_EDIT = "accounts:profile:edit"
    ORG_MEMBERS_VIEW = "accounts:member:view"
    USER_MANAGE = "accounts:user:manage"
    # A center's managers approve requests for roles in their center (the two-person rule).
    ROLE_APPROVE = "accounts:role:approve"
    CALENDAR_USE = "calendar:workday:use"
    # Entity filing (备案), agencies, quota and sanctions.
    FILING_APPLY = "filings:filing:apply"
    FILING_VIEW_OWN = "filings:filing:view-own"
    FILING_REVIEW = "filings:filing:review"
    AGENCY_REGISTER = "filings:agency:register"
    AGENCY_REVIEW = "filings:agency:review"
    QUOTA_REQUEST = "filings:quota:request"
    QUOTA_DECIDE = "filings:quota:decide"
    # Pre-examination.
    CASE_SUBMIT = "preexam:case:submit"  # submit, amend, withdraw, report national events
    CASE_VIEW_OWN = "preexam:case:view-own"
    CASE_EXAMINE = "preexam:case:examine"  # the assigned examiner
    CASE_MANAGE = "preexam:case:manage"  # the center's managers: assign, oversee, record
    EXAMINER_CONFLICT_DECLARE = "preexam:conflict:declare"
    PREEXAM_STATS_VIEW = "preexam:stats:view"
    # Patent navigation: the shared corpus of published patents.
    CORPUS_SEARCH = "navigation:corpus:search"  # search, read documents, browse the IPC
    CORPUS_IMPORT = "navigation:corpus:import"  # run and watch imports into the corpus


PERM_SCOPES: dict[Perm, Scope] = {
    Perm.CENTER_VIEW: Scope.ANY,
    Perm.CENTER_SETTINGS_VIEW: Scope.CENTER,
    Perm.CENTER_SETTINGS_CHANGE: Scope.CENTER,
    Perm.CENTER_FIELDS_CHANGE: Scope.CENTER,
    Perm.WORKSTATION_VIEW: Scope.ANY,
    Perm.AUDIT_VIEW: Scope.CENTER,
    Perm.DOCUMENT_UPLOAD: Scope.ORGANIZATION,
    Perm.DOCUMENT_VIEW_OWN: Scope.ORGANIZATION,
    Perm.DOCUMENT_VIEW_CENTER: Scope.CENTER,
    Perm.NOTIFICATION_READ: Scope.SELF,
    Perm.TOKEN_MANAGE: Scope.SELF,
    Perm.PROFILE_EDIT: Scope.SELF,
    Perm.ORG_MEMBERS_VIEW: Scope.ORGANIZATION,
    Perm.USER_MANAGE: Scope.ANY,
    Perm.ROLE_APPROVE: Scope.CENTER,
    Perm.CALENDAR_USE: Scope.ANY,
    Perm.FILING_APPLY: Scope.ORGANIZATION,
    Perm.FILING_VIEW_OWN: Scope.ORGANIZATION,
    Perm.FILING_REVIEW: Scope.CENTER,
    Perm.AGENCY_REGISTER: Scope.ORGANIZATION,
    Perm.AGENCY_REVIEW: Scope.CENTER,
    Perm.QUOTA_REQUEST: Scope.ORGANIZATION,
    Perm.QUOTA_DECIDE: Scope.CENTER,
    Perm.CASE_SUBMIT: Scope.ORGANIZATION,
    Perm.CASE_VIEW_OWN: Scope.ORGANIZATION,
    Perm.CASE_EXAMINE: Scope.ASSIGNED,
    Perm.CASE_MANAGE: Scope.CENTER,
    Perm.EXAMINER_CONFLICT_DECLARE: Scope.SELF,
    Perm.PREEXAM_STATS_VIEW: Scope.CENTER,
    # The corpus holds only published documents and is shared by every center.
    Perm.CORPUS_SEARCH: Scope.ANY,
    Perm.CORPUS_IMPORT: Scope.ANY,
}

_EVERYONE = frozenset(
    {
        Perm.CENTER_VIEW,
        Perm.WORKSTATION_VIEW,
        Perm.NOTIFICATION_READ,
        Perm.TOKEN_MANAGE,
        Perm.PROFILE_EDIT,
        Perm.CALENDAR_USE,
        Perm.CORPUS_SEARCH,
    }
)
_CENTER_STAFF = _EVERYONE | {Perm.CENTER_SETTINGS_VIEW}

_APPLICANT_SIDE = _EVERYONE | {
    Perm.DOCUMENT_UPLOAD,
    Perm.DOCUMENT_VIEW_OWN,
    Perm.CASE_SUBMIT,
    Perm.CASE_VIEW_OWN,
}

ROLE_PERMISSIONS: dict[str, frozenset[Perm]] = {
    Role.APPLICANT: _APPLICANT_SIDE | {Perm.FILING_VIEW_OWN},
    Role.ENTERPRISE_ADMIN: _APPLICANT_SIDE
    | {
        Perm.ORG_MEMBERS_VIEW,
        Perm.FILING_APPLY,
        Perm.FILING_VIEW_OWN,
        Perm.QUOTA_REQUEST,
    },
    Role.AGENT: _APPLICANT_SIDE | {Perm.AGENCY_REGISTER},
    Role.PRE_EXAMINER: _CENTER_STAFF | {Perm.CASE_EXAMINE, Perm.EXAMINER_CONFLICT_DECLARE},
    Role.MEDIATOR: _CENTER_STAFF,
    Role.WORKSTATION_STAFF: _EVERYONE
    | {Perm.DOCUMENT_UPLOAD, Perm.DOCUMENT_VIEW_OWN, Perm.CENTER_SETTINGS_VIEW},
    Role.OVERSEAS_EXPERT: _CENTER_STAFF,
    Role.NAVIGATION_ANALYST: _CENTER_STAFF | {Perm.CORPUS_IMPORT},
    Role.RECEPTION_STAFF: _CENTER_STAFF,
    Role.CENTER_MANAGER: _CENTER_STAFF
    | {
        Perm.CENTER_SETTINGS_CHANGE,
        Perm.CENTER_FIELDS_CHANGE,
        Perm.AUDIT_VIEW,
        Perm.DOCUMENT_UPLOAD,
        Perm.DOCUMENT_VIEW_OWN,
        Perm.DOCUMENT_VIEW_CENTER,
        Perm.ORG_MEMBERS_VIEW,
        Perm.FILING_REVIEW,
        Perm.AGENCY_REVIEW,
        Perm.QUOTA_DECIDE,
        Perm.CASE_MANAGE,
        Perm.PREEXAM_STATS_VIEW,
        Perm.ROLE_APPROVE,
    },
    Role.IP_OFFICE_VIEWER: _EVERYONE | {Perm.CENTER_SETTINGS_VIEW, Perm.PREEXAM_STATS_VIEW},
    # The system administrator runs the installation: people, tokens, the audit log. It is
    # deliberately not entitled to the content of confidential documents.
    Role.SYSTEM_ADMIN: _EVERYONE
    | {Perm.USER_MANAGE, Perm.AUDIT_VIEW, Perm.ORG_MEMBERS_VIEW, Perm.CORPUS_IMPORT},
}

# Permissions that open confidential content: unpublished applications, their documents, the
# filing data of organizations, and the filing statistics (each enterprise's filing activity).
CONFIDENTIAL_PERMS: frozenset[Perm] = frozenset(
    {
        Perm.PREEXAM_STATS_VIEW,
        Perm.DOCUMENT_VIEW_OWN,
        Perm.DOCUMENT_VIEW_CENTER,
        Perm.CASE_VIEW_OWN,
        Perm.CASE_EXAMINE,
        Perm.CASE_MANAGE,
        Perm.FILING_VIEW_OWN,
        Perm.FILING_REVIEW,
        Perm.AGENCY_REVIEW,
        Perm.QUOTA_DECIDE,
    }
)
# Permissions that decide who gets such a role: holding them is as good as holding the role.
GRANT_DECIDING_PERMS: frozenset[Perm] = frozenset({Perm.USER_MANAGE, Perm.ROLE_APPROVE})

# The two-person rule: a role that opens confidential content, or decides who may, is granted only
# when a second person approves the request (another system administrator, or a manager of the
# center the role is bound to). Otherwise one administrator could hand such a role to an account
# they control. Derived from the matrix, so a new permission cannot slip past it.
TWO_PERSON_ROLES: frozenset[str] = frozenset(
    role
    for role, perms in ROLE_PERMISSIONS.items()
    if perms & (CONFIDENTIAL_PERMS | GRANT_DECIDING_PERMS)
)
