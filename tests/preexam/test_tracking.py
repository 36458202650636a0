"""After qualification: filing with CNIPA, office actions, leaving the fast track, the grant."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
import time_machine
from django.core.exceptions import PermissionDenied

from ipcenter.audit.models import AuditEvent
from ipcenter.documents.services import documents_visible_to
from ipcenter.lib.errors import Conflict, InvalidInput
from ipcenter.preexam.models import CaseEvent, CaseState, Clock, ClockKind, PatentType
from ipcenter.preexam.tracking import (
    case_attach_certificate,
    case_leave_fast_track,
    case_record_cnipa_filing,
    case_record_grant,
    cn_application_number,
    cn_check_digit,
    office_action_record,
    office_action_respond,
)
from tests.conftest import Cast
from tests.preexam.tracking_factories import cn_number, make_case, pdf_upload, qualified_case

TZ = dt.timezone(dt.timedelta(hours=8))
S = CaseState


@pytest.fixture
def frozen() -> Iterator[None]:
    with time_machine.travel(dt.datetime(2025, 11, 3, 10, 0, tzinfo=TZ), tick=False):
        yield


def _filed(cast: Cast, *, filed_on: dt.date = dt.date(2025, 9, 26), **kw: object):  # type: ignore[no-untyped-def]
    case = qualified_case(cast, qualified_on=filed_on, **kw)  # type: ignore[arg-type]
    return case_record_cnipa_filing(
        case=case, actor=cast.erin, application_number=cn_number(), filing_date=filed_on
    )


# --- the CN application number ------------------------------------------------------------------


def test_check_digit_follows_cnipas_weights() -> None:
    # 2*2+0*3+2*4+3*5+1*6+0*7+1*8+2*9+3*2+4*3+5*4+6*5 = 127; 127 mod 11 = 6
    assert cn_check_digit("202310123456") == "6"
    assert cn_application_number("202310123456.6") == "202310123456.6"
    assert cn_application_number(" CN 2023101234566 ") == "202310123456.6"
    body = next(
        f"2024100{n:05d}" for n in range(100000) if cn_check_digit(f"2024100{n:05d}") == "X"
    )
    assert cn_application_number(body + "x") == f"{body}.X"


@pytest.mark.parametrize(
    "text", ["202310123456.7", "20231012345.6", "2023101234567890", "ABC", "", "202310123456.Y"]
)
def test_bad_application_numbers_are_refused(text: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        cn_application_number(text)
    assert "application_number" in refused.value.errors


def test_the_type_digit_must_match_the_patent_type() -> None:
    design = cn_number(year=2025, patent_type=PatentType.DESIGN)
    assert cn_application_number(design, patent_type=PatentType.DESIGN) == design
    with pytest.raises(InvalidInput):
        cn_application_number(design, patent_type=PatentType.INVENTION)


# --- qualified -> filed -------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["erin", "dave", "grace", "alice"])
def test_the_applicant_side_or_a_manager_records_the_filing(
    cast: Cast, frozen: None, who: str
) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    number = cn_number()
    moved = case_record_cnipa_filing(
        case=case,
        actor=getattr(cast, who),
        application_number=number.replace(".", ""),
        filing_date=dt.date(2025, 10, 30),
    )
    assert moved.state == S.FILED
    case.refresh_from_db()
    assert (case.state, case.cnipa_application_number, case.fast_track) == (S.FILED, number, True)
    assert case.cnipa_filing_date == dt.date(2025, 10, 30)
    clock = Clock.objects.get(case=case, kind=ClockKind.CNIPA_FILING)
    assert clock.stopped_at is not None
    event = CaseEvent.objects.get(case=case, action="state:filed")
    assert event.data == {"due_on": "2025-11-10", "late": False}
    assert AuditEvent.objects.filter(tag="preexam:case:filed", subject_id=str(case.pk)).exists()


@pytest.mark.parametrize("who", ["bob", "carol", "frank", "gina", "ivan"])
def test_others_cannot_record_the_filing(cast: Cast, frozen: None, who: str) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    with pytest.raises(PermissionDenied):
        case_record_cnipa_filing(
            case=case,
            actor=getattr(cast, who),
            application_number=cn_number(),
            filing_date=dt.date(2025, 10, 30),
        )
    case.refresh_from_db()
    assert case.state == S.QUALIFIED


@pytest.mark.parametrize("state", [S.SUBMITTED, S.ACCEPTED, S.UNQUALIFIED, S.FILED, S.GRANTED])
def test_only_a_qualified_case_is_filed(cast: Cast, frozen: None, state: str) -> None:
    case = make_case(
        center=cast.shanghai, organization=cast.ent_a, submitted_by=cast.erin, state=state
    )
    with pytest.raises(Conflict):
        case_record_cnipa_filing(
            case=case,
            actor=cast.erin,
            application_number=cn_number(),
            filing_date=dt.date(2025, 10, 30),
        )


def test_the_filing_date_is_checked(cast: Cast, frozen: None) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    for day in (dt.date(2025, 10, 24), dt.date(2025, 11, 4)):  # before qualifying; tomorrow
        with pytest.raises(InvalidInput) as refused:
            case_record_cnipa_filing(
                case=case, actor=cast.erin, application_number=cn_number(), filing_date=day
            )
        assert "filing_date" in refused.value.errors
    case.refresh_from_db()
    assert case.state == S.QUALIFIED


def test_an_application_number_belongs_to_one_case(cast: Cast, frozen: None) -> None:
    number = cn_number()
    first = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    second = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    case_record_cnipa_filing(
        case=first, actor=cast.erin, application_number=number, filing_date=dt.date(2025, 10, 28)
    )
    with pytest.raises(Conflict):
        case_record_cnipa_filing(
            case=second,
            actor=cast.erin,
            application_number=number,
            filing_date=dt.date(2025, 10, 28),
        )


def test_a_late_filing_across_national_day_is_recorded_and_flagged(
    cast: Cast, frozen: None
) -> None:
    # Qualified Thu 25 Sep 2025: ten working days count Sun 28 Sep (make-up), skip 1-8 Oct, count
    # Sat 11 Oct (make-up): due Wed 15 Oct.
    case = qualified_case(cast, qualified_on=dt.date(2025, 9, 25))
    assert Clock.objects.get(case=case).due_on == dt.date(2025, 10, 15)
    case_record_cnipa_filing(
        case=case,
        actor=cast.erin,
        application_number=cn_number(),
        filing_date=dt.date(2025, 10, 16),
    )
    case.refresh_from_db()
    assert case.state == S.FILED
    assert CaseEvent.objects.get(case=case, action="state:filed").data == {
        "due_on": "2025-10-15",
        "late": True,
    }


# --- office actions -----------------------------------------------------------------------------


def test_an_office_action_across_spring_festival(cast: Cast) -> None:
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0, tzinfo=TZ), tick=False):
        case = _filed(cast, filed_on=dt.date(2026, 2, 2))
        # Received Thu 12 Feb 2026: Fri 13, Sat 14 (make-up), 15-23 Feb off, then 24-27 Feb,
        # Sat 28 Feb (make-up), 2-4 Mar: ten working days end on Wed 4 Mar.
        action = office_action_record(
            case=case, actor=cast.grace, received_on=dt.date(2026, 2, 12), note="OA 1"
        )
        assert action.response_due_on == dt.date(2026, 3, 4)
        clock = Clock.objects.get(office_action=action)
        assert (clock.kind, clock.due_on, clock.stopped_at) == (
            ClockKind.OFFICE_ACTION,
            dt.date(2026, 3, 4),
            None,
        )
        assert CaseEvent.objects.filter(case=case, action="office_action:recorded").count() == 1
        assert AuditEvent.objects.filter(tag="preexam:office_action:recorded").count() == 1

        answered = office_action_respond(
            office_action=action, actor=cast.erin, responded_on=dt.date(2026, 3, 3)
        )
        assert answered.responded_on == dt.date(2026, 3, 3)
        clock.refresh_from_db()
        assert clock.stopped_at is not None
        assert AuditEvent.objects.filter(tag="preexam:office_action:answered").count() == 1
        with pytest.raises(Conflict):
            office_action_respond(
                office_action=action, actor=cast.erin, responded_on=dt.date(2026, 3, 3)
            )


def test_office_actions_only_while_filed(cast: Cast, frozen: None) -> None:
    case = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    with pytest.raises(Conflict):
        office_action_record(case=case, actor=cast.erin, received_on=dt.date(2025, 10, 28))
    filed = _filed(cast)
    with pytest.raises(PermissionDenied):
        office_action_record(case=filed, actor=cast.bob, received_on=dt.date(2025, 10, 28))
    with pytest.raises(InvalidInput):  # before the filing
        office_action_record(case=filed, actor=cast.erin, received_on=dt.date(2025, 9, 1))
    action = office_action_record(case=filed, actor=cast.erin, received_on=dt.date(2025, 10, 28))
    with pytest.raises(InvalidInput):  # answered before it arrived
        office_action_respond(
            office_action=action, actor=cast.erin, responded_on=dt.date(2025, 10, 27)
        )
    with pytest.raises(PermissionDenied):
        office_action_respond(
            office_action=action, actor=cast.frank, responded_on=dt.date(2025, 10, 29)
        )


# --- leaving the fast track ---------------------------------------------------------------------


def test_a_voluntary_amendment_takes_the_case_off_the_fast_track(cast: Cast, frozen: None) -> None:
    case = _filed(cast)
    office_action_record(case=case, actor=cast.erin, received_on=dt.date(2025, 10, 28))
    moved = case_leave_fast_track(
        case=case, actor=cast.dave, reason="Claims amended voluntarily", kind="voluntary_amendment"
    )
    assert moved.state == S.OFF_TRACK
    case.refresh_from_db()
    assert (case.fast_track, case.off_track_reason) == (False, "Claims amended voluntarily")
    assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()
    assert CaseEvent.objects.get(case=case, action="state:off_track").data == {
        "kind": "voluntary_amendment"
    }


def test_leaving_the_fast_track_is_checked(cast: Cast, frozen: None) -> None:
    qualified = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    with pytest.raises(Conflict):
        case_leave_fast_track(
            case=qualified, actor=cast.erin, reason="x", kind="bibliographic_change"
        )
    filed = _filed(cast)
    with pytest.raises(InvalidInput):
        case_leave_fast_track(case=filed, actor=cast.erin, reason="x", kind="whim")
    with pytest.raises(InvalidInput):
        case_leave_fast_track(case=filed, actor=cast.erin, reason="  ", kind="voluntary_amendment")
    with pytest.raises(PermissionDenied):
        case_leave_fast_track(case=filed, actor=cast.carol, reason="x", kind="voluntary_amendment")
    case_leave_fast_track(case=filed, actor=cast.alice, reason="x", kind="bibliographic_change")
    with pytest.raises(Conflict):  # off_track -> off_track
        case_leave_fast_track(case=filed, actor=cast.alice, reason="x", kind="voluntary_amendment")


# --- the grant ----------------------------------------------------------------------------------


def test_grant_time_counts_working_days_across_national_day(cast: Cast, frozen: None) -> None:
    case = _filed(cast, filed_on=dt.date(2025, 9, 26))
    office_action_record(case=case, actor=cast.erin, received_on=dt.date(2025, 10, 9))
    moved = case_record_grant(
        case=case,
        actor=cast.erin,
        grant_number="ZL202510000001.1",
        grant_date=dt.date(2025, 10, 16),
    )
    assert moved.state == S.GRANTED
    case.refresh_from_db()
    # (26 Sep, 16 Oct]: 28-30 Sep (28 a make-up Sunday), 9-11 Oct (11 a make-up Saturday),
    # 13-16 Oct = 10 working days, where 20 calendar days passed.
    assert case.grant_workdays == 10
    assert case.grant_number == "ZL202510000001.1"
    assert not Clock.objects.filter(case=case, stopped_at__isnull=True).exists()


def test_an_off_track_case_is_granted_too(cast: Cast, frozen: None) -> None:
    case = _filed(cast)
    case_leave_fast_track(
        case=case, actor=cast.erin, reason="new address", kind="bibliographic_change"
    )
    case_record_grant(
        case=case, actor=cast.alice, grant_number="CN116000001B", grant_date=dt.date(2025, 10, 31)
    )
    case.refresh_from_db()
    assert (case.state, case.fast_track) == (S.GRANTED, False)
    assert case.grant_workdays == 21  # 3 + 3 (9-11 Oct) + 5 + 5 + 5


def test_the_grant_is_refused_before_filing_twice_or_too_early(cast: Cast, frozen: None) -> None:
    qualified = qualified_case(cast, qualified_on=dt.date(2025, 10, 27))
    with pytest.raises(Conflict):
        case_record_grant(
            case=qualified,
            actor=cast.erin,
            grant_number="CN1160001B",
            grant_date=dt.date(2025, 11, 1),
        )
    filed = _filed(cast)
    with pytest.raises(InvalidInput):  # before the filing
        case_record_grant(
            case=filed, actor=cast.erin, grant_number="CN1160001B", grant_date=dt.date(2025, 9, 1)
        )
    with pytest.raises(InvalidInput):
        case_record_grant(
            case=filed, actor=cast.erin, grant_number="??", grant_date=dt.date(2025, 10, 31)
        )
    with pytest.raises(PermissionDenied):
        case_record_grant(
            case=filed, actor=cast.bob, grant_number="CN1160001B", grant_date=dt.date(2025, 10, 31)
        )
    case_record_grant(
        case=filed, actor=cast.erin, grant_number="CN1160001B", grant_date=dt.date(2025, 10, 31)
    )
    with pytest.raises(Conflict):
        case_record_grant(
            case=filed, actor=cast.erin, grant_number="CN1160001B", grant_date=dt.date(2025, 10, 31)
        )


@pytest.mark.parametrize(
    ("who", "owner"), [("erin", "ent_a"), ("grace", "ent_a"), ("alice", "center")]
)
def test_the_certificate_is_a_confidential_document_for_the_applicant(
    cast: Cast, frozen: None, who: str, owner: str
) -> None:
    case = _filed(cast)
    case_record_grant(
        case=case,
        actor=getattr(cast, who),
        grant_number="CN116000002B",
        grant_date=dt.date(2025, 10, 31),
        certificate=pdf_upload(),
    )
    case.refresh_from_db()
    document = case.certificate
    assert document is not None and document.confidential
    expected = {
        "ent_a": cast.ent_a,
        "agency": cast.agency,
        "center": cast.shanghai.organization,
    }[owner]
    assert document.organization == expected
    assert document.center == cast.shanghai
    for reader in (cast.erin, cast.dave, cast.grace, cast.alice):
        assert documents_visible_to(reader).filter(pk=document.pk).exists(), reader
    for outsider in (cast.frank, cast.carol, cast.gina, cast.bob, cast.sam):
        assert not documents_visible_to(outsider).filter(pk=document.pk).exists(), outsider
    assert CaseEvent.objects.filter(case=case, action="certificate:attached").count() == 1


def test_a_certificate_is_attached_later_only_to_a_granted_case(cast: Cast, frozen: None) -> None:
    case = _filed(cast)
    with pytest.raises(Conflict):
        case_attach_certificate(case=case, actor=cast.erin, certificate=pdf_upload())
    case_record_grant(
        case=case, actor=cast.erin, grant_number="CN116000003B", grant_date=dt.date(2025, 10, 31)
    )
    assert case.certificate is None
    with pytest.raises(PermissionDenied):
        case_attach_certificate(case=case, actor=cast.frank, certificate=pdf_upload())
    case_attach_certificate(case=case, actor=cast.dave, certificate=pdf_upload())
    case.refresh_from_db()
    first = case.certificate_id
    assert first is not None
    case_attach_certificate(case=case, actor=cast.dave, certificate=pdf_upload("again.pdf"))
    case.refresh_from_db()
    assert case.certificate_id != first
    audit = AuditEvent.objects.filter(tag="preexam:certificate:attached").order_by("id")
    assert [e.old for e in audit] == [None, {"certificate": str(first)}]


def test_a_certificate_that_is_not_a_document_is_refused(cast: Cast, frozen: None) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    case = _filed(cast)
    with pytest.raises(InvalidInput):
        case_record_grant(
            case=case,
            actor=cast.erin,
            grant_number="CN116000004B",
            grant_date=dt.date(2025, 10, 31),
            certificate=SimpleUploadedFile("c.pdf", b"not a pdf at all"),
        )
    case.refresh_from_db()
    assert case.state == S.FILED  # the whole move was rolled back
