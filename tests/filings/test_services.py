"""The filing services: drafting, documents, submitting, approving (with the override), and the
daily jobs that activate, lift and re-check."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
import time_machine

from ipcenter.audit.models import AuditEvent
from ipcenter.filings import services
from ipcenter.filings.models import EntityFiling, FilingState, Quota
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.notifications.models import Notification
from tests.conftest import Cast
from tests.filings.factories import NOW, TODAY, draft, filing_data, in_state, submitted

S = FilingState


def test_create_checks_the_data(cast: Cast) -> None:
    with pytest.raises(InvalidInput) as refused:
        services.filing_create(
            actor=cast.dave,
            organization=cast.ent_a,
            center=cast.shanghai,
            data=filing_data(credit_code="123", industry_codes=["XYZ"], legal_name=""),
        )
    assert set(refused.value.errors) == {"credit_code", "industry_codes", "legal_name"}


def test_create_normalises_codes(cast: Cast) -> None:
    filing = draft(cast, documents=False, industry_codes=["a61k31/00", "Ｂ２５Ｊ"])
    assert filing.industry_codes == ["A61K 31/00", "B25J"]
    assert filing.state == S.DRAFT


def test_one_open_filing_per_center(cast: Cast) -> None:
    draft(cast, documents=False)
    with pytest.raises(Conflict):
        draft(cast, documents=False)
    # Another center is fine.
    assert draft(cast, documents=False, center=cast.pudong).center == cast.pudong


def test_only_the_entity_admin_drafts(cast: Cast) -> None:
    from django.core.exceptions import PermissionDenied

    for person in (cast.erin, cast.frank, cast.alice):
        with pytest.raises(PermissionDenied):
            services.filing_create(
                actor=person, organization=cast.ent_a, center=cast.shanghai, data=filing_data()
            )


def test_update_only_while_editable(cast: Cast) -> None:
    filing = draft(cast, documents=False)
    services.filing_update(actor=cast.dave, filing=filing, data={"insured_staff": 9})
    assert filing.insured_staff == 9
    assert AuditEvent.objects.filter(tag="filings:filing:updated").count() == 1
    filing = in_state(cast, S.SUBMITTED, center=cast.pudong)
    with pytest.raises(Conflict):
        services.filing_update(actor=cast.dave, filing=filing, data={"insured_staff": 10})


def test_attach_only_while_editable_and_only_own_documents(cast: Cast) -> None:
    from ipcenter.documents.services import document_store
    from tests.filings.factories import png

    filing = draft(cast, documents=False)
    theirs = document_store(actor=cast.frank, organization=cast.ent_b, upload=png())
    with pytest.raises(InvalidInput):
        services.filing_attach_document(
            actor=cast.dave, filing=filing, purpose="ip_rules", document=theirs
        )
    with pytest.raises(InvalidInput):
        services.filing_attach_document(
            actor=cast.dave, filing=filing, purpose="nonsense", upload=png()
        )
    done = in_state(cast, S.SUBMITTED, center=cast.pudong)
    with pytest.raises(Conflict):
        services.filing_attach_document(
            actor=cast.dave, filing=done, purpose="ip_rules", upload=png()
        )


def test_submit_needs_the_required_documents(cast: Cast) -> None:
    filing = draft(cast, documents=False)
    with pytest.raises(InvalidInput) as refused:
        services.filing_submit(actor=cast.dave, filing=filing)
    assert "documents" in refused.value.errors
    assert EntityFiling.objects.get(pk=filing.pk).state == S.DRAFT


def test_resubmission_after_a_supplement(cast: Cast) -> None:
    filing = in_state(cast, S.NEEDS_SUPPLEMENT)
    services.filing_update(actor=cast.dave, filing=filing, data={"insured_staff": 50})
    services.filing_submit(actor=cast.dave, filing=filing)
    assert filing.state == S.SUBMITTED


@pytest.mark.parametrize(
    "move",
    [services.filing_request_supplement, services.filing_reject, services.filing_cancel],
)
def test_moves_that_need_a_reason(cast: Cast, move: Any) -> None:
    filing = in_state(cast, S.SUBMITTED)
    with pytest.raises(InvalidInput):
        move(actor=cast.alice, filing=filing, reason="  ")


def test_approval_activates_and_sets_quota_and_recheck(cast: Cast) -> None:
    filing = submitted(cast)
    services.filing_approve(actor=cast.alice, filing=filing)
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
    assert filing.active_from == TODAY
    assert filing.recheck_due_on == dt.date(2027, 3, 2)
    quota = Quota.objects.get(organization=cast.ent_a, center=cast.shanghai, year=2026)
    assert quota.base == 20 and quota.basis["default"] == 20


def test_approval_of_a_failing_filing_needs_an_override_reason(cast: Cast) -> None:
    filing = submitted(cast, insured_staff=1)
    with pytest.raises(InvalidInput) as refused:
        services.filing_approve(actor=cast.alice, filing=filing)
    assert "override_reason" in refused.value.errors
    assert "Insured staff" in str(refused.value.message)
    assert EntityFiling.objects.get(pk=filing.pk).state == S.SUBMITTED
    services.filing_approve(
        actor=cast.alice, filing=filing, override_reason="staff proof for 2026 shows 12"
    )
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
    assert filing.override_reason == "staff proof for 2026 shows 12"
    assert filing.events.get(to_state=S.APPROVED).reason == "staff proof for 2026 shows 12"


def test_approval_cannot_start_in_the_past(cast: Cast) -> None:
    filing = submitted(cast)
    with pytest.raises(InvalidInput):
        services.filing_approve(
            actor=cast.alice, filing=filing, active_from=TODAY - dt.timedelta(days=1)
        )


def test_suspension_needs_a_future_end(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    with pytest.raises(InvalidInput):
        services.filing_suspend(actor=cast.alice, filing=filing, until=TODAY, reason="x")


# --- the daily jobs -------------------------------------------------------------------------


def test_the_job_activates_on_active_from(cast: Cast, frozen: Any) -> None:
    filing = in_state(cast, S.APPROVED)  # in force ten days from now
    assert services.filings_activate_due() == 0
    frozen.move_to(NOW + dt.timedelta(days=10))
    assert services.filings_activate_due() == 1
    assert services.filings_activate_due() == 0  # a second run acts on nothing
    filing.refresh_from_db()
    assert filing.state == S.ACTIVE
    assert filing.events.get(to_state=S.ACTIVE).actor is None
    with pytest.raises(Conflict):
        services.filing_activate(filing=filing)


def test_a_manager_cannot_activate_before_the_date(cast: Cast) -> None:
    filing = in_state(cast, S.APPROVED)
    with pytest.raises(Conflict):
        services.filing_activate(filing=filing, actor=cast.alice)


def test_the_job_lifts_ended_suspensions(cast: Cast, frozen: Any) -> None:
    filing = in_state(cast, S.SUSPENDED)  # until today + 30
    frozen.move_to(NOW + dt.timedelta(days=29))
    assert services.filings_lift_expired() == 0
    frozen.move_to(NOW + dt.timedelta(days=30))
    assert services.filings_lift_expired() == 1
    assert services.filings_lift_expired() == 0
    filing.refresh_from_db()
    assert (filing.state, filing.suspended_until) == (S.ACTIVE, None)


def test_the_recheck_is_claimed_once(cast: Cast, django_capture_on_commit_callbacks: Any) -> None:
    filing = in_state(cast, S.ACTIVE)
    later = dt.datetime(2027, 3, 3, 2, 0, tzinfo=NOW.tzinfo)
    with (
        time_machine.travel(later, tick=False),
        django_capture_on_commit_callbacks(execute=True),
    ):
        assert services.filings_recheck_due() == 1
        assert services.filings_recheck_due() == 0  # the second worker finds nothing
    filing.refresh_from_db()
    assert filing.recheck_due_on == dt.date(2028, 3, 2)
    assert filing.state == S.ACTIVE  # a re-check moves nothing
    assert AuditEvent.objects.filter(tag="filings:filing:rechecked").count() == 1
    assert Notification.objects.filter(tag="filings:filing:rechecked", recipient=cast.dave).exists()
    assert Notification.objects.filter(
        tag="filings:filing:rechecked", recipient=cast.alice
    ).exists()


def test_a_claim_lost_to_another_worker_does_nothing(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    due = filing.recheck_due_on
    assert due is not None
    # Another worker claimed it between our read and our UPDATE: the due date moved on.
    EntityFiling.objects.filter(pk=filing.pk).update(recheck_due_on=due + dt.timedelta(days=365))
    with time_machine.travel(dt.datetime(2027, 3, 3, 2, 0, tzinfo=NOW.tzinfo), tick=False):
        assert services.filings_recheck_due() == 0
    assert not AuditEvent.objects.filter(tag="filings:filing:rechecked").exists()


def test_the_recheck_stores_failed_rules_without_moving(cast: Cast) -> None:
    filing = in_state(cast, S.ACTIVE)
    services.finding_record(
        actor=cast.alice,
        organization=cast.ent_a,
        center=cast.shanghai,
        kind="wilful_infringement",
        found_on=TODAY,
        source="court judgment",
    )
    with time_machine.travel(dt.datetime(2027, 3, 3, 2, 0, tzinfo=NOW.tzinfo), tick=False):
        services.filings_recheck_due()
    filing.refresh_from_db()
    failed = [r["rule"] for r in filing.eligibility if not r["passed"]]
    assert failed == ["clean_record"]
    assert filing.state == S.ACTIVE


def test_findings_only_against_entities_of_the_center(cast: Cast) -> None:
    with pytest.raises(InvalidInput):
        services.finding_record(
            actor=cast.alice,
            organization=cast.ent_b,
            center=cast.shanghai,
            kind="credit_loss",
            found_on=TODAY,
            source="x",
        )
    draft(cast, documents=False)
    with pytest.raises(InvalidInput):
        services.finding_record(
            actor=cast.alice,
            organization=cast.ent_a,
            center=cast.shanghai,
            kind="credit_loss",
            found_on=TODAY + dt.timedelta(days=1),
            source="x",
        )
