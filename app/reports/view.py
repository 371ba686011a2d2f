"""From the figures (JSON, live or frozen) to what the templates draw: the charts as the same
server-drawn SVG as everywhere (app/kpis/charts.py, templates/_chart.html), names in the reader's
language, dates back from ISO text."""
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale

from ..formatting import fmonth, fperiod
from ..kpis.charts import line_chart, month_labels
from ..kpis.models import DIRECTIONS, UNITS
from .models import MONTH, Report


def iso(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def kpi_name(kpi: dict) -> str:
    locale = get_locale()
    zh = locale is not None and locale.language == "zh"
    return kpi["name_zh"] if zh else kpi["name_en"]


@dataclass(frozen=True)
class FrozenKpi:
    """What _chart.html reads of a KPI, from the figures."""
    name: str
    unit: str
    default_target: float | None
    direction: str | None = None

    @property
    def unit_label(self) -> str:
        return str(UNITS.get(self.unit, self.unit))

    @property
    def direction_label(self) -> str:
        return str(DIRECTIONS.get(self.direction, "")) if self.direction else ""


@dataclass(frozen=True)
class FrozenSeries:
    """What _chart.html reads of a series (app.kpis.charts.Series), from the figures."""
    kpi: FrozenKpi
    months: list[date]
    values: list[float | None]
    band: tuple[float, float] | None

    @property
    def latest(self) -> tuple[date, float] | None:
        for month, value in zip(reversed(self.months), reversed(self.values), strict=True):
            if value is not None:
                return month, value
        return None


def charts_for(figures: dict) -> dict[str, tuple]:
    """KPI code -> (series, chart) for every KPI row of the figures."""
    charts = {}
    for row in figures.get("kpis", []):
        months = [iso(m) for m in row["chart"]["months"]]
        band = tuple(row["band"]) if row.get("band") else None
        series = FrozenSeries(FrozenKpi(kpi_name(row["kpi"]), row["kpi"]["unit"], row["target"], row["kpi"].get("direction")),
                              months, row["chart"]["values"], band)
        if series.latest is None:
            continue
        charts[row["kpi"]["code"]] = (series, line_chart(series.values, month_labels(months, 4),
                                                         target=row["target"], band=band, label_every=4))
    return charts


def period_label(report: Report) -> str:
    return fmonth(report.period_start) if report.kind == MONTH else fperiod("year", report.period_start)
