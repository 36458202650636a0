"""Who may read the content of this area's audit rows (see ipcenter.audit.subjects).

A filing's data (credit code, contacts, reasons) is shown to the filing's readers only: its
enterprise and the reviewers of its center. Quotas and findings follow the filings they belong to.
"""

from typing import Any

from django.db.models import Exists, OuterRef, QuerySet

from ipcenter.audit.subjects import register_subject
from ipcenter.filings.models import (
    AgencyRegistration,
    Engagement,
    EntityFiling,
    EntityFinding,
    Quota,
    QuotaRequest,
    Sanction,
)
from ipcenter.filings.selectors import (
    agencies_visible_to,
    engagements_visible_to,
    filings_visible_to,
    quota_requests_visible_to,
    sanctions_visible_to,
)


def quotas_visible_to(user: Any) -> QuerySet[Quota]:
    """A quota is read with its filing (the filing's quota page)."""
    filings = filings_visible_to(user).filter(
        organization_id=OuterRef("organization_id"), center_id=OuterRef("center_id")
    )
    return Quota.objects.filter(Exists(filings))


def findings_visible_to(user: Any) -> QuerySet[EntityFinding]:
    """Findings on an entity are read with any of its filings the user may read."""
    return EntityFinding.objects.filter(
        organization_id__in=filings_visible_to(user).values("organization_id")
    )


register_subject(EntityFiling, filings_visible_to)
register_subject(EntityFinding, findings_visible_to)
register_subject(AgencyRegistration, agencies_visible_to)
register_subject(Quota, quotas_visible_to)
register_subject(QuotaRequest, quota_requests_visible_to)
register_subject(Sanction, sanctions_visible_to)
register_subject(Engagement, engagements_visible_to)
