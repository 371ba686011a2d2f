"""Attainment and status: pure calculations, no database, no request.

Attainment is a ratio (1.0 = 100 %), always "more is better", whatever the KPI's direction:

  higher is better, with a baseline b:   (actual - b) / (target - b)
  higher is better, no baseline:         actual / target
  lower is better, with a baseline b:    (b - actual) / (b - target)
  lower is better, no baseline:          target / actual
  within a band [low, high]:             1.0 inside; outside, 1 - distance / (high - low), not below 0

Proportional in every case (beating a lower-is-better target by half gives 200 % without a
baseline), never all-or-nothing. A baseline is used only when it lies on the far side of the
target (otherwise there is no gap to close and the plain ratio applies). Degenerate cases:
a zero target with no baseline counts as met (1.0) when the actual is at or beyond it, else 0;
a lower-is-better actual of zero against a positive target is capped at MAX_ATTAINMENT.
Every result is kept between MIN_ATTAINMENT (-100 %) and MAX_ATTAINMENT (500 %): with a baseline
close to the target, a small slip would otherwise read as thousands of per cent.

Status compares attainment to date with the share of the period gone:
  no data yet, or the period has not started     → None (shown as "not started" / "no data")
  attainment to date >= ON_TRACK (1.0)           → on track
  attainment to date >= AT_RISK (0.9)            → at risk
  below that                                     → off track
For summed KPIs (counts, money) the target to date is the target pro rata to the months that
have data, so a half-year at half the annual target is on track.
"""
from dataclasses import dataclass
from datetime import date

from ..months import month_start, months_between

HIGHER, LOWER, BAND = "higher", "lower", "band"
ON_TRACK, AT_RISK, OFF_TRACK = "on_track", "at_risk", "off_track"
ON_TRACK_FROM, AT_RISK_FROM = 1.0, 0.9
MAX_ATTAINMENT = 5.0
MIN_ATTAINMENT = -1.0


def attainment(direction: str, target: float | None, actual: float | None, baseline: float | None = None,
               band: tuple[float, float] | None = None) -> float | None:
    """How far the actual has come towards the target, as a ratio; None when it cannot be said."""
    ratio = _raw_attainment(direction, target, actual, baseline, band)
    return None if ratio is None else min(max(ratio, MIN_ATTAINMENT), MAX_ATTAINMENT)


def _raw_attainment(direction, target, actual, baseline, band):
    if actual is None:
        return None
    if direction == BAND:
        if band is None:
            return None
        low, high = band
        if low <= actual <= high:
            return 1.0
        distance = low - actual if actual < low else actual - high
        width = high - low
        return max(0.0, 1.0 - distance / width) if width > 0 else 0.0
    if target is None:
        return None
    if direction == HIGHER:
        if baseline is not None and baseline < target:
            return (actual - baseline) / (target - baseline)
        if target == 0:
            return 1.0 if actual >= 0 else 0.0
        return actual / target
    if direction == LOWER:
        if baseline is not None and baseline > target:
            return (baseline - actual) / (baseline - target)
        if actual <= 0:
            return 1.0 if target <= 0 else MAX_ATTAINMENT
        if target == 0:
            return 0.0
        return min(target / actual, MAX_ATTAINMENT)
    raise ValueError(f"unknown direction {direction!r}")


def status(attainment_to_date: float | None) -> str | None:
    if attainment_to_date is None:
        return None
    if attainment_to_date >= ON_TRACK_FROM:
        return ON_TRACK
    if attainment_to_date >= AT_RISK_FROM:
        return AT_RISK
    return OFF_TRACK


@dataclass(frozen=True)
class Progress:
    """A goal's position at a given day: what the figures say, and the verdict."""

    months_in_period: int
    months_with_data: int
    missing_months: tuple[date, ...]  # months gone by with no value
    actual: float | None  # the period's actual to date: sum or mean of the months with data
    target_to_date: float | None  # the target the actual is compared with
    attainment: float | None
    status: str | None
    started: bool


def progress(*, direction: str, summed: bool, target: float, baseline: float | None,
             band: tuple[float, float] | None, period_start: date, period_end: date,
             values: dict[date, float], today: date) -> Progress:
    """A goal's actual, attainment and status to date from its KPI's monthly values.

    Months not yet begun do not count; finished months without a value are listed as missing and
    left out of both the actual and (for summed KPIs) the target to date.
    """
    months = months_between(period_start, period_end)
    started = today >= period_start
    due = [m for m in months if m <= today]
    with_data = [m for m in due if m in values]
    # The running month is not missing yet: its figures usually arrive after it ends.
    missing = tuple(m for m in due if m not in values and m < month_start(today))
    if not started or not with_data:
        return Progress(len(months), 0, missing, None, None, None, None, started)
    figures = [values[m] for m in with_data]
    if summed:
        actual = sum(figures)
        share = len(with_data) / len(months)
        target_to_date = target * share
        base_to_date = baseline * share if baseline is not None else None
    else:
        actual = sum(figures) / len(figures)
        target_to_date, base_to_date = target, baseline
    ratio = attainment(direction, target_to_date, actual, base_to_date, band)
    return Progress(len(months), len(with_data), missing, actual, target_to_date, ratio, status(ratio), started)
