"""Chinese working-day arithmetic for statutory and internal deadlines.

Public holidays and make-up workdays (调休) come from ``chinese_calendar``, which
only knows the years the State Council has already published. Everything here is
plain Python so it can be used from models, tasks and scripts alike.
"""

import functools
from bisect import bisect_left, bisect_right
from datetime import date, datetime

import chinese_calendar
from chinese_calendar import constants as _cc_constants

__all__ = [
    "CALENDAR_YEARS",
    "SUPPORTED_YEARS",
    "CalendarRangeError",
    "add_workdays",
    "due_date",
    "is_provisional",
    "is_workday",
    "next_workday",
    "previous_workday",
    "workdays_between",
]

# Derived from the library's own data (the same keys it validates against), so a
# ``pip install -U chinese_calendar`` that adds a year extends our range automatically.
SUPPORTED_YEARS: range = range(
    min(day.year for day in _cc_constants.holidays),
    max(day.year for day in _cc_constants.holidays) + 1,
)

# The State Council publishes a year's schedule only weeks before it starts, but deadlines run
# into it before then. For the next two years we count provisionally: Monday to Friday, less the
# holidays fixed by the solar calendar. `is_provisional` tells callers so they can say so; a
# library upgrade with the published schedule replaces the provisional rule.
PROVISIONAL_YEARS: range = range(SUPPORTED_YEARS.stop, SUPPORTED_YEARS.stop + 2)
CALENDAR_YEARS: range = range(SUPPORTED_YEARS.start, PROVISIONAL_YEARS.stop)
_FIXED_HOLIDAYS = {(1, 1), (5, 1), (5, 2), (10, 1), (10, 2), (10, 3)}

_FIRST_ORDINAL = date(CALENDAR_YEARS.start, 1, 1).toordinal()
_LAST_ORDINAL = date(CALENDAR_YEARS.stop - 1, 12, 31).toordinal()


class CalendarRangeError(ValueError):
    """A date (or a computed result) lies outside the years with holiday data."""


def _range_label() -> str:
    return f"{CALENDAR_YEARS.start}-{CALENDAR_YEARS.stop - 1}"


def _as_date(day: date | datetime) -> date:
    # datetime is a subclass of date: without this, arithmetic would silently return
    # datetimes and comparisons between date and datetime raise TypeError.
    if isinstance(day, datetime):
        return day.date()
    if isinstance(day, date):
        return day
    raise TypeError(f"expected a date or datetime, got {type(day).__name__}")


def _check_supported(day: date) -> None:
    if day.year not in CALENDAR_YEARS:
        raise CalendarRangeError(
            f"{day.isoformat()} is outside the years with Chinese holiday data "
            f"({_range_label()}); upgrade chinese_calendar once the State Council "
            f"publishes the schedule for {day.year}"
        )


def is_provisional(day: date) -> bool:
    """True when ``day`` lies in a year whose holiday schedule is not published yet."""
    return _as_date(day).year in PROVISIONAL_YEARS


def _provisional_workday(day: date) -> bool:
    return day.weekday() < 5 and (day.month, day.day) not in _FIXED_HOLIDAYS


def _library_or_provisional(day: date) -> bool:
    if day.year in PROVISIONAL_YEARS:
        return _provisional_workday(day)
    return bool(chinese_calendar.is_workday(day))


@functools.cache
def _workday_ordinals() -> tuple[int, ...]:
    # Built once per process (~0.2 s for ~20 years) from the library's is_workday, so
    # the library stays the single source of truth while every later query is a bisect.
    return tuple(
        ordinal
        for ordinal in range(_FIRST_ORDINAL, _LAST_ORDINAL + 1)
        if _library_or_provisional(date.fromordinal(ordinal))
    )


def is_workday(day: date) -> bool:
    """Return True if ``day`` is a working day in mainland China (调休 included)."""
    day = _as_date(day)
    _check_supported(day)
    try:
        return _library_or_provisional(day)
    except NotImplementedError as exc:  # defensive: the library's range check differs
        raise CalendarRangeError(str(exc)) from exc


def add_workdays(start: date, days: int) -> date:
    """Return the date ``days`` working days after ``start`` (before, if negative).

    ``start`` itself never counts. ``days=0`` returns ``start`` if it is a working
    day, otherwise the next working day.
    """
    start = _as_date(start)
    _check_supported(start)
    ordinals = _workday_ordinals()
    ordinal = start.toordinal()
    if days > 0:
        # bisect_right = index of the first working day strictly after start.
        index = bisect_right(ordinals, ordinal) + days - 1
    elif days == 0:
        # bisect_left = index of start if it is a working day, else of the next one.
        index = bisect_left(ordinals, ordinal)
    else:
        # bisect_left also counts the working days strictly before start.
        index = bisect_left(ordinals, ordinal) + days
    if not 0 <= index < len(ordinals):
        direction = "after" if days >= 0 else "before"
        raise CalendarRangeError(
            f"{abs(days)} working day(s) {direction} {start.isoformat()} falls outside "
            f"the years with Chinese holiday data ({_range_label()})"
        )
    return date.fromordinal(ordinals[index])


def workdays_between(start: date, end: date) -> int:
    """Count working days in ``(start, end]``; negative (``[end, start)``) if end < start.

    Inverse of :func:`add_workdays`: ``add_workdays(start, workdays_between(start, end))
    == end`` whenever ``end`` is a working day.
    """
    start = _as_date(start)
    end = _as_date(end)
    _check_supported(start)
    _check_supported(end)
    ordinals = _workday_ordinals()
    if end >= start:
        return bisect_right(ordinals, end.toordinal()) - bisect_right(ordinals, start.toordinal())
    # Mirror image of the forward case, so negative add_workdays round-trips too.
    return bisect_left(ordinals, end.toordinal()) - bisect_left(ordinals, start.toordinal())


def due_date(start: date | datetime, days: int) -> date:
    """Deadline ``days`` working days after ``start``; a datetime counts as its date."""
    return add_workdays(_as_date(start), days)


def next_workday(day: date) -> date:
    """First working day strictly after ``day``."""
    return add_workdays(day, 1)


def previous_workday(day: date) -> date:
    """Last working day strictly before ``day``."""
    return add_workdays(day, -1)
