"""What the dashboard shows: plain functions, no request, each in a fixed number of queries.

The exceptions come from goals.progress (kpis_below_target, plan_steps_due, has_check_this_month);
this module adds the management rhythm (meetings held, action items closed on time, overdue items)
and the comparison of stores; the KPI trend series come from app.kpis.charts.
"""
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload

from ..actions.models import ACTIVE_STATUSES, CANCELLED, ActionItem
from ..extensions import db
from ..goals.models import Goal
from ..goals.progress import (
    active_goals_stmt,
    has_check_this_month,
    kpis_below_target,
    plan_steps_due,
    progress_for,
)
from ..goals.rules import OFF_TRACK, Progress, attainment
from ..kpis.models import STORE_SCOPE, Kpi, KpiValue, band_of
from ..kpis.services import kpi_by_code
from ..meetings.models import CLOSED, Meeting
from ..months import last_months, month_start, previous_month
from ..problems.services import month_counts

RHYTHM_MONTHS = 6
ON_TIME_DAYS = 90


# --- goals -------------------------------------------------------------------------------

@dataclass(frozen=True)
class GoalRow:
    goal: Goal
    progress: Progress
    checked_this_month: bool


def goal_rows(store_id: int, today: date, person_id: int | None = None) -> list[GoalRow]:
    """The active goals of a store (or only one person's), with their progress: three queries."""
    stmt = active_goals_stmt([store_id], today).options(joinedload(Goal.person))
    if person_id is not None:
        stmt = stmt.where(Goal.person_id == person_id)
    goals = db.session.scalars(stmt).unique().all()
    progresses = progress_for(goals, today)
    return [GoalRow(g, progresses[g.id], has_check_this_month(g, today)) for g in goals]


@dataclass
class Exceptions:
    kpis: list = field(default_factory=list)  # KpiException: below target, no goal on it
    off_track_unchecked: list = field(default_factory=list)  # GoalRow
    overdue_steps: list = field(default_factory=list)  # PlanStep

    @property
    def count(self) -> int:
        return len(self.kpis) + len(self.off_track_unchecked) + len(self.overdue_steps)


def exceptions(store_id: int, today: date, rows: list[GoalRow]) -> Exceptions:
    """What needs the manager first. `rows` are the store's goal rows (already loaded)."""
    return Exceptions(
        kpis=kpis_below_target(store_id, today),
        off_track_unchecked=[r for r in rows if r.progress.status == OFF_TRACK and not r.checked_this_month],
        overdue_steps=plan_steps_due(store_id, today, today - timedelta(days=1)),
    )


# --- management health -------------------------------------------------------------------

def meeting_rhythm(store_id: int, today: date, months: int = RHYTHM_MONTHS) -> list[tuple[date, int]]:
    """Closed meetings per month over the last `months` months (this one included), oldest first."""
    window = last_months(today, months)
    rows = db.session.execute(
        select(Meeting.meeting_date, func.count())
        .where(Meeting.store_id == store_id, Meeting.status == CLOSED,
               Meeting.meeting_date >= window[0], Meeting.meeting_date <= today)
        .group_by(Meeting.meeting_date)
    )
    counts = dict.fromkeys(window, 0)
    for day, number in rows:
        counts[month_start(day)] += number
    return list(counts.items())


@dataclass(frozen=True)
class OnTime:
    on_time: int
    total: int

    @property
    def share(self) -> float | None:
        return self.on_time / self.total if self.total else None


def _local_date(moment: datetime, tz: ZoneInfo) -> date:
    return moment.replace(tzinfo=UTC).astimezone(tz).date()


