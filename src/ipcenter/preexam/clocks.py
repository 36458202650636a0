"""Starting and stopping a case's working-day clocks.

Which setting sets each clock's length is data (CLOCK_SETTINGS); the length in force on the
clock's start date applies. The periodic job that reminds and escalates lives in tasks.py.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.utils import timezone

from ipcenter.calendar import add_workdays, is_provisional
from ipcenter.centers.selectors import center_setting
from ipcenter.preexam.models import Case, Clock, ClockKind, OfficeAction

CLOCK_SETTINGS: dict[str, str] = {
    ClockKind.DECISION: "preexam_decision_days",
    ClockKind.AMENDMENT: "preexam_amendment_days",
    ClockKind.CNIPA_FILING: "cnipa_filing_days",
    ClockKind.OFFICE_ACTION: "office_action_response_days",
}


def clock_due_on(*, case: Case, kind: str, start: dt.date) -> tuple[dt.date, bool]:
    """The due date of a `kind` clock starting on `start`, and whether it is provisional."""
    days = center_setting(center=case.center, key=CLOCK_SETTINGS[kind], on=start)
    due = add_workdays(start, days)
    return due, is_provisional(due)


def clock_start(
    *, case: Case, kind: str, start: dt.date, office_action: OfficeAction | None = None
) -> Clock:
    """Start a clock (inside the transaction of the move that starts it)."""
    if not connection.in_atomic_block:
        raise RuntimeError("clock_start must run inside the transaction of its move")
    if office_action is not None:
        due, provisional = (
            office_action.response_due_on,
            is_provisional(office_action.response_due_on),
        )
    else:
        due, provisional = clock_due_on(case=case, kind=kind, start=start)
    return Clock.objects.create(
        case=case,
        kind=kind,
        office_action=office_action,
        started_on=start,
        due_on=due,
        provisional=provisional,
    )


def clock_stop(*, case: Case, kind: str | None = None) -> int:
    """Stop the case's running clocks (of one kind, or all). Returns how many stopped."""
    running = Clock.objects.filter(case=case, stopped_at__isnull=True)
    if kind is not None:
        running = running.filter(kind=kind)
    return running.update(stopped_at=timezone.now())


def running_clock(*, case: Case, kind: str | None = None) -> Clock | None:
    running = Clock.objects.filter(case=case, stopped_at__isnull=True)
    if kind is not None:
        running = running.filter(kind=kind)
    return running.order_by("due_on").first()
