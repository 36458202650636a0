"""The clocks job: reminders before a deadline, escalation to the managers after it.

`clocks_tick()` is a plain function (tests and the shell call it); the periodic Huey task below
runs it every 15 minutes. Each clock is claimed with a conditional UPDATE before anybody is told
(`reminded_at IS NULL` -> now, `escalated_at IS NULL` -> now), inside the transaction that writes
the notifications: a second worker running at the same time finds the row taken (its UPDATE
waits for the first to commit, then matches nothing) and never notifies twice.

`preexam_analyse_version` computes the IPC suggestion and prior art of a version after the
intake or the amendment that wrote it has committed (see analysis.py); `preexam_analyses_requeue`
queues again those whose worker died (analysis_jobs.py).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from ipcenter.accounts.models import User
from ipcenter.audit.services import audit_record
from ipcenter.calendar import CalendarRangeError, add_workdays
from ipcenter.centers.catalog import SPECS
from ipcenter.centers.models import Center
from ipcenter.centers.selectors import center_setting
from ipcenter.filings.selectors import center_managers
from ipcenter.notifications.services import notify
from ipcenter.preexam.analysis_jobs import analysis_job_run, analysis_jobs_sweep
from ipcenter.preexam.models import CaseEvent, Clock, ClockKind
from ipcenter.preexam.selectors import case_applicant_side
from ipcenter.preexam.tracking import case_url

# Clocks that run against the applicant side; the decision clock runs against the center.
APPLICANT_CLOCKS = frozenset({ClockKind.AMENDMENT, ClockKind.CNIPA_FILING, ClockKind.OFFICE_ACTION})


@dataclass
class TickReport:
    reminded: list[int] = field(default_factory=list)  # clock ids
    escalated: list[int] = field(default_factory=list)
    notified: int = 0  # notifications written


# --- who is told ----------------------------------------------------------------------------------


def responsible(clock: Clock) -> list[User]:
    """Who must act before the clock runs out."""
    case = clock.case
    if clock.kind in APPLICANT_CLOCKS:
        return case_applicant_side(case)
    if case.examiner is not None and case.examiner.is_active:
        return [case.examiner]
    return center_managers(case.center)


# --- candidates and claims ------------------------------------------------------------------------


def _running() -> Any:
    return Clock.objects.filter(stopped_at__isnull=True).select_related(
        "case", "case__examiner", "case__center", "case__organization"
    )


def reminder_candidates(today: dt.date) -> list[Clock]:
    """Running clocks, not yet reminded, due today or within the center's reminder window."""
    widest = add_workdays(today, SPECS["reminder_days_before"].maximum)
    rows = list(
        _running()
        .filter(reminded_at__isnull=True, due_on__gte=today, due_on__lte=widest)
        .order_by("due_on", "id")
    )
    horizons: dict[int, dt.date] = {}
    chosen = []
    for clock in rows:
        center: Center = clock.case.center
        if center.pk not in horizons:
            days = center_setting(center=center, key="reminder_days_before", on=today)
            horizons[center.pk] = add_workdays(today, days)
        if clock.due_on <= horizons[center.pk]:
            chosen.append(clock)
    return chosen


def escalation_candidates(today: dt.date) -> list[Clock]:
    """Running clocks past their due date that the managers have not been told of."""
    return list(
        _running().filter(escalated_at__isnull=True, due_on__lt=today).order_by("due_on", "id")
    )


def claim_reminder(clock_id: int) -> bool:
    now = timezone.now()
    claimed = Clock.objects.filter(
        pk=clock_id, reminded_at__isnull=True, stopped_at__isnull=True
    ).update(reminded_at=now)
    return claimed == 1


def claim_escalation(clock_id: int) -> bool:
    now = timezone.now()
    claimed = Clock.objects.filter(
        pk=clock_id, escalated_at__isnull=True, stopped_at__isnull=True
    ).update(escalated_at=now)
    return claimed == 1


# --- the messages -------------------------------------------------------------------------------


# action -> (subject, body); they are translated under each recipient's language (see notify).
_MESSAGES: dict[str, tuple[str, str]] = {
    "reminded": (
        gettext_noop("Due %(date)s: %(kind)s for %(reference)s"),
        gettext_noop(
            "The deadline “%(kind)s” of case %(reference)s (%(title)s) falls on %(date)s."
        ),
    ),
    "escalated": (
        gettext_noop("Overdue since %(date)s: %(kind)s for %(reference)s"),
        gettext_noop(
            "The deadline “%(kind)s” of case %(reference)s (%(title)s) passed on %(date)s "
            "and the clock is still running."
        ),
    ),
}


def _tell(clock: Clock, action: str, recipients: list[User]) -> int:
    """Notify `recipients` that the clock was "reminded" or "escalated", and record it."""
    case = clock.case
    subject, body = _MESSAGES[action]

    def params() -> dict[str, str]:
        return {
            "date": clock.due_on.isoformat(),
            "kind": str(ClockKind(clock.kind).label),
            "reference": case.reference,
            "title": case.title,
        }

    url = case_url(case)
    for user in recipients:
        notify(
            recipient=user,
            tag=f"preexam:clock:{action}",
            subject=lambda: _(subject) % params(),
            body=lambda: _(body) % params(),
            url=url,
            due_on=clock.due_on,
        )
    _record(clock, action, recipients)
    return len(recipients)


def _record(clock: Clock, action: str, recipients: list[User]) -> None:
    case = clock.case
    data = {
        "clock": clock.pk,
        "kind": clock.kind,
        "due_on": clock.due_on.isoformat(),
        "notified": [u.pk for u in recipients],
    }
    CaseEvent.objects.create(case=case, action=f"clock:{action}", data=data)
    audit_record(
        actor=None,
        tag=f"preexam:clock:{action}",
        subject=case,
        new=data,
        organization=case.organization,
        center=case.center,
    )


# --- the tick -----------------------------------------------------------------------------------


def clocks_tick(*, today: dt.date | None = None) -> TickReport:
    """Remind before and escalate after every running clock's deadline, each exactly once."""
    today = today or timezone.localdate()
    report = TickReport()
    try:
        reminders = reminder_candidates(today)
    except CalendarRangeError:  # the calendar has run out: escalations still go out
        reminders = []
    for clock in reminders:
        with transaction.atomic():
            if not claim_reminder(clock.pk):
                continue  # another worker took it
            report.notified += _tell(clock, "reminded", responsible(clock))
            report.reminded.append(clock.pk)
    for clock in escalation_candidates(today):
        with transaction.atomic():
            if not claim_escalation(clock.pk):
                continue
            report.notified += _tell(clock, "escalated", center_managers(clock.case.center))
            report.escalated.append(clock.pk)
    return report


@db_periodic_task(crontab(minute="*/15"))
def preexam_clocks_tick() -> dict[str, int]:
    report = clocks_tick()
    return {"reminded": len(report.reminded), "escalated": len(report.escalated)}


@db_task()
def preexam_analyse_version(version_id: int) -> str:
    """IPC suggestion and prior art of a version just submitted or amended (once: a person's
    refresh calls the service directly; see analysis_jobs.py)."""
    return analysis_job_run(version_id=version_id)


@db_periodic_task(crontab(minute="*"))
def preexam_analyses_requeue() -> int:
    """Every minute: queue again the analyses whose worker stopped beating (it died)."""
    return analysis_jobs_sweep()
