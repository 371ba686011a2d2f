"""KPI trend charts, server-drawn, for the dashboard and a person's coaching page.

`trend_series` loads the last months of some KPIs for a store or a person (one query). `line_chart`
is pure geometry (a missing month leaves a gap in the line: `Chart.path` has one sub-path per run
of consecutive months), no database and no markup: a series (one slot per month, None where there is no
value) and an optional target (a line) or band (a shaded area) become coordinates, which
`templates/_chart.html` draws as an inline SVG. Larger values are higher up: SVG's y axis grows
downwards, so y is flipped here. Labels come from app.formatting, in the user's locale.
"""
import math
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from ..formatting import fcompact, fdate, fmonth
from ..months import last_months
from ..validation import FIGURE
from .models import Kpi, band_of
from .services import monthly_values

TREND_MONTHS = 12

WIDTH, HEIGHT = 320, 160
PAD_LEFT, PAD_RIGHT, PAD_TOP, PAD_BOTTOM = 34, 10, 10, 24
Y_TICKS = 4  # about this many labelled lines on the value axis


@dataclass(frozen=True)
class Point:
    x: float
    y: float
    slot: int
    value: float


@dataclass(frozen=True)
class Tick:
    pos: float  # x for slot ticks, y for value ticks
    label: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    plot: tuple[float, float, float, float]  # left, top, right, bottom
    low: float  # value at the bottom of the plot
    high: float  # value at the top
    points: list[Point]
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    target_y: float | None
    band_y: tuple[float, float] | None  # top and bottom of the shaded band

    @property
    def segments(self) -> list[list[Point]]:
        """The points in runs of consecutive months: a missing month breaks the line, so no line is
        drawn across a month without a value."""
        runs: list[list[Point]] = []
        for p in self.points:
            if runs and runs[-1][-1].slot == p.slot - 1:
                runs[-1].append(p)
            else:
                runs.append([p])
        return runs

    @property
    def path(self) -> str:
        """An SVG path, one sub-path ("M … L …") per run of consecutive months."""
        return " ".join("M" + " L".join(f"{p.x:.1f},{p.y:.1f}" for p in run) for run in self.segments)

    @property
    def polyline(self) -> str:
        return " ".join(f"{p.x:.1f},{p.y:.1f}" for p in self.points)


def nice_step(span: float, ticks: int = Y_TICKS) -> float:
    """A round step (1, 2, 2.5 or 5 times a power of ten) giving about `ticks` intervals over `span`."""
    if span <= 0:
        return 1.0
    raw = span / ticks
    power = 10 ** math.floor(math.log10(raw))
    for factor in (1, 2, 2.5, 5, 10):
        if raw <= factor * power:
            return factor * power
    return 10 * power  # pragma: no cover (the loop always returns)


def value_range(figures: list[float]) -> tuple[float, float, float]:
    """(low, high, step): a round range covering every figure, never empty."""
    low, high = min(figures), max(figures)
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    step = nice_step(high - low)
    return math.floor(low / step) * step, math.ceil(high / step) * step, step


def month_labels(months: list[date], label_every: int = 3) -> list[str]:
    """The months' names for a chart's axis (line_chart labels every `label_every`-th, counting back
    from the latest): short (Sep, 9月), but the first labelled month and any January name the year too,
    so the turn of a year reads right and four labels fit a phone's chart."""
    last = len(months) - 1
    first = next((i for i in range(len(months)) if (last - i) % label_every == 0), 0)
    return [fmonth(m) if i == first or m.month == 1 else fdate(m, "MMM") for i, m in enumerate(months)]


def line_chart(values: list[float | None], slot_labels: list[str], target: float | None = None,
               band: tuple[float, float] | None = None, width: int = WIDTH, height: int = HEIGHT,
               label_every: int = 3, tick_label: Callable[[float], str] = fcompact) -> Chart:
    """Coordinates for a line over fixed slots (months); slots without a value get no point."""
    present = [v for v in values if v is not None]
    figures = present + ([target] if target is not None else []) + (list(band) if band else [])
    low, high, step = value_range(figures or [0.0])
    # A target line on the axis itself is hard to see: give it one step of room.
    if target is not None and not band and present:
        if target == low and min(present) > target:
            low -= step
        elif target == high and max(present) < target:
            high += step
    tick_values = [low + step * i for i in range(min(round((high - low) / step), 20) + 1)]
    tick_labels = [tick_label(v) for v in tick_values]
    # Room for the longest value label (about 6 px a character at the ticks' font size).
    left = max(PAD_LEFT, 6 * max(len(t) for t in tick_labels) + 8)
    top, right, bottom = PAD_TOP, width - PAD_RIGHT, height - PAD_BOTTOM
    slots = max(len(values), 1)

    def x_of(slot: int) -> float:
        if slots == 1:
            return (left + right) / 2
        return left + (right - left) * slot / (slots - 1)

    def y_of(value: float) -> float:
        return bottom - (bottom - top) * (value - low) / (high - low)

    points = [Point(x_of(i), y_of(v), i, v) for i, v in enumerate(values) if v is not None]
    y_ticks = [Tick(y_of(v), label) for v, label in zip(tick_values, tick_labels, strict=True)]
    # Label every few slots, counting back from the latest so the newest month is always labelled.
    last = len(slot_labels) - 1
    x_ticks = [Tick(x_of(i), label) for i, label in enumerate(slot_labels) if (last - i) % label_every == 0]
    return Chart(
        width=width, height=height, plot=(left, top, right, bottom), low=low, high=high, points=points,
        x_ticks=x_ticks, y_ticks=y_ticks,
        target_y=y_of(target) if target is not None and not band else None,
        band_y=(y_of(max(band)), y_of(min(band))) if band else None,
    )


# --- the series ------------------------------------------------------------------------------

@dataclass(frozen=True)
class Series:
    kpi: Kpi
    months: list[date]
    values: list[float | None]  # one per month, None where no value

    @property
    def latest(self) -> tuple[date, float] | None:
        for month, value in zip(reversed(self.months), reversed(self.values), strict=True):
            if value is not None:
                return month, value
        return None

    @property
    def band(self) -> tuple[float, float] | None:
        return band_of(self.kpi)


def trend_series(store_id: int, kpis: list[Kpi], today: date, person_id: int | None = None,
                 months: int = TREND_MONTHS) -> list[Series]:
    """The last `months` months of each KPI that has at least one value for the subject (the
    store, or one person): one query."""
    window = last_months(today, months)
    if not kpis:
        return []
    found = monthly_values(store_id, [k.id for k in kpis], person_id, window[0], window[-1])
    series = [Series(k, window, [_plottable(found[k.id].get(m)) for m in window]) for k in kpis if found.get(k.id)]
    return [s for s in series if s.latest is not None]


def _plottable(value: float | None) -> float | None:
    """A value the chart can draw; one beyond what may be stored (written before values were
    bounded) is left out like a missing month, so it cannot break the scale for everyone."""
    return value if value is not None and FIGURE.holds(value) else None


def trend_charts(series: list[Series], target_of: dict[int, float | None] | None = None) -> list[tuple]:
    """(series, chart) pairs for `_chart.html`; the target line is the KPI's own unless `target_of`
    (kpi id -> target) gives one, e.g. a person's goal."""
    return [(s, line_chart(s.values, month_labels(s.months), band=s.band,
                           target=target_of[s.kpi.id] if target_of is not None else s.kpi.default_target))
            for s in series]
