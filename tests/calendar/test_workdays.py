"""Working-day arithmetic against real 2024-2026 Chinese holiday schedules.

Expected dates are written out literally; they were checked against chinese_calendar
1.11.0 (State Council notices) before being asserted here.
"""

from datetime import date, datetime, timedelta

import chinese_calendar
import pytest

from ipcenter.calendar import (
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
from ipcenter.calendar import workdays as workdays_module

ALL_DAYS_2024_2026 = [date(2024, 1, 1) + timedelta(n) for n in range(366 + 365 + 365)]


# --- is_workday ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "expected"),
    [
        # National Day + Mid-autumn 2025: Oct 1-8 off, Sun Sep 28 and Sat Oct 11 worked.
        (date(2025, 9, 27), False),
        (date(2025, 9, 28), True),
        (date(2025, 10, 1), False),
        (date(2025, 10, 8), False),
        (date(2025, 10, 9), True),
        (date(2025, 10, 11), True),
        (date(2025, 10, 12), False),
        # Spring Festival 2026: Feb 15-23 off, Sat Feb 14 and Sat Feb 28 worked.
        (date(2026, 2, 14), True),
        (date(2026, 2, 15), False),
        (date(2026, 2, 23), False),
        (date(2026, 2, 24), True),
        (date(2026, 2, 28), True),
        (date(2026, 3, 1), False),
        # Spring Festival 2024: Feb 10-17 off, Sun Feb 4 and Sun Feb 18 worked.
        (date(2024, 2, 4), True),
        (date(2024, 2, 10), False),
        (date(2024, 2, 17), False),
        (date(2024, 2, 18), True),
        # Labour Day 2025: May 1-5 off, Sun Apr 27 worked.
        (date(2025, 4, 27), True),
        (date(2025, 5, 1), False),
        (date(2025, 5, 5), False),
        (date(2025, 5, 6), True),
        # New Year 2026: Jan 1-3 off, Sun Jan 4 worked.
        (date(2026, 1, 1), False),
        (date(2026, 1, 3), False),
        (date(2026, 1, 4), True),
        # An ordinary weekend.
        (date(2025, 11, 14), True),
        (date(2025, 11, 15), False),
        (date(2025, 11, 16), False),
    ],
)
def test_is_workday(day: date, expected: bool) -> None:
    assert is_workday(day) is expected


def test_is_workday_accepts_datetime() -> None:
    assert is_workday(datetime(2026, 1, 4, 9, 30)) is True
    assert is_workday(datetime(2026, 1, 3, 9, 30)) is False


@pytest.mark.parametrize(("year", "expected"), [(2024, 251), (2025, 248), (2026, 248)])
def test_workdays_per_year(year: int, expected: int) -> None:
    # (Dec 31 of the previous year, Dec 31] covers exactly the given year.
    assert workdays_between(date(year - 1, 12, 31), date(year, 12, 31)) == expected


# --- add_workdays ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        # National Day 2025.
        (date(2025, 9, 26), 1, date(2025, 9, 28)),  # Fri -> make-up Sunday
        (date(2025, 9, 30), 1, date(2025, 10, 9)),
        (date(2025, 9, 30), 3, date(2025, 10, 11)),  # lands on the make-up Saturday
        (date(2025, 9, 30), 4, date(2025, 10, 13)),
        (date(2025, 10, 1), 1, date(2025, 10, 9)),  # from inside the holiday
        # Spring Festival 2026.
        (date(2026, 2, 13), 1, date(2026, 2, 14)),
        (date(2026, 2, 14), 1, date(2026, 2, 24)),
        (date(2026, 2, 13), 5, date(2026, 2, 27)),
        (date(2026, 2, 13), 6, date(2026, 2, 28)),
        (date(2026, 2, 13), 7, date(2026, 3, 2)),
        # Spring Festival 2024.
        (date(2024, 2, 2), 1, date(2024, 2, 4)),
        (date(2024, 2, 9), 1, date(2024, 2, 18)),
        (date(2024, 2, 8), 3, date(2024, 2, 19)),
        # Labour Day 2025.
        (date(2025, 4, 25), 1, date(2025, 4, 27)),
        (date(2025, 4, 30), 1, date(2025, 5, 6)),
        # New Year 2026.
        (date(2025, 12, 31), 1, date(2026, 1, 4)),
        (date(2025, 12, 31), 2, date(2026, 1, 5)),
        # Ordinary weekend: Friday + 1 is Monday.
        (date(2025, 11, 14), 1, date(2025, 11, 17)),
        (date(2025, 11, 15), 1, date(2025, 11, 17)),
    ],
)
def test_add_workdays_forward(start: date, days: int, expected: date) -> None:
    assert add_workdays(start, days) == expected


