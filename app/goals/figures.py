"""How a figure is shown against its target: the one place, for every page that shows one.

`figure(...)` turns an actual, a target, the KPI's direction, unit and band (and the baseline,
when there is one) into a `Figure`, which the `figure` macro in templates/_macros.html draws:

  the actual against the target ("89.7 / 92 score"), a bar, the gap in the KPI's own unit
  ("2.3 short", "差 2.3 分") or how far the target was beaten, and the status as a word with a
  symbol (one colour scale everywhere: `state-on_track`, `state-at_risk`, `state-off_track`,
  `state-no_data` in app.css; never colour alone).

The display rules:
- The percentage (the bar's length, and its text for screen readers) is the attainment of
  goals.rules, cut down (floored) to one decimal, never rounded up: a missed target never reads
  100 %. Above 100 % it is shown as it is, the bar stays full.
- An actual below the baseline (negative attainment) reads "below the baseline" in words; the bar
  is empty. No negative percentage is ever shown.
- The gap is the plain distance between actual and target (for a band KPI, to the nearest edge of
  the band) in the KPI's unit, rounded to the unit's decimals; a percent KPI's gap is in
  percentage points ("pts", "个百分点").
- The status is the caller's (a goal's status compares attainment to date, see rules.py);
  otherwise it is read from the attainment with the same thresholds (rules.status). No actual:
  "no data".

It is a Jinja global (`figure(...)`) in every template, registered by the goals blueprint, so
pages of any package can show a figure the same way.
"""
import math
from dataclasses import dataclass
from functools import lru_cache

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from ..formatting import fnumber
from ..units import DECIMALS, DEFAULT_DECIMALS, PERCENT
from .rules import AT_RISK, BAND, HIGHER, LOWER, OFF_TRACK, ON_TRACK, attainment, status

NO_DATA, NOT_STARTED = "no_data", "not_started"
STATES = (ON_TRACK, AT_RISK, OFF_TRACK, NO_DATA)
STATE_LABELS = {ON_TRACK: _l("On track"), AT_RISK: _l("At risk"), OFF_TRACK: _l("Off track"),
                NO_DATA: _l("No data"), NOT_STARTED: _l("Not started")}
# Shown before the word, so the status does not rest on colour alone.
STATE_SYMBOLS = {ON_TRACK: "✓", AT_RISK: "!", OFF_TRACK: "✕", NO_DATA: "–", NOT_STARTED: "–"}


def floor_percent(ratio: float) -> float:
    """A ratio as a percentage cut down to one decimal: 0.99996 → 99.9, never 100."""
    return math.floor(round(ratio * 1000, 6)) / 10


def state_label(state: str | None) -> str:
    return str(STATE_LABELS.get(state or NO_DATA, STATE_LABELS[NO_DATA]))


def with_unit(text: str, unit: str, unit_label: str) -> str:
    """A formatted figure with its unit: "89.7%" (no space before %), "92 分", "1,249 orders"."""
    if unit == PERCENT:
        return f"{text}%"
    return f"{text} {unit_label}" if unit_label else text


def fattainment(ratio: float | None) -> str:
    """An attainment alone (the `fattainment` filter): floored to one decimal, never rounded up to
    100 %; below the baseline in words; "—" when unknown."""
    if ratio is None or not math.isfinite(ratio):
        return "—"
    if ratio < 0:
        return _("below the baseline")
    return _("%(num)s%%", num=fnumber(floor_percent(ratio), PERCENT))


def state_symbol(state: str | None) -> str:
    return STATE_SYMBOLS.get(state or NO_DATA, STATE_SYMBOLS[NO_DATA])


def register(app) -> None:
    """Make `figure`, `goal_figure`, `state_label`, `state_symbol` and `with_unit` globals of every template."""
    app.jinja_env.globals.update(figure=figure, goal_figure=goal_figure, state_label=state_label,
                                 state_symbol=state_symbol, with_unit=with_unit)
    app.jinja_env.filters["fattainment"] = fattainment


