"""Sanctions: suspension above the suspend rate, cancellation above the cancel rate or on
abnormal-filing findings, the thresholds as center settings, idempotence and the jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from ipcenter.audit.models import AuditEvent
from ipcenter.centers.catalog import DEFAULTS
from ipcenter.centers.services import center_settings_change
from ipcenter.filings import services
from ipcenter.filings.models import EntityFiling, FilingState, Sanction, SanctionKind
from ipcenter.filings.services import sanction_decision
from ipcenter.lib.errors import InvalidInput
from tests.conftest import Cast
from tests.filings.factories import LAST_YEAR, NOW, TODAY, in_state, make_cases

S = FilingState


def decide(qualified: int, unqualified: int, findings: int = 0, **settings: int) -> str | None:
    decision = sanction_decision(
        accepted=qualified + unqualified,
        qualified=qualified,
        unqualified=unqualified,
        abnormal_findings=findings,
        settings=DEFAULTS | settings,
    )
    return decision.kind if decision else None


@pytest.mark.parametrize(
    ("qualified", "unqualified", "findings", "kind"),
    [
        (5, 5, 0, None),  # exactly 50 %: not above
        (49, 51, 0, SanctionKind.SUSPEND),  # 51 %
        (3, 7, 0, SanctionKind.SUSPEND),  # exactly 70 %: suspension only
        (29, 71, 0, SanctionKind.CANCEL),  # 71 %
        (10, 0, 2, SanctionKind.CANCEL),  # two abnormal-filing findings
        (10, 0, 1, None),
        (1, 3, 0, None),  # 75 % of 4 decided: below the minimum of 5 decided cases
        (0, 0, 0, None),
    ],
)
def test_thresholds(qualified: int, unqualified: int, findings: int, kind: str | None) -> None:
    assert decide(qualified, unqualified, findings) == kind


def test_thresholds_are_settings() -> None:
    assert decide(6, 4, sanction_suspend_failure_rate=30) == SanctionKind.SUSPEND
    assert decide(6, 4, sanction_cancel_failure_rate=35) == SanctionKind.CANCEL
    assert decide(1, 3, sanction_min_decided_cases=4) == SanctionKind.CANCEL
    assert decide(10, 0, 1, sanction_cancel_abnormal_findings=1) == SanctionKind.CANCEL


def _figures(cast: Cast, organization: Any, qualified: int, unqualified: int) -> None:
    make_cases(
        organization=organization,
        center=cast.shanghai,
        submitter=cast.erin,
        year=LAST_YEAR,
        qualified=qualified,
        unqualified=unqualified,
    )


def test_assessment_suspends_and_cancels(cast: Cast) -> None:
    a = in_state(cast, S.ACTIVE)
    b = in_state(cast, S.ACTIVE, organization=cast.ent_b)
    _figures(cast, cast.ent_a, 4, 6)  # 60 %
    _figures(cast, cast.ent_b, 2, 8)  # 80 %
    imposed = services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR, actor=cast.alice)
    assert sorted(s.kind for s in imposed) == [SanctionKind.CANCEL, SanctionKind.SUSPEND]
    a.refresh_from_db()
    b.refresh_from_db()
    assert a.state == S.SUSPENDED
    assert a.suspended_until == dt.date(2026, 9, 2)  # six months
    assert b.state == S.CANCELLED
    suspension = Sanction.objects.get(filing=a)
    assert (suspension.accepted, suspension.failed, suspension.ends_on) == (
        10,
        6,
        a.suspended_until,
    )
    assert "60.0" in suspension.reason
    assert AuditEvent.objects.filter(tag="filings:sanction:suspend").count() == 1
    assert AuditEvent.objects.filter(tag="filings:filing:cancelled").count() == 1


def test_assessment_is_idempotent(cast: Cast) -> None:
    in_state(cast, S.ACTIVE)
    _figures(cast, cast.ent_a, 4, 6)
    assert len(services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR)) == 1
    assert services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR) == []
    assert Sanction.objects.count() == 1


def test_abnormal_findings_cancel(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    for day in (dt.date(2025, 4, 1), dt.date(2025, 9, 1)):
        services.finding_record(
            actor=cast.alice,
            organization=cast.ent_a,
            center=cast.shanghai,
            kind="abnormal_filing",
            found_on=day,
            source="CNIPA notice",
        )
    services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR)
    filing.refresh_from_db()
    assert filing.state == S.CANCELLED
    assert Sanction.objects.get(filing=filing).abnormal_findings == 2


def test_changing_the_center_setting_changes_the_outcome(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    _figures(cast, cast.ent_a, 6, 4)  # 40 %
    assert services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR) == []
    center_settings_change(
        center=cast.shanghai,
        actor=cast.alice,
        values={"sanction_suspend_failure_rate": 30, "sanction_suspend_months": 3},
        reason="stricter",
    )
    services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR)
    filing.refresh_from_db()
    assert (filing.state, filing.suspended_until) == (S.SUSPENDED, dt.date(2026, 6, 2))


def test_a_suspended_filing_is_suspended_longer_not_twice(cast: Cast) -> None:
    filing = in_state(cast, S.SUSPENDED)  # by hand for 30 days
    _figures(cast, cast.ent_a, 4, 6)
    services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR)
    filing.refresh_from_db()
    assert (filing.state, filing.suspended_until) == (S.SUSPENDED, dt.date(2026, 9, 2))
    assert AuditEvent.objects.filter(tag="filings:filing:suspension_extended").count() == 1


def test_only_ended_years_and_own_centers(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(InvalidInput):
        services.sanctions_assess(center=cast.shanghai, year=TODAY.year)
    with pytest.raises(PermissionDenied):
        services.sanctions_assess(center=cast.shanghai, year=LAST_YEAR, actor=cast.carol)


def test_the_new_year_job_assesses_and_lifts(cast: Cast, frozen: Any) -> None:
    filing = in_state(cast, S.ACTIVE)
    make_cases(
        organization=cast.ent_a,
        center=cast.shanghai,
        submitter=cast.erin,
        year=2026,
        qualified=4,
        unqualified=6,
    )
    frozen.move_to(dt.datetime(2027, 1, 1, 2, 0, tzinfo=NOW.tzinfo))
    from ipcenter.filings.tasks import filings_daily, filings_new_year

    assert filings_new_year.call_local() == {"sanctions": 1, "quotas": 1}
    assert filings_new_year.call_local() == {"sanctions": 0, "quotas": 1}
    filing.refresh_from_db()
    assert (filing.state, filing.suspended_until) == (S.SUSPENDED, dt.date(2027, 7, 1))
    frozen.move_to(dt.datetime(2027, 7, 1, 1, 10, tzinfo=NOW.tzinfo))
    assert filings_daily.call_local()["lifted"] == 1
    assert EntityFiling.objects.get(pk=filing.pk).state == S.ACTIVE