@pytest.mark.parametrize(
    ("start", "expected"),
    [
        (date(2025, 10, 9), date(2025, 10, 9)),  # working day: itself
        (date(2025, 10, 11), date(2025, 10, 11)),  # make-up Saturday: itself
        (date(2025, 10, 1), date(2025, 10, 9)),  # holiday: next working day
        (date(2024, 2, 10), date(2024, 2, 18)),
        (date(2026, 3, 1), date(2026, 3, 2)),  # plain Sunday
        (date(2026, 1, 3), date(2026, 1, 4)),
    ],
)
def test_add_zero_workdays(start: date, expected: date) -> None:
    assert add_workdays(start, 0) == expected


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2025, 10, 9), -1, date(2025, 9, 30)),
        (date(2025, 10, 9), -3, date(2025, 9, 28)),  # make-up Sunday counts
        (date(2025, 10, 9), -4, date(2025, 9, 26)),
        (date(2025, 10, 13), -4, date(2025, 9, 30)),
        (date(2025, 10, 1), -1, date(2025, 9, 30)),  # from inside the holiday
        (date(2026, 3, 2), -7, date(2026, 2, 13)),
        (date(2026, 3, 1), -1, date(2026, 2, 28)),  # Sunday back to make-up Saturday
        (date(2026, 2, 24), -1, date(2026, 2, 14)),
        (date(2024, 2, 19), -3, date(2024, 2, 8)),
        (date(2025, 5, 6), -1, date(2025, 4, 30)),
        (date(2026, 1, 4), -1, date(2025, 12, 31)),
        (date(2025, 11, 17), -1, date(2025, 11, 14)),
    ],
)
def test_add_workdays_backward(start: date, days: int, expected: date) -> None:
    assert add_workdays(start, days) == expected


def test_add_workdays_keywords_and_return_type() -> None:
    result = add_workdays(start=datetime(2025, 9, 30, 23, 59), days=1)
    assert result == date(2025, 10, 9)
    assert type(result) is date


def test_next_and_previous_workday() -> None:
    assert next_workday(date(2025, 12, 31)) == date(2026, 1, 4)
    assert next_workday(date(2026, 2, 14)) == date(2026, 2, 24)
    assert next_workday(date(2025, 10, 3)) == date(2025, 10, 9)
    assert previous_workday(date(2026, 1, 4)) == date(2025, 12, 31)
    assert previous_workday(date(2024, 2, 18)) == date(2024, 2, 9)
    assert previous_workday(date(2025, 10, 12)) == date(2025, 10, 11)


# --- workdays_between -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        (date(2025, 9, 30), date(2025, 10, 13), 4),
        (date(2025, 10, 13), date(2025, 9, 30), -4),
        (date(2025, 10, 1), date(2025, 10, 8), 0),  # all holiday
        (date(2025, 10, 9), date(2025, 10, 9), 0),
        (date(2026, 2, 13), date(2026, 3, 2), 7),
        (date(2026, 3, 2), date(2026, 2, 13), -7),
        (date(2025, 4, 25), date(2025, 5, 6), 5),
        (date(2025, 12, 31), date(2026, 1, 4), 1),
        (date(2024, 2, 9), date(2024, 2, 18), 1),
    ],
)
def test_workdays_between(start: date, end: date, expected: int) -> None:
    assert workdays_between(start, end) == expected


def test_workdays_between_accepts_datetime() -> None:
    assert workdays_between(datetime(2025, 9, 30, 18, 0), datetime(2025, 10, 13, 8, 0)) == 4


def test_round_trip_every_day_2024_2026() -> None:
    for start in ALL_DAYS_2024_2026:
        for days in range(-15, 16):
            try:
                end = add_workdays(start, days)
            except CalendarRangeError:
                # Only the last days of the data can run off its end.
                assert days > 0
                assert start >= date(SUPPORTED_YEARS.stop - 1, 12, 1)
                continue
            # days=0 from a rest day moves to the next working day, which is 1 away.
            expected = days if days != 0 or is_workday(start) else 1
            assert workdays_between(start, end) == expected, (start, days, end)
        for offset in range(16):
            for end in (start + timedelta(offset), start - timedelta(offset)):
                if end.year in SUPPORTED_YEARS and is_workday(end):
                    assert add_workdays(start, workdays_between(start, end)) == end, (start, end)


def _reference_add(flags: dict[date, bool], start: date, days: int) -> date:
    # Deliberately naive day-by-day walk, independent of the bisect implementation.
    day = start
    if days == 0:
        while not flags[day]:
            day += timedelta(1)
        return day
    step = timedelta(1 if days > 0 else -1)
    remaining = abs(days)
    while remaining:
        day += step
        if flags[day]:
            remaining -= 1
    return day


