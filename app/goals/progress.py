"""Where goals and KPIs stand today: progress per goal, and the exceptions a manager must see.

Shared by the goal pages, the dashboards and the agenda proposals of a new meeting; every
function loads what it needs in a fixed number of queries, whatever the number of goals.
"""
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, exists, select
from sqlalchemy.orm import selectinload

from ..extensions import db
from ..kpis.models import Kpi, KpiValue, band_of
from ..months import month_start, previous_month
from .models import Goal, PlanStep
from .rules import OFF_TRACK, Progress, attainment, progress


def progress_for(goals: list[Goal], today: date) -> dict[int, Progress]:
    """Progress of many goals from one query over their subjects' values."""
    if not goals:
        return {}
    first = min(g.period_start for g in goals)
    last = max(g.period_end for g in goals)
    keys = {(g.store_id, g.kpi_id, g.person_id or 0) for g in goals}
    rows = db.session.execute(
        select(KpiValue.store_id, KpiValue.kpi_id, KpiValue.subject_key, KpiValue.month, KpiValue.value)
        .where(KpiValue.store_id.in_({k[0] for k in keys}), KpiValue.kpi_id.in_({k[1] for k in keys}),
               KpiValue.month >= month_start(first), KpiValue.month <= last)
    )
    values: dict[tuple, dict[date, float]] = {}
    for store_id, kpi_id, subject, month, value in rows:
        values.setdefault((store_id, kpi_id, subject), {})[month] = value
    return {
        g.id: progress(direction=g.kpi.direction, summed=g.kpi.is_summed, target=g.target, baseline=g.baseline,
                       band=band_of(g.kpi), period_start=g.period_start, period_end=g.period_end,
                       values=values.get((g.store_id, g.kpi_id, g.person_id or 0), {}), today=today)
        for g in goals
    }


def goal_progress(goal: Goal, today: date) -> Progress:
    return progress_for([goal], today)[goal.id]


def active_goals_stmt(store_ids, today: date):
    """Goals whose period has begun and not yet ended this month (the ones being worked on)."""
    return (
        select(Goal)
        .where(Goal.store_id.in_(list(store_ids)), Goal.period_start <= today,
               Goal.period_end >= month_start(today))
        .options(selectinload(Goal.checks))
        .order_by(Goal.period_start, Goal.id)
    )


def has_check_this_month(goal: Goal, today: date) -> bool:
    return any(c.checked_on >= month_start(today) for c in goal.checks)


@dataclass(frozen=True)
class KpiException:
    kpi: Kpi
    month: date
    value: float
    target: float | None
    attainment: float


def kpis_below_target(store_id: int, today: date) -> list[KpiException]:
    """Store KPIs whose latest value (last month, else this one) misses the catalogue target,
    and which no active store goal is working on."""
    last_month = previous_month(today)
    goal_on_kpi = exists().where(
        Goal.store_id == store_id, Goal.kpi_id == KpiValue.kpi_id, Goal.person_id.is_(None),
        Goal.period_start <= today, Goal.period_end >= month_start(today))
    rows = db.session.execute(
        select(KpiValue).join(KpiValue.kpi)
        .where(KpiValue.store_id == store_id, KpiValue.subject_key == 0, Kpi.active.is_(True),
               KpiValue.month == last_month, ~goal_on_kpi)
        .order_by(Kpi.id)
    ).scalars()
    found = []
    for row in rows:
        kpi = row.kpi
        ratio = attainment(kpi.direction, kpi.default_target, row.value, band=band_of(kpi))
        if ratio is not None and ratio < 1.0:
            found.append(KpiException(kpi, row.month, row.value, kpi.default_target, ratio))
    return found


def goals_without_check(store_id: int, today: date, only_off_track: bool = False) -> list[tuple[Goal, Progress]]:
    """Active goals with no check record this month (optionally only those off track)."""
    goals = db.session.scalars(active_goals_stmt([store_id], today)).all()
    goals = [g for g in goals if not has_check_this_month(g, today)]
    progresses = progress_for(goals, today)
    return [(g, progresses[g.id]) for g in goals
            if not only_off_track or progresses[g.id].status == OFF_TRACK]


def plan_steps_due(store_id: int, today: date, until: date) -> list[PlanStep]:
    """Plan steps due by `until` whose action item (if any) is not finished."""
    from ..actions.models import ACTIVE_STATUSES, ActionItem

    unfinished = (PlanStep.action_item_id.is_(None)) | exists().where(
        and_(ActionItem.id == PlanStep.action_item_id, ActionItem.status.in_(ACTIVE_STATUSES)))
    return db.session.scalars(
        select(PlanStep).join(PlanStep.goal)
        .where(Goal.store_id == store_id, PlanStep.due <= until, unfinished)
        .options(selectinload(PlanStep.goal))
        .order_by(PlanStep.due)
    ).all()
