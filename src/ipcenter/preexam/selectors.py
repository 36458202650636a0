"""Reads of pre-examination cases."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q

from ipcenter.centers.models import Center
from ipcenter.preexam.models import Case, CaseState

# A case counts as qualified once it passed, whatever happened at the national office after.
QUALIFIED_STATES = (CaseState.QUALIFIED, CaseState.FILED, CaseState.OFF_TRACK, CaseState.GRANTED)


@dataclass(frozen=True)
class Outcomes:
    accepted: int  # accepted for review in the year
    qualified: int  # decided qualified in the year
    unqualified: int  # decided unqualified in the year

    @property
    def decided(self) -> int:
        return self.qualified + self.unqualified

    @property
    def pass_rate(self) -> float | None:
        """Qualified / accepted (DOMAIN.md), None without accepted cases."""
        return self.qualified / self.accepted if self.accepted else None

    @property
    def failure_rate(self) -> float | None:
        """Unqualified / decided, None without decided cases."""
        return self.unqualified / self.decided if self.decided else None


def entity_outcomes(*, center: Center, year: int) -> dict[int, Outcomes]:
    """Per organization id: the year's accepted, qualified and unqualified counts at a center."""
    rows = (
        Case.objects.filter(center=center)
        .values("organization_id")
        .annotate(
            accepted=Count("id", filter=Q(accepted_at__year=year)),
            qualified=Count("id", filter=Q(decided_at__year=year, state__in=QUALIFIED_STATES)),
            unqualified=Count("id", filter=Q(decided_at__year=year, state=CaseState.UNQUALIFIED)),
        )
    )
    return {
        row["organization_id"]: Outcomes(row["accepted"], row["qualified"], row["unqualified"])
        for row in rows
        if row["accepted"] or row["qualified"] or row["unqualified"]
    }