@dataclass(frozen=True)
class Figure:
    actual: float | None
    target: float | None
    unit: str
    unit_label: str
    direction: str
    band: tuple[float, float] | None
    attainment: float | None
    state: str  # one of STATES
    gap: float | None  # distance to the target (or band) in the unit; 0 when met
    met: bool | None  # None without an actual or a target

    @property
    def below_baseline(self) -> bool:
        return self.attainment is not None and self.attainment < 0

    @property
    def percent(self) -> float | None:
        """Attainment in per cent, floored to one decimal; None when unknown or below the baseline."""
        if self.attainment is None or self.below_baseline:
            return None
        return floor_percent(self.attainment)

    @property
    def bar(self) -> float:
        """The bar's length, 0 to 100 (full only when the target is met)."""
        if self.percent is None:
            return 0.0
        return min(self.percent, 100.0 if self.met else 99.9)

    @property
    def percent_text(self) -> str:
        return fattainment(self.attainment)

    @property
    def state_label(self) -> str:
        return state_label(self.state)

    @property
    def symbol(self) -> str:
        return STATE_SYMBOLS[self.state]

    @property
    def actual_text(self) -> str:
        return fnumber(self.actual, self.unit)

    @property
    def target_text(self) -> str:
        if self.band is not None:
            return f"{fnumber(self.band[0], self.unit)}–{fnumber(self.band[1], self.unit)}"
        return fnumber(self.target, self.unit)

    @property
    def target_with_unit(self) -> str:
        return with_unit(self.target_text, self.unit, self.unit_label)

    @property
    def gap_unit(self) -> str:
        return _("pts") if self.unit == PERCENT else self.unit_label

    @property
    def gap_text(self) -> str:
        """"2.3 short", "0.4 above the band", "on target", "no data"."""
        return _remembered(Figure._gap_text, self, get_locale())

    @property
    def summary(self) -> str:
        """The whole figure in one sentence, for a screen reader or a tooltip."""
        return _remembered(Figure._summary, self, get_locale())

    def _gap_text(self) -> str:
        if self.actual is None:
            return _("no data")
        if self.met is None:
            return _("no target")
        gap, unit = fnumber(self.gap, self.unit), self.gap_unit
        if self.band is not None:
            if self.met:
                return _("within the band")
            if self.actual > self.band[1]:
                return _("%(gap)s %(unit)s above the band", gap=gap, unit=unit)
            return _("%(gap)s %(unit)s below the band", gap=gap, unit=unit)
        if self.met:
            if gap == fnumber(0, self.unit):
                return _("on target")
            if self.direction == LOWER:
                return _("%(gap)s %(unit)s better than target", gap=gap, unit=unit)
            return _("%(gap)s %(unit)s ahead of target", gap=gap, unit=unit)
        if gap == fnumber(0, self.unit):  # missed by less than the unit's last decimal
            return _("just above target") if self.direction == LOWER else _("just short of target")
        if self.direction == LOWER:
            return _("%(gap)s %(unit)s too high", gap=gap, unit=unit)
        return _("%(gap)s %(unit)s short", gap=gap, unit=unit)

    def _summary(self) -> str:
        if self.actual is None:
            return self.state_label
        parts = [_("%(actual)s against %(target)s", actual=self.actual_text, target=self.target_with_unit),
                 self.gap_text]
        if self.attainment is not None:
            parts.append(_("attainment %(pct)s", pct=self.percent_text))
        parts.append(self.state_label)
        return _("; ").join(parts)


# A page such as the comparison of stores shows hundreds of figures, each sentence ~15 translations and
# formatted numbers; a figure (frozen: its fields are all it depends on) reads the same in a locale.
@lru_cache(maxsize=16384)
def _remembered(text, figure: Figure, locale) -> str:
    return text(figure)


def _met_and_gap(direction, target, actual, band):
    if actual is None:
        return None, None
    if direction == BAND:
        if band is None:
            return None, None
        low, high = band
        if low <= actual <= high:
            return True, 0.0
        return False, (low - actual) if actual < low else (actual - high)
    if target is None:
        return None, None
    if direction == LOWER:
        return actual <= target, abs(actual - target)
    return actual >= target, abs(actual - target)


def figure(*, actual: float | None, target: float | None, direction: str = HIGHER, unit: str = "",
           unit_label: str = "", band: tuple[float, float] | None = None, baseline: float | None = None,
           ratio: float | None = None, state: str | None = None, kpi=None) -> Figure:
    """A figure for display. `kpi` (a kpis.models.Kpi) gives direction, unit, unit label and band in
    one go; `ratio` an attainment already computed (a goal's, to date), `state` a status already
    decided (a goal's); both are otherwise computed here by goals.rules."""
    if kpi is not None:
        direction, unit, unit_label = kpi.direction, kpi.unit, kpi.unit_label
        if kpi.direction == BAND and kpi.band_low is not None and kpi.band_high is not None:
            band = (kpi.band_low, kpi.band_high)
    if actual is not None and not math.isfinite(actual):  # a wild stored value: shown as "—", judged on nothing
        return Figure(actual=actual, target=target, unit=unit, unit_label=str(unit_label), direction=direction,
                      band=band, attainment=None, state=NO_DATA, gap=None, met=None)
    met, gap = _met_and_gap(direction, target, actual, band)
    if gap is not None:  # a gap that rounds away in the unit's decimals is no gap
        decimals = DECIMALS.get(unit, DEFAULT_DECIMALS)
        gap = round(gap, decimals)
    if ratio is None:
        ratio = attainment(direction, target, actual, baseline, band)
    if ratio is not None and not math.isfinite(ratio):
        ratio = None
    if state is None:
        state = status(ratio) if actual is not None else None
    return Figure(actual=actual, target=target, unit=unit, unit_label=str(unit_label), direction=direction,
                  band=band, attainment=ratio, state=state or NO_DATA, gap=gap, met=met)


def goal_figure(goal, progress) -> Figure:
    """A goal's figure to date: its actual against the target to date (for summed KPIs the target
    pro rata to the months with data, see rules.py), with the goal's own attainment and status."""
    if progress.status:
        state = progress.status
    else:
        state = NO_DATA if progress.started else NOT_STARTED
    target = progress.target_to_date if progress.target_to_date is not None else goal.target
    return figure(kpi=goal.kpi, actual=progress.actual, target=target, baseline=goal.baseline,
                  ratio=progress.attainment, state=state)
