from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Query, Router, Schema

from ipcenter.accounts.access import require
from ipcenter.accounts.roles import Perm
from ipcenter.calendar import (
    CalendarRangeError,
    add_workdays,
    is_provisional,
    is_workday,
    workdays_between,
)
from ipcenter.lib.errors import InvalidInput

router = Router(tags=["calendar"])


class AddIn(Schema):
    start: dt.date
    days: int


class BetweenIn(Schema):
    start: dt.date
    end: dt.date


class AddOut(Schema):
    start: dt.date
    days: int
    due: dt.date
    start_is_workday: bool
    provisional: bool


class BetweenOut(Schema):
    start: dt.date
    end: dt.date
    working_days: int


@router.get("/add", response=AddOut, summary="Add working days (Chinese holidays, make-up days)")
def add(request: HttpRequest, q: Query[AddIn]) -> AddOut:
    require(request.user, Perm.CALENDAR_USE)
    try:
        due = add_workdays(q.start, q.days)
        return AddOut(
            start=q.start,
            days=q.days,
            due=due,
            start_is_workday=is_workday(q.start),
            provisional=is_provisional(due),
        )
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc)) from exc


@router.get("/between", response=BetweenOut, summary="Working days between two dates")
def between(request: HttpRequest, q: Query[BetweenIn]) -> BetweenOut:
    require(request.user, Perm.CALENDAR_USE)
    try:
        return BetweenOut(start=q.start, end=q.end, working_days=workdays_between(q.start, q.end))
    except CalendarRangeError as exc:
        raise InvalidInput(str(exc)) from exc
