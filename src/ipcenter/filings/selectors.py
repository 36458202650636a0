"""Reads of entity filing. Pre-examination asks here whether an entity may submit a case."""

from __future__ import annotations

import datetime as dt
import math
from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.db.models import Exists, OuterRef, Q, QuerySet
from django.utils import translation
from django.utils.translation import gettext as _

from ipcenter.accounts.access import centers_with, organizations_with
from ipcenter.accounts.models import Organization, User
from ipcenter.accounts.roles import Perm, Role
from ipcenter.centers.models import Center, today
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    Engagement,
    EngagementActivity,
    EntityFiling,
    EntityFinding,
    FilingState,
    FindingKind,
    Quota,
    QuotaRequest,
    Sanction,
)

# --- what pre-examination asks ----------------------------------------------------------------


def filing_in_force(*, organization: Organization, center: Center) -> EntityFiling | None:
    """The organization's active filing with the center, if it has one."""
    return EntityFiling.objects.filter(
        organization=organization, center=center, state=FilingState.ACTIVE
    ).first()


def quota_of(*, organization: Organization, center: Center, year: int) -> Quota | None:
    return Quota.objects.filter(organization=organization, center=center, year=year).first()


def quota_used(*, organization: Organization, center: Center, year: int) -> int:
    """Cases counted against the year's quota: every case submitted, except those the center
    did not accept (they never entered review)."""
    from ipcenter.preexam.models import Case, CaseState

    return (
        Case.objects.filter(organization=organization, center=center, quota_year=year)
        .exclude(state=CaseState.NOT_ACCEPTED)
        .count()
    )


def quota_left(*, organization: Organization, center: Center, year: int) -> int:
    """How many more cases the organization may submit this year (0 without a quota)."""
    return quota_summary(organization=organization, center=center, year=year).left


def agency_refusal(*, agency: Organization, center: Center) -> str | None:
    """Why the agency may not submit cases to the center, or None when it may."""
    registration = (
        AgencyRegistration.objects.filter(organization=agency, center=center)
        .order_by("-created_at", "-pk")
        .first()
    )
    names = {
        "agency": agency.name,
        "center": center.localized_name(translation.get_language() or "zh-hans"),
    }
    if registration is None or registration.state == AgencyState.REJECTED:
        return _("The agency %(agency)s is not registered with %(center)s.") % names
    if registration.state == AgencyState.SUBMITTED:
        return (
            _("The registration of the agency %(agency)s with %(center)s is still under review.")
            % names
        )
    if registration.state == AgencyState.REVOKED:
        return _("The registration of the agency %(agency)s with %(center)s was revoked.") % names
    if not registration.on_guarantee_list:
        return _("The agency %(agency)s is not on the agents' association's guarantee list.") % {
            "agency": agency.name
        }
    return None


# --- engagements ----------------------------------------------------------------------------

_ACTIVITY_FIELDS = {
    EngagementActivity.FILING: "may_file",
    EngagementActivity.RESPONSES: "may_respond",
}


def engagements_in_force(*, on: dt.date | None = None) -> QuerySet[Engagement]:
    """Engagements not revoked whose validity covers the day (today by default)."""
    day = on or today()
    return Engagement.objects.filter(revoked_at__isnull=True, valid_from__lte=day).filter(
        Q(valid_until__isnull=True) | Q(valid_until__gte=day)
    )


def with_in_force(qs: QuerySet[Engagement]) -> QuerySet[Engagement]:
    """The engagements, each marked `in_force` (in one query, for lists)."""
    return qs.annotate(in_force=Exists(engagements_in_force().filter(pk=OuterRef("pk"))))


def engagements_covering(
    *, enterprise: Any, agency: Any, center: Any, activity: str = "", on: dt.date | None = None
) -> QuerySet[Engagement]:
    """The engagements in force under which `agency` acts for `enterprise` at `center` (for
    `activity`, or any activity when empty). The three are ids or OuterRef()s, so that a list
    can ask through Exists()."""
    qs = engagements_in_force(on=on).filter(
        Q(center__isnull=True) | Q(center_id=center), enterprise_id=enterprise, agency_id=agency
    )
    if activity:
        qs = qs.filter(**{_ACTIVITY_FIELDS[EngagementActivity(activity)]: True})
    return qs


