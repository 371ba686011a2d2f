"""Calendar months, the unit KPI values are kept in: a month is the date of its first day.

Plain date arithmetic, no database and no request; the goal periods (year, quarter, month) are
built from these too.
"""
from datetime import date, timedelta


def month_start(day: date) -> date:
    return date(day.year, day.month, 1)


def add_months(day: date, n: int) -> date:
    """The first day of the month `n` months after (or, negative, before) `day`'s month."""
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def previous_month(day: date) -> date:
    """The first day of the month before `day`'s: the latest complete month on `day`."""
    return add_months(day, -1)


def month_end(day: date) -> date:
    """The last day of `day`'s month."""
    return add_months(day, 1) - timedelta(days=1)


def months_between(start: date, end: date) -> list[date]:
    """First days of the months from start's month to end's month, both included."""
    months, current = [], month_start(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


def last_months(today: date, count: int) -> list[date]:
    """First days of the `count` months ending with today's month, oldest first."""
    return months_between(add_months(today, 1 - count), today)


def quarter_bounds(day: date) -> tuple[date, date]:
    """The first and last day of the calendar quarter containing `day`."""
    start = date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    return start, month_end(add_months(start, 2))


def year_bounds(day: date) -> tuple[date, date]:
    return date(day.year, 1, 1), date(day.year, 12, 31)
