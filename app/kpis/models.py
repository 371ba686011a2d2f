"""The KPI catalogue (绩效标准) and monthly actual values per store or person."""
from datetime import date, datetime

from flask_babel import get_locale
from flask_babel import lazy_gettext as _l
from sqlalchemy import Float, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.readable import register_values
from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow
from ..units import COUNT, CURRENCY, HOURS, PERCENT, SCORE

UNITS = {
    PERCENT: _l("%"),
    COUNT: _l("count"),
    HOURS: _l("hours"),
    CURRENCY: _l("yuan"),
    SCORE: _l("score"),
}
# How months combine into a period: counts and money add up; rates and scores are averaged.
SUM, MEAN = "sum", "mean"
AGGREGATIONS = {SUM: _l("Sum of the months"), MEAN: _l("Average of the months")}

HIGHER, LOWER, BAND = "higher", "lower", "band"
DIRECTIONS = {
    HIGHER: _l("Higher is better"),
    LOWER: _l("Lower is better"),
    BAND: _l("Within a band"),
}

STORE_SCOPE, PERSON_SCOPE = "store", "person"
SCOPES = {STORE_SCOPE: _l("Store"), PERSON_SCOPE: _l("Person")}


class Kpi(db.Model):
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name_zh: Mapped[str] = mapped_column(String(120))
    name_en: Mapped[str] = mapped_column(String(120))
    unit: Mapped[str] = mapped_column(String(20))
    direction: Mapped[str] = mapped_column(String(10))
    aggregation: Mapped[str] = mapped_column(String(4), default=MEAN)
    band_low: Mapped[float | None] = mapped_column(Float)
    band_high: Mapped[float | None] = mapped_column(Float)
    scope: Mapped[str] = mapped_column(String(10), default=STORE_SCOPE)
    # Space-separated position keys (auth.models.POSITIONS); empty means every position.
    positions: Mapped[str] = mapped_column(String(400), default="")
    definition_zh: Mapped[str] = mapped_column(Text, default="")
    definition_en: Mapped[str] = mapped_column(Text, default="")
    # The level the department is expected to reach when no goal says otherwise (e.g. the maker's).
    default_target: Mapped[float | None] = mapped_column(Float)
    builtin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    @property
    def _zh(self) -> bool:
        locale = get_locale()
        return locale is not None and locale.language == "zh"

    @property
    def name(self) -> str:
        return self.name_zh if self._zh else self.name_en

    @property
    def definition(self) -> str:
        return self.definition_zh if self._zh else self.definition_en

    @property
    def unit_label(self) -> str:
        return str(UNITS.get(self.unit, self.unit))

    @property
    def direction_label(self) -> str:
        return str(DIRECTIONS.get(self.direction, self.direction))

    @property
    def is_summed(self) -> bool:
        return self.aggregation == SUM

    @property
    def position_list(self) -> list[str]:
        return self.positions.split() if self.positions else []

    def applies_to(self, user: User) -> bool:
        return self.scope == PERSON_SCOPE and (not self.positions or user.position in self.position_list)

    def __repr__(self) -> str:
        return f"<Kpi {self.code}>"


def band_of(kpi: Kpi) -> tuple[float, float] | None:
    """The band a band KPI should stay within, or None (other directions, or limits not set)."""
    if kpi.direction == BAND and kpi.band_low is not None and kpi.band_high is not None:
        return (kpi.band_low, kpi.band_high)
    return None


class KpiValue(db.Model):
    """One month's actual value of one KPI for a store (person_id empty) or one person."""
    __audited__ = True

    __tablename__ = "kpi_value"
    # The second index: a store's own values, or its people's, by month (dashboards, coverage, overview).
    __table_args__ = (UniqueConstraint("kpi_id", "store_id", "subject_key", "month"),
                      Index("ix_kpi_value_store_subject_month", "store_id", "subject_key", "month"))
    id: Mapped[int] = mapped_column(primary_key=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    # 0 for the store, else the person's id: a NOT NULL key, because NULLs never collide in a
    # unique constraint, on SQLite or PostgreSQL.
    subject_key: Mapped[int] = mapped_column(default=0)
    month: Mapped[date] = mapped_column(index=True)  # the first day of the month
    value: Mapped[float] = mapped_column(Float)
    source: Mapped[str] = mapped_column(String(10), default="grid")  # grid, import, api, demo
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Bumped by every write: a grid cell saves only over the version it showed (services.save_cell).
    version: Mapped[int] = mapped_column(default=1, server_default="1")

    kpi: Mapped[Kpi] = relationship(lazy="joined")
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])

register_values("unit", UNITS, "kpi")
register_values("direction", DIRECTIONS, "kpi")
register_values("scope", SCOPES, "kpi")
register_values("aggregation", AGGREGATIONS, "kpi")
