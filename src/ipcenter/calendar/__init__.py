"""Working-day calendar (Chinese public holidays and make-up workdays)."""

from ipcenter.calendar.workdays import (
    SUPPORTED_YEARS,
    CalendarRangeError,
    add_workdays,
    due_date,
    is_workday,
    next_workday,
    previous_workday,
    workdays_between,
)

__all__ = [
    "SUPPORTED_YEARS",
    "CalendarRangeError",
    "add_workdays",
    "due_date",
    "is_workday",
    "next_workday",
    "previous_workday",
    "workdays_between",
]
