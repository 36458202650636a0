"""The annual quota and extra quota; agencies' registration and why an agency is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import translation

from ipcenter.audit.models import AuditEvent
from ipcenter.centers.services import center_settings_change
from ipcenter.filings import services
from ipcenter.filings.models import (
    AgencyRegistration,
    AgencyState,
    FilingState,
    Quota,
    QuotaRequestState,
)
from ipcenter.filings.selectors import agency_refusal, quota_compute, quota_left, quota_summary
from ipcenter.lib.errors import Conflict, InvalidInput
from tests.conftest import Cast
from tests.filings.factories import LAST_YEAR, in_state, make_cases, use_quota

# --- quota ----------------------------------------------------------------------------------


def test_quota_without_history_is_the_default(cast: Cast) -> None:
    base, basis = quota_compute(organization=cast.ent_a, center=cast.shanghai, year=2026)
    assert base == 20
    assert basis["accepted"] == 0 and basis["pass_rate"] is None


def test_quota_from_last_years_qualified_count_and_pass_rate(cast: Cast) -> None:
    make_cases(
        organization=cast.ent_a,
        center=cast.shanghai,
        submitter=cast.erin,
        year=LAST_YEAR,
        qualified=30,
        unqualified=6,
        pending=4,
    )
    base, basis = quota_compute(organization=cast.ent_a, center=cast.shanghai, year=2026)
    # 30 qualified of 40 accepted: ceil(30 x 1.75) = 53.
    assert base == 53
    assert basis | {"rule": ""} == basis | {
        "rule": "",
        "accepted": 40,
        "qualified": 30,
        "unqualified": 6,
        "pass_rate": 0.75,
        "earned": 53,
        "default": 20,
        "previous_year": LAST_YEAR,
    }
    # Another center's cases do not count here.
    other, _ = quota_compute(organization=cast.ent_a, center=cast.pudong, year=2026)
    assert other == 20


def test_a_poor_year_keeps_the_default(cast: Cast) -> None:
    make_cases(
        organization=cast.ent_a,
        center=cast.shanghai,
        submitter=cast.erin,
        year=LAST_YEAR,
        qualified=5,
        unqualified=15,
    )
    assert quota_compute(organization=cast.ent_a, center=cast.shanghai, year=2026)[0] == 20
    center_settings_change(
        center=cast.shanghai, actor=cast.alice, values={"default_annual_quota": 3}, reason="x"
    )
    # ceil(5 x 1.25) = 7 now beats the default of 3.
    assert quota_compute(organization=cast.ent_a, center=cast.shanghai, year=2026)[0] == 7


def test_quota_ensure_is_idempotent_and_audited(cast: Cast) -> None:
    first = services.quota_ensure(organization=cast.ent_a, center=cast.shanghai, year=2026)
    second = services.quota_ensure(organization=cast.ent_a, center=cast.shanghai, year=2026)
    assert first.pk == second.pk
    assert AuditEvent.objects.filter(tag="filings:quota:set").count() == 1


def test_quota_left_counts_cases_and_falls_back_before_the_job(cast: Cast) -> None:
    filing = in_state(cast, FilingState.ACTIVE)
    use_quota(organization=cast.ent_a, center=cast.shanghai, submitter=cast.erin, count=5)
    assert quota_left(organization=cast.ent_a, center=cast.shanghai, year=2026) == 15
    # Next year's quota is not stored yet: the entity in force still gets its figure.
    assert quota_left(organization=cast.ent_a, center=cast.shanghai, year=2027) == 20
    assert quota_left(organization=cast.ent_b, center=cast.shanghai, year=2026) == 0
    services.filing_withdraw(actor=cast.dave, filing=filing)
    assert quota_left(organization=cast.ent_a, center=cast.shanghai, year=2027) == 0


def test_the_new_year_job_sets_quotas(cast: Cast) -> None:
    in_state(cast, FilingState.ACTIVE)
    assert services.quotas_for_new_year(year=2027) == 1
    assert Quota.objects.filter(organization=cast.ent_a, year=2027).count() == 1


def test_extra_quota_only_once_used_up(cast: Cast) -> None:
    in_state(cast, FilingState.ACTIVE)
    with pytest.raises(InvalidInput) as refused:
        services.quota_request_create(
            actor=cast.dave,
            organization=cast.ent_a,
            center=cast.shanghai,
            year=2026,
            requested=5,
            reason="big year",
        )
    with translation.override("en"):
        assert "20 case(s) are left" in str(refused.value.message)
    use_quota(organization=cast.ent_a, center=cast.shanghai, submitter=cast.erin, count=20)
    request = services.quota_request_create(
        actor=cast.dave,
        organization=cast.ent_a,
        center=cast.shanghai,
        year=2026,
        requested=5,
        reason="big year",
    )
    with pytest.raises(Conflict):  # one waiting request at a time
        services.quota_request_create(
            actor=cast.dave,
            organization=cast.ent_a,
            center=cast.shanghai,
            year=2026,
            requested=1,
            reason="again",
        )
    with pytest.raises(PermissionDenied):
        services.quota_request_decide(actor=cast.carol, request=request, granted=5)
    with pytest.raises(InvalidInput):
        services.quota_request_decide(actor=cast.alice, request=request, granted=6)
    services.quota_request_decide(actor=cast.alice, request=request, granted=3)
    assert request.state == QuotaRequestState.GRANTED
    summary = quota_summary(organization=cast.ent_a, center=cast.shanghai, year=2026)
    assert (summary.base, summary.extra, summary.left) == (20, 3, 3)
    with pytest.raises(Conflict):
        services.quota_request_decide(actor=cast.alice, request=request, granted=1)
    assert AuditEvent.objects.filter(tag="filings:quota:granted").count() == 1


def test_extra_quota_refused_with_a_reason(cast: Cast) -> None:
    in_state(cast, FilingState.ACTIVE)
    use_quota(organization=cast.ent_a, center=cast.shanghai, submitter=cast.erin, count=20)
    request = services.quota_request_create(
        actor=cast.dave,
        organization=cast.ent_a,
        center=cast.shanghai,
        year=2026,
        requested=5,
        reason="r",
    )
    with pytest.raises(InvalidInput):
        services.quota_request_decide(actor=cast.alice, request=request, granted=0)
    services.quota_request_decide(actor=cast.alice, request=request, granted=0, reason="low rate")
    assert (request.state, request.decision_reason) == (QuotaRequestState.REFUSED, "low rate")


def test_no_extra_quota_without_an_active_filing(cast: Cast) -> None:
    in_state(cast, FilingState.SUBMITTED)
    with pytest.raises(InvalidInput):
        services.quota_request_create(
            actor=cast.dave,
            organization=cast.ent_a,
            center=cast.shanghai,
            year=2026,
            requested=1,
            reason="r",
        )


# --- agencies -------------------------------------------------------------------------------


def _register(cast: Cast) -> AgencyRegistration:
    return services.agency_register(
        actor=cast.grace,
        organization=cast.agency,
        center=cast.shanghai,
        licence_number="31201",
        contact_name="Grace",
        contact_phone="021-1",
    )


def _reason(cast: Cast) -> str | None:
    with translation.override("en"):
        return agency_refusal(agency=cast.agency, center=cast.shanghai)


def test_agency_refusal_reasons(cast: Cast) -> None:
    assert "is not registered with Shanghai Center" in (_reason(cast) or "")
    registration = _register(cast)
    assert "still under review" in (_reason(cast) or "")
    services.agency_decide(actor=cast.alice, registration=registration, decision="registered")
    assert "not on the agents' association's guarantee list" in (_reason(cast) or "")
    services.agency_set_guarantee(actor=cast.alice, registration=registration, on_list=True)
    assert _reason(cast) is None
    # Registered with Shanghai only: Pudong refuses.
    assert agency_refusal(agency=cast.agency, center=cast.pudong) is not None
    services.agency_revoke(actor=cast.alice, registration=registration, reason="licence lapsed")
    assert "was revoked" in (_reason(cast) or "")


def test_a_rejected_agency_is_not_registered(cast: Cast) -> None:
    registration = _register(cast)
    with pytest.raises(InvalidInput):
        services.agency_decide(actor=cast.alice, registration=registration, decision="rejected")
    services.agency_decide(
        actor=cast.alice, registration=registration, decision="rejected", reason="no licence"
    )
    assert "is not registered" in (_reason(cast) or "")
    # It may register again.
    assert _register(cast).state == AgencyState.SUBMITTED


def test_agency_moves_are_guarded(cast: Cast) -> None:
    registration = _register(cast)
    with pytest.raises(Conflict):
        _register(cast)
    with pytest.raises(PermissionDenied):
        services.agency_decide(actor=cast.carol, registration=registration, decision="registered")
    with pytest.raises(Conflict):
        services.agency_revoke(actor=cast.alice, registration=registration, reason="x")
    services.agency_decide(actor=cast.alice, registration=registration, decision="registered")
    with pytest.raises(Conflict):
        services.agency_decide(actor=cast.alice, registration=registration, decision="registered")
    with pytest.raises(InvalidInput):
        services.agency_register(
            actor=cast.grace,
            organization=cast.agency,
            center=cast.pudong,
            licence_number="",
            contact_name="x",
            contact_phone="1",
        )
    tags = set(
        AuditEvent.objects.filter(tag__startswith="filings:agency:").values_list("tag", flat=True)
    )
    assert tags == {"filings:agency:submitted", "filings:agency:registered"}
