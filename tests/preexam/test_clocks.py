"""The clocks job: reminders before, escalation after, each exactly once, on working days."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import transaction

from ipcenter.calendar import add_workdays
from ipcenter.centers.services import center_settings_change
from ipcenter.notifications.models import Notification
from ipcenter.preexam import tasks
from ipcenter.preexam.clocks import clock_start
from ipcenter.preexam.models import CaseEvent, CaseState, Clock, ClockKind
from ipcenter.preexam.tasks import clocks_tick
from ipcenter.preexam.tracking import case_record_cnipa_filing
from tests.conftest import Cast
from tests.preexam.tracking_factories import cn_number, make_case, qualified_case

TZ = dt.timezone(dt.timedelta(hours=8))


def at(day: dt.date) -> Any:
    return time_machine.travel(dt.datetime.combine(day, dt.time(9, 0), tzinfo=TZ), tick=False)


@pytest.fixture
def national_day_case(cast: Cast) -> Iterator[Any]:
    # Qualified on Thu 25 Sep 2025: the CNIPA filing clock counts Sun 28 Sep (make-up), skips
    # 1-8 October, counts Sat 11 Oct (make-up) and ends on Wed 15 Oct.
    with at(dt.date(2025, 9, 25)):
        case = qualified_case(cast, qualified_on=dt.date(2025, 9, 25))
    yield case


def _inbox(user: Any, tag: str) -> list[Notification]:
    return list(Notification.objects.filter(recipient=user, tag=tag))


def test_a_filing_clock_across_national_day(national_day_case: Any) -> None:
    clock = Clock.objects.get(case=national_day_case)
    assert (clock.kind, clock.started_on, clock.due_on, clock.provisional) == (
        ClockKind.CNIPA_FILING,
        dt.date(2025, 9, 25),
        dt.date(2025, 10, 15),
        False,
    )


def test_the_reminder_waits_for_the_window_in_working_days(
    cast: Cast, national_day_case: Any
) -> None:
    # Two working days before 15 Oct is Mon 13 Oct. On Sat 11 Oct (a make-up workday) the
    # window reaches only Tue 14 Oct; on Wed 8 Oct (a holiday) only Sat 11 Oct.
    for day in (dt.date(2025, 10, 8), dt.date(2025, 10, 11)):
        with at(day):
            assert clocks_tick().reminded == []
    with at(dt.date(2025, 10, 13)):
        report = clocks_tick()
    clock = Clock.objects.get(case=national_day_case)
    assert report.reminded == [clock.pk]
    assert report.escalated == []
    clock.refresh_from_db()
    assert clock.reminded_at is not None
    # The applicant side is told: enterprise A's admin and applicant, and the agency's agent.
    for person in (cast.dave, cast.erin, cast.grace):
        [note] = _inbox(person, "preexam:clock:reminded")
        assert note.due_on == dt.date(2025, 10, 15)
        assert national_day_case.reference in note.subject
    for person in (cast.frank, cast.gina, cast.alice, cast.bob, cast.carol):
        assert _inbox(person, "preexam:clock:reminded") == []
    assert report.notified == 3
    assert CaseEvent.objects.filter(case=national_day_case, action="clock:reminded").count() == 1


def test_a_tick_twice_reminds_and_escalates_once(cast: Cast, national_day_case: Any) -> None:
    with at(dt.date(2025, 10, 14)):
        assert len(clocks_tick().reminded) == 1
        assert clocks_tick().reminded == []
    with at(dt.date(2025, 10, 16)):
        first = clocks_tick()
        second = clocks_tick()
    assert len(first.escalated) == 1 and first.reminded == []
    assert second.escalated == [] and second.reminded == []
    # Escalation goes to Shanghai's manager only.
    [note] = _inbox(cast.alice, "preexam:clock:escalated")
    assert note.due_on == dt.date(2025, 10, 15)
    assert _inbox(cast.carol, "preexam:clock:escalated") == []
    assert _inbox(cast.erin, "preexam:clock:reminded") != []
    assert len(_inbox(cast.erin, "preexam:clock:reminded")) == 1


def test_a_concurrent_worker_never_notifies_twice(
    cast: Cast, national_day_case: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another worker claims and notifies between our read of the candidates and our claim."""
    real_reminders = tasks.reminder_candidates
    real_escalations = tasks.escalation_candidates
    other: dict[str, Any] = {}

    def racing(real: Any) -> Any:
        def candidates(today: dt.date) -> list[Clock]:
            stale = real(today)
            if "report" not in other:
                monkeypatch.setattr(tasks, "reminder_candidates", real_reminders)
                monkeypatch.setattr(tasks, "escalation_candidates", real_escalations)
                other["report"] = clocks_tick(today=today)  # the other worker, all the way
            return stale

        return candidates

    monkeypatch.setattr(tasks, "reminder_candidates", racing(real_reminders))
    with at(dt.date(2025, 10, 14)):
        ours = clocks_tick()
    assert len(other["report"].reminded) == 1
    assert ours.reminded == [] and ours.notified == 0
    assert len(_inbox(cast.erin, "preexam:clock:reminded")) == 1

    other.clear()
    monkeypatch.setattr(tasks, "escalation_candidates", racing(real_escalations))
    with at(dt.date(2025, 10, 16)):
        ours = clocks_tick()
    assert len(other["report"].escalated) == 1
    assert ours.escalated == []
    assert len(_inbox(cast.alice, "preexam:clock:escalated")) == 1


