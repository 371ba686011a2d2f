"""Month arithmetic (app/months.py), the one copy every feature uses."""
from datetime import date

import pytest

from app.months import (
    add_months,
    last_months,
    month_end,
    month_start,
    months_between,
    previous_month,
    quarter_bounds,
    year_bounds,
)


def test_month_start():
    assert month_start(date(2026, 7, 31)) == date(2026, 7, 1)
    assert month_start(date(2026, 7, 1)) == date(2026, 7, 1)


@pytest.mark.parametrize("day, n, expected", [
    (date(2026, 7, 1), 0, date(2026, 7, 1)),
    (date(2026, 7, 15), 1, date(2026, 8, 1)),  # any day of the month: the result is a month's first day
    (date(2026, 12, 31), 1, date(2027, 1, 1)),
    (date(2026, 1, 1), -1, date(2025, 12, 1)),
    (date(2026, 3, 31), -14, date(2025, 1, 1)),
    (date(2026, 11, 1), 26, date(2029, 1, 1)),
])
def test_add_months_crosses_years_both_ways(day, n, expected):
    assert add_months(day, n) == expected


def test_previous_month_is_the_latest_complete_one():
    assert previous_month(date(2026, 1, 15)) == date(2025, 12, 1)
    assert previous_month(date(2026, 3, 1)) == date(2026, 2, 1)


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 10), date(2026, 1, 31)),
    (date(2024, 2, 1), date(2024, 2, 29)),  # leap year
    (date(2026, 2, 28), date(2026, 2, 28)),
    (date(2026, 4, 30), date(2026, 4, 30)),
    (date(2026, 12, 1), date(2026, 12, 31)),
])
def test_month_end(day, expected):
    assert month_end(day) == expected


def test_months_between_crosses_the_year():
    assert months_between(date(2026, 11, 15), date(2027, 2, 1)) == [
        date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1), date(2027, 2, 1)]
    assert months_between(date(2026, 5, 31), date(2026, 5, 1)) == [date(2026, 5, 1)]
    assert months_between(date(2026, 6, 1), date(2026, 5, 31)) == []


def test_last_months_ends_with_this_month():
    assert last_months(date(2026, 2, 14), 4) == [date(2025, 11, 1), date(2025, 12, 1), date(2026, 1, 1),
                                                 date(2026, 2, 1)]
    assert last_months(date(2026, 2, 14), 1) == [date(2026, 2, 1)]
    assert len(last_months(date(2026, 2, 14), 24)) == 24


@pytest.mark.parametrize("day, expected", [
    (date(2026, 1, 1), (date(2026, 1, 1), date(2026, 3, 31))),
    (date(2026, 5, 17), (date(2026, 4, 1), date(2026, 6, 30))),
    (date(2026, 9, 30), (date(2026, 7, 1), date(2026, 9, 30))),
    (date(2026, 12, 31), (date(2026, 10, 1), date(2026, 12, 31))),
])
def test_quarter_bounds(day, expected):
    assert quarter_bounds(day) == expected


def test_year_bounds():
    assert year_bounds(date(2026, 5, 17)) == (date(2026, 1, 1), date(2026, 12, 31))
