"""Reads of entity filing. Pre-examination asks here whether an entity may submit a case."""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext as _

from ipcenter.accounts.models import Organization
from ipcenter.centers.models import Center
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    EntityFiling,
    FilingState,
    Quota,
)


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
    """How many more cases the organization may submit this year (0 when it has no quota)."""
    quota = quota_of(organization=organization, center=center, year=year)
    if quota is None:
        return 0
    return max(quota.total - quota_used(organization=organization, center=center, year=year), 0)


def agency_refusal(*, agency: Organization, center: Center) -> str | None:
    """Why the agency may not submit cases to the center, or None when it may."""
    registration = (
        AgencyRegistration.objects.filter(organization=agency, center=center)
        .exclude(state__in=[AgencyState.REJECTED])
        .order_by("-created_at")
        .first()
    )
    if registration is None or registration.state != AgencyState.REGISTERED:
        return _("The agency %(agency)s is not registered with %(center)s.") % {
            "agency": agency.name,
            "center": center.localized_name(translation.get_language() or "zh-hans"),
        }
    if not registration.on_guarantee_list:
        return _("The agency %(agency)s is not on the agents' association's guarantee list.") % {
            "agency": agency.name
        }
    return None