def test_the_claim_is_a_conditional_update(national_day_case: Any) -> None:
    clock = Clock.objects.get(case=national_day_case)
    assert tasks.claim_reminder(clock.pk) is True
    assert tasks.claim_reminder(clock.pk) is False
    assert tasks.claim_escalation(clock.pk) is True
    assert tasks.claim_escalation(clock.pk) is False


def test_a_stopped_clock_is_left_alone(cast: Cast, national_day_case: Any) -> None:
    with at(dt.date(2025, 10, 10)):
        case_record_cnipa_filing(
            case=national_day_case,
            actor=cast.erin,
            application_number=cn_number(),
            filing_date=dt.date(2025, 10, 10),
        )
    with at(dt.date(2025, 10, 20)):
        report = clocks_tick()
    assert (report.reminded, report.escalated) == ([], [])
    assert not Notification.objects.filter(tag__startswith="preexam:clock:").exists()


def test_a_decision_clock_reminds_the_examiner_or_the_managers(cast: Cast) -> None:
    start = dt.date(2026, 2, 10)  # Tue; seven working days run across Spring Festival
    with at(start):
        assigned = make_case(
            center=cast.shanghai,
            organization=cast.ent_a,
            submitted_by=cast.erin,
            state=CaseState.ACCEPTED,
            examiner=cast.bob,
        )
        unassigned = make_case(
            center=cast.shanghai,
            organization=cast.ent_a,
            submitted_by=cast.erin,
            state=CaseState.SUBMITTED,
        )
        with transaction.atomic():
            clock = clock_start(case=assigned, kind=ClockKind.DECISION, start=start)
            clock_start(case=unassigned, kind=ClockKind.DECISION, start=start)
    # 11, 12, 13, Sat 14 Feb (make-up), 15-23 Feb off, 24, 25, 26 Feb.
    assert clock.due_on == dt.date(2026, 2, 26) == add_workdays(start, 7)
    with at(dt.date(2026, 2, 24)):
        report = clocks_tick()
    assert len(report.reminded) == 2
    assert len(_inbox(cast.bob, "preexam:clock:reminded")) == 1
    assert len(_inbox(cast.alice, "preexam:clock:reminded")) == 1  # for the unassigned case
    assert _inbox(cast.erin, "preexam:clock:reminded") == []
    assert _inbox(cast.olga, "preexam:clock:reminded") == []


def test_the_reminder_window_is_the_centers_setting(cast: Cast, national_day_case: Any) -> None:
    with at(dt.date(2025, 9, 30)):
        center_settings_change(
            center=cast.shanghai,
            actor=cast.alice,
            values={"reminder_days_before": 5},
            reason="earlier reminders",
        )
    # Five working days before 15 Oct: 9 Oct (counting 9, 10, 11, 13, 14, 15 Oct).
    with at(dt.date(2025, 9, 30)):
        assert clocks_tick().reminded == []
    with at(dt.date(2025, 10, 9)):
        assert len(clocks_tick().reminded) == 1


def test_the_periodic_task_runs_the_tick(cast: Cast, national_day_case: Any) -> None:
    with at(dt.date(2025, 10, 16)):
        result = tasks.preexam_clocks_tick.call_local()
    assert result == {"reminded": 0, "escalated": 1}
