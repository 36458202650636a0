"""The demo loader: filings in every state, agencies, quotas, a request, a sanction; twice is
the same as once."""

from __future__ import annotations

from ipcenter.centers.demo import load_demo
from ipcenter.filings.models import (
    AgencyRegistration,
    EntityFiling,
    FilingState,
    Quota,
    QuotaRequest,
    Sanction,
)


def test_the_demo_has_every_state_and_loads_once(db: object) -> None:
    load_demo(password="demo-password-1")
    states = set(EntityFiling.objects.values_list("state", flat=True))
    assert states == set(FilingState.values)
    registrations = AgencyRegistration.objects.filter(state="registered")
    assert {r.on_guarantee_list for r in registrations} == {True, False}
    assert Quota.objects.exists()
    assert QuotaRequest.objects.count() == 1
    assert Sanction.objects.count() == 1
    counts = (EntityFiling.objects.count(), AgencyRegistration.objects.count())
    load_demo(password="demo-password-1")
    assert (EntityFiling.objects.count(), AgencyRegistration.objects.count()) == counts