def on_time_share(store_id: int, today: date, days: int = ON_TIME_DAYS, tz: str | None = None) -> OnTime:
    """Of the action items whose deadline fell in the last `days` days (up to yesterday, so every
    one of them is due), how many were done by their deadline (a store-local day). Cancelled items
    do not count."""
    zone = ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    rows = db.session.execute(
        select(ActionItem.deadline, ActionItem.done_at)
        .where(ActionItem.store_id == store_id, ActionItem.status != CANCELLED,
               ActionItem.deadline >= today - timedelta(days=days), ActionItem.deadline < today)
    ).all()
    on_time = sum(1 for deadline, done_at in rows if done_at is not None and _local_date(done_at, zone) <= deadline)
    return OnTime(on_time, len(rows))


def overdue_count(store_id: int, today: date) -> int:
    """Unfinished action items past their deadline (the board's ?overdue=1 filter)."""
    return db.session.scalar(
        select(func.count()).select_from(ActionItem)
        .where(ActionItem.store_id == store_id, ActionItem.status.in_(ACTIVE_STATUSES),
               ActionItem.deadline < today)
    )


# --- comparison of stores ----------------------------------------------------------------

@dataclass(frozen=True)
class Comparison:
    month: date | None
    kpis: list[Kpi]
    cells: dict  # (kpi_id, store_id) -> (value, attainment or None)


def store_comparison(store_ids, today: date) -> Comparison:
    """The latest complete month with any store value (last month or earlier: the current month is
    still being entered): each store-scope KPI per store. One query, whatever the number of stores."""
    store_ids = list(store_ids)
    latest = (select(func.max(KpiValue.month)).join(KpiValue.kpi)
              .where(KpiValue.store_id.in_(store_ids), KpiValue.subject_key == 0,
                     Kpi.scope == STORE_SCOPE, Kpi.active.is_(True), KpiValue.month <= previous_month(today))
              .scalar_subquery())
    rows = db.session.scalars(
        select(KpiValue).join(KpiValue.kpi)
        .where(KpiValue.store_id.in_(store_ids), KpiValue.subject_key == 0, Kpi.scope == STORE_SCOPE,
               Kpi.active.is_(True), KpiValue.month == latest)
        .order_by(Kpi.id)
    ).all()
    if not rows:
        return Comparison(None, [], {})
    kpis, cells = {}, {}
    for row in rows:
        kpi = row.kpi
        kpis[kpi.id] = kpi
        ratio = attainment(kpi.direction, kpi.default_target, row.value, band=band_of(kpi))
        cells[(kpi.id, row.store_id)] = (row.value, ratio)
    return Comparison(rows[0].month, list(kpis.values()), cells)


# --- problems and comebacks (app/problems) ---------------------------------------------------

COMEBACK_KPI = "COMEBACK_RATE"
COMEBACK_MONTHS = 6


@dataclass
class ComebackMonth:
    month: date
    comebacks: int  # comebacks raised in the problem register that month
    rate: float | None  # the comeback-rate KPI: the store's value, else the mean of its people's


def comebacks_against_kpi(store_id: int, today: date, months: int = COMEBACK_MONTHS):
    """(kpi or None, rows oldest first): the register's comebacks per month beside the comeback-rate KPI
    (a person KPI of technicians in the catalogue: the store's own value when one is recorded, else the
    mean of its people's values for the month)."""
    kpi = kpi_by_code(COMEBACK_KPI)
    counts = month_counts(store_id, today, months)
    rates: dict[date, float] = {}
    if kpi is not None and counts:
        rows = db.session.execute(select(KpiValue.month, KpiValue.subject_key, KpiValue.value).where(
            KpiValue.store_id == store_id, KpiValue.kpi_id == kpi.id, KpiValue.month >= counts[0][0],
            KpiValue.month <= counts[-1][0])).all()
        store_values = {m: v for m, key, v in rows if key == 0}
        people: dict[date, list[float]] = {}
        for m, key, v in rows:
            if key != 0:
                people.setdefault(m, []).append(v)
        rates = {m: store_values.get(m, sum(people.get(m, [])) / len(people[m]) if people.get(m) else None)
                 for m in {*store_values, *people}}
    return kpi, [ComebackMonth(m, comebacks, rates.get(m)) for m, _n, comebacks in counts]
