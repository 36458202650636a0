"""Working-day calendar (Chinese public holidays and make-up workdays)."""

from ipcenter.calendar.workdays import (
    CALENDAR_YEARS,
    SUPPORTED_YEARS,
    CalendarRangeError,
    add_workdays,
    due_date,
    is_provisional,
    is_workday,
    next_workday,
    previous_workday,
    workdays_between,
)

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