def engagement_in_force(
    *, enterprise: Organization, agency: Organization, center: Center, activity: str = ""
) -> Engagement | None:
    return engagements_covering(
        enterprise=enterprise.pk, agency=agency.pk, center=center.pk, activity=activity
    ).first()


def engaged_enterprise_ids(*, agency_ids: set[int], activity: str = "") -> set[int]:
    """The enterprises that engaged one of the agencies (at some center) for `activity`."""
    qs = engagements_in_force().filter(agency_id__in=agency_ids)
    if activity:
        qs = qs.filter(**{_ACTIVITY_FIELDS[EngagementActivity(activity)]: True})
    return set(qs.values_list("enterprise_id", flat=True))


def engagements_visible_to(user: Any) -> QuerySet[Engagement]:
    """Engagements the user's enterprises granted (their administrators) or the user's agencies
    hold (their agents), revoked and expired ones too."""
    condition = Q(enterprise_id__in=organizations_with(user, Perm.FILING_APPLY)) | Q(
        agency_id__in=organizations_with(user, Perm.AGENCY_REGISTER)
    )
    return Engagement.objects.filter(condition).select_related(
        "enterprise", "agency", "center", "granted_by", "revoked_by"
    )


# --- quota ----------------------------------------------------------------------------------

QUOTA_RULE = "max(default_annual_quota, ceil(qualified x (1 + pass_rate)))"


def quota_compute(
    *, organization: Organization, center: Center, year: int
) -> tuple[int, dict[str, Any]]:
    """The year's base quota and how it was reached, from the previous year's outcomes.

    base = max(default, ceil(qualified x (1 + pass rate))), pass rate = qualified / accepted of
    the previous year at this center. An entity without cases last year gets the default; an
    entity that passed much gets room to grow in proportion to how well it did.
    """
    from ipcenter.centers.selectors import center_setting
    from ipcenter.preexam.selectors import entity_outcomes

    # The default in force when the quota is set (activation, or the new-year job).
    default = center_setting(center=center, key="default_annual_quota", on=today())
    outcomes = entity_outcomes(center=center, year=year - 1).get(organization.pk)
    basis: dict[str, Any] = {
        "rule": QUOTA_RULE,
        "previous_year": year - 1,
        "default": default,
        "accepted": outcomes.accepted if outcomes else 0,
        "qualified": outcomes.qualified if outcomes else 0,
        "unqualified": outcomes.unqualified if outcomes else 0,
        "pass_rate": None,
        "earned": 0,
    }
    if outcomes is None or outcomes.pass_rate is None:
        return default, basis
    pass_rate = min(outcomes.pass_rate, 1.0)
    earned = math.ceil(outcomes.qualified * (1 + pass_rate))
    basis |= {"pass_rate": round(pass_rate, 4), "earned": earned}
    return max(default, earned), basis


@dataclass(frozen=True)
class QuotaSummary:
    year: int
    base: int
    extra: int
    total: int
    used: int
    left: int
    stored: bool
    basis: dict[str, Any]


def quota_summary(*, organization: Organization, center: Center, year: int) -> QuotaSummary:
    """The year's quota (base + extra), used and left. Before the new-year job has stored it, an
    entity whose filing is in force gets the figure the job would store, so nobody is blocked on
    1 January."""
    quota = quota_of(organization=organization, center=center, year=year)
    if quota is not None:
        base, extra, basis = quota.base, quota.extra, quota.basis
    elif filing_in_force(organization=organization, center=center) is not None:
        base, basis = quota_compute(organization=organization, center=center, year=year)
        extra = 0
    else:
        base, extra, basis = 0, 0, {}
    used = quota_used(organization=organization, center=center, year=year)
    total = base + extra
    return QuotaSummary(
        year=year,
        base=base,
        extra=extra,
        total=total,
        used=used,
        left=max(total - used, 0),
        stored=quota is not None,
        basis=basis,
    )


