"""The attainment and status rules, unit by unit."""
from datetime import date

import pytest

from app.goals.rules import (
    AT_RISK,
    MAX_ATTAINMENT,
    OFF_TRACK,
    ON_TRACK,
    attainment,
    progress,
    status,
)


@pytest.mark.parametrize("target, actual, baseline, expected", [
    (90, 90, None, 1.0),
    (90, 81, None, 0.9),
    (100, 120, None, 1.2),
    (90, 85, 80, 0.5),  # half way from the baseline to the target
    (90, 78, 80, -0.2),  # worse than the baseline
    (90, 95, 95, 95 / 90),  # baseline already beyond the target: plain ratio
    (0, 3, None, 1.0),  # a zero target is met by anything not below it
    (0, -1, None, 0.0),
])
def test_higher_is_better(target, actual, baseline, expected):
    assert attainment("higher", target, actual, baseline) == pytest.approx(expected)


@pytest.mark.parametrize("target, actual, baseline, expected", [
    (2.0, 2.0, None, 1.0),
    (2.0, 1.0, None, 2.0),  # beating the target by half is proportional: 200 %
    (2.0, 4.0, None, 0.5),
    (3.0, 4.0, 5.0, 0.5),  # from 5 % down to 4 % of a planned 3 %
    (3.0, 2.0, 5.0, 1.5),
    (3.0, 6.0, 5.0, -0.5),
    (0.0, 0.0, None, 1.0),  # zero complaints wanted, zero had
    (0.0, 2.0, None, 0.0),
    (0.0, 1.0, 4.0, 0.75),  # zero target with a baseline: proportional to the gap closed
    (2.0, 0.0, None, MAX_ATTAINMENT),  # nothing at all against a positive target: capped
])
def test_lower_is_better(target, actual, baseline, expected):
    assert attainment("lower", target, actual, baseline) == pytest.approx(expected)


@pytest.mark.parametrize("actual, expected", [(85, 1.0), (80, 1.0), (95, 1.0), (77, 0.8), (98, 0.8), (50, 0.0)])
def test_band_is_the_distance_from_the_band(actual, expected):
    assert attainment("band", None, actual, band=(80, 95)) == pytest.approx(expected)


def test_attainment_is_kept_within_bounds():
    assert attainment("higher", 96, 91, baseline=95.8) == -1.0  # would be -2400 %
    assert attainment("higher", 10, 900) == 5.0


def test_nothing_to_say_without_an_actual_or_target():
    assert attainment("higher", 90, None) is None
    assert attainment("higher", None, 50) is None
    assert attainment("band", None, 50) is None


def test_status_thresholds():
    assert status(None) is None
    assert status(1.0) == ON_TRACK and status(1.3) == ON_TRACK
    assert status(0.95) == AT_RISK and status(0.9) == AT_RISK
    assert status(0.89) == OFF_TRACK and status(-1) == OFF_TRACK


Q1 = dict(period_start=date(2027, 1, 1), period_end=date(2027, 3, 31))


def test_period_not_yet_started():
    result = progress(direction="higher", summed=False, target=90, baseline=None, band=None,
                      values={}, today=date(2026, 12, 20), **Q1)
    assert not result.started and result.status is None and result.attainment is None
    assert result.months_in_period == 3


def test_mean_kpi_with_a_missing_month():
    values = {date(2027, 1, 1): 88.0, date(2027, 3, 1): 92.0}  # February never reported
    result = progress(direction="higher", summed=False, target=90, baseline=None, band=None,
                      values=values, today=date(2027, 3, 20), **Q1)
    assert result.actual == pytest.approx(90.0)
    assert result.missing_months == (date(2027, 2, 1),)
    assert result.months_with_data == 2 and result.status == ON_TRACK


def test_summed_kpi_compares_with_the_target_pro_rata():
    values = {date(2027, 1, 1): 400.0, date(2027, 2, 1): 380.0}
    result = progress(direction="higher", summed=True, target=1200, baseline=None, band=None,
                      values=values, today=date(2027, 2, 15), **Q1)
    assert result.actual == 780 and result.target_to_date == pytest.approx(800)
    assert result.attainment == pytest.approx(0.975) and result.status == AT_RISK


def test_lower_is_better_goal_off_track():
    values = {date(2027, 1, 1): 3.0, date(2027, 2, 1): 3.4}
    result = progress(direction="lower", summed=False, target=2.0, baseline=4.0, band=None,
                      values=values, today=date(2027, 2, 10), **Q1)
    assert result.actual == pytest.approx(3.2)
    assert result.attainment == pytest.approx(0.4) and result.status == OFF_TRACK


def test_started_without_any_data_yet():
    result = progress(direction="higher", summed=False, target=90, baseline=None, band=None,
                      values={}, today=date(2027, 1, 10), **Q1)
    assert result.started and result.status is None and result.missing_months == ()
    later = progress(direction="higher", summed=False, target=90, baseline=None, band=None,
                     values={}, today=date(2027, 2, 10), **Q1)
    assert later.missing_months == (date(2027, 1, 1),)  # January is over and never reported