def test_matches_naive_reference_2024_2026() -> None:
    first, last = date(2023, 11, 1), date(SUPPORTED_YEARS.stop - 1, 12, 31)
    flags = {
        first + timedelta(n): chinese_calendar.is_workday(first + timedelta(n))
        for n in range((last - first).days + 1)
    }
    for start in ALL_DAYS_2024_2026:
        for days in range(-15, 16):
            try:
                expected = _reference_add(flags, start, days)
            except KeyError:  # walked past the last year with holiday data: provisional
                assert is_provisional(add_workdays(start, days))
                continue
            assert add_workdays(start, days) == expected, (start, days)


# --- due_date ---------------------------------------------------------------------------


def test_due_date_with_datetime_uses_its_date() -> None:
    result = due_date(datetime(2025, 9, 30, 17, 45), 3)
    assert result == date(2025, 10, 11)
    assert type(result) is date


def test_due_date_with_date() -> None:
    assert due_date(date(2026, 2, 13), days=7) == date(2026, 3, 2)
    assert due_date(start=date(2025, 12, 31), days=1) == date(2026, 1, 4)


# --- supported range ----------------------------------------------------------------------


def test_supported_years_cover_2024_2026() -> None:
    assert isinstance(SUPPORTED_YEARS, range)
    assert SUPPORTED_YEARS.step == 1
    for year in (2024, 2025, 2026):
        assert year in SUPPORTED_YEARS


def test_supported_years_match_library_limits() -> None:
    # The library itself accepts the edges and rejects one year beyond either side.
    chinese_calendar.is_workday(date(SUPPORTED_YEARS.start, 1, 1))
    chinese_calendar.is_workday(date(SUPPORTED_YEARS.stop - 1, 12, 31))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(SUPPORTED_YEARS.stop, 1, 1))
    with pytest.raises(NotImplementedError):
        chinese_calendar.is_workday(date(SUPPORTED_YEARS.start - 1, 12, 31))


@pytest.mark.parametrize(
    "day",
    [date(CALENDAR_YEARS.stop, 1, 4), date(SUPPORTED_YEARS.start - 1, 12, 31)],
    ids=str,
)
def test_out_of_range_dates_raise(day: date) -> None:
    with pytest.raises(CalendarRangeError, match=str(day.year)):
        is_workday(day)
    with pytest.raises(CalendarRangeError, match=day.isoformat()):
        add_workdays(day, 1)
    with pytest.raises(CalendarRangeError):
        due_date(datetime.combine(day, datetime.min.time()), 1)
    with pytest.raises(CalendarRangeError):
        workdays_between(date(2025, 6, 3), day)
    with pytest.raises(CalendarRangeError):
        next_workday(day)
    with pytest.raises(CalendarRangeError):
        previous_workday(day)


def test_range_error_is_value_error() -> None:
    assert issubclass(CalendarRangeError, ValueError)


def test_result_beyond_calendar_years_raises() -> None:
    last_day = date(CALENDAR_YEARS.stop - 1, 12, 31)
    with pytest.raises(CalendarRangeError, match="outside"):
        add_workdays(last_day, 400)
    with pytest.raises(CalendarRangeError, match="outside"):
        add_workdays(date(SUPPORTED_YEARS.start, 1, 1), -1)


def test_unpublished_years_count_provisionally() -> None:
    # chinese_calendar 1.11 publishes up to 2026; 2027 is counted Monday-Friday less the
    # holidays fixed by the solar calendar, and said to be provisional.
    assert SUPPORTED_YEARS.stop == 2027
    assert not is_provisional(date(2026, 12, 31))
    assert is_provisional(date(2027, 1, 4))
    assert not is_workday(date(2027, 1, 1))  # New Year's Day, a Friday
    assert not is_workday(date(2027, 1, 2))  # Saturday
    assert is_workday(date(2027, 1, 4))  # Monday
    assert not is_workday(date(2027, 10, 1))
    assert add_workdays(date(2026, 12, 30), 2) == date(2027, 1, 4)
    assert add_workdays(date(2027, 4, 30), 1) == date(2027, 5, 3)  # Sat 1, Sun 2 May
    assert workdays_between(date(2026, 12, 31), date(2027, 1, 8)) == 5


def test_rejects_non_dates() -> None:
    with pytest.raises(TypeError):
        is_workday("2025-10-01")  # type: ignore[arg-type]


# --- performance design -------------------------------------------------------------------


def test_hot_path_does_not_call_library(monkeypatch: pytest.MonkeyPatch) -> None:
    workdays_module._workday_ordinals()  # warm the cache

    def fail(day: date) -> bool:
        raise AssertionError(f"chinese_calendar.is_workday called for {day}")

    monkeypatch.setattr(chinese_calendar, "is_workday", fail)
    assert add_workdays(date(2024, 1, 1), 500) > date(2025, 12, 31)
    assert workdays_between(date(2024, 1, 1), date(2026, 12, 31)) == 251 + 248 + 248