# --- lists ----------------------------------------------------------------------------------


def in_centers_with(user: Any, perm: Perm, field: str = "center_id") -> Q:
    """Rows of the centers where the user holds `perm` (every row for a user of all centers)."""
    ids = centers_with(user, perm)
    return Q() if ids is None else Q(**{f"{field}__in": ids})


def _own_or_centers(own: set[int], centers: set[int] | None, prefix: str = "") -> Q:
    """Rows of the user's own organizations or of the centers the user works for (None: all)."""
    if centers is None:
        return Q()
    condition = Q(**{f"{prefix}organization_id__in": own})
    if centers:
        condition |= Q(**{f"{prefix}center_id__in": centers})
    return condition


def filings_visible_to(user: Any) -> QuerySet[EntityFiling]:
    """Filings of the user's own organizations and of the centers the user reviews."""
    condition = _own_or_centers(
        organizations_with(user, Perm.FILING_VIEW_OWN), centers_with(user, Perm.FILING_REVIEW)
    )
    return EntityFiling.objects.filter(condition).select_related("center", "organization")


def review_queue(*, user: Any, state: str = "", query: str = "") -> QuerySet[EntityFiling]:
    """The filings of the centers the user reviews; submitted ones first, oldest first."""
    qs = EntityFiling.objects.filter(in_centers_with(user, Perm.FILING_REVIEW)).select_related(
        "center", "organization"
    )
    if state:
        qs = qs.filter(state=state)
    if query:
        qs = qs.filter(
            Q(legal_name__icontains=query)
            | Q(credit_code__icontains=query)
            | Q(organization__name__icontains=query)
            | Q(organization__name_en__icontains=query)
        )
    return qs.order_by("submitted_at", "-created_at")


def findings_of(*, organization: Organization) -> QuerySet[EntityFinding]:
    return EntityFinding.objects.filter(organization=organization).select_related("center")


def abnormal_findings_in(*, year: int) -> Counter[int]:
    """The year's abnormal-filing findings (recorded by any center), by organization id."""
    return Counter(
        EntityFinding.objects.filter(
            kind=FindingKind.ABNORMAL_FILING, found_on__year=year
        ).values_list("organization_id", flat=True)
    )


def agencies_visible_to(user: Any) -> QuerySet[AgencyRegistration]:
    condition = _own_or_centers(
        organizations_with(user, Perm.AGENCY_REGISTER), centers_with(user, Perm.AGENCY_REVIEW)
    )
    return AgencyRegistration.objects.filter(condition).select_related("center", "organization")


def quota_requests_visible_to(user: Any) -> QuerySet[QuotaRequest]:
    own = organizations_with(user, Perm.QUOTA_REQUEST) | organizations_with(
        user, Perm.FILING_VIEW_OWN
    )
    condition = _own_or_centers(own, centers_with(user, Perm.QUOTA_DECIDE))
    return QuotaRequest.objects.filter(condition).select_related("center", "organization")


def sanctions_visible_to(user: Any) -> QuerySet[Sanction]:
    condition = _own_or_centers(
        organizations_with(user, Perm.FILING_VIEW_OWN),
        centers_with(user, Perm.FILING_REVIEW),
        prefix="filing__",
    )
    return Sanction.objects.filter(condition).select_related(
        "filing", "filing__center", "filing__organization"
    )


# --- people to tell -------------------------------------------------------------------------


def center_managers(center: Center) -> list[User]:
    return list(
        User.objects.filter(
            memberships__center=center,
            memberships__role=Role.CENTER_MANAGER,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def entity_admins(organization: Organization) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organization=organization,
            memberships__role=Role.ENTERPRISE_ADMIN,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )


def agency_agents(organization: Organization) -> list[User]:
    return list(
        User.objects.filter(
            memberships__organization=organization,
            memberships__role=Role.AGENT,
            memberships__is_active=True,
            is_active=True,
        ).distinct()
    )
