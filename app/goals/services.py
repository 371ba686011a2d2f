"""Rules for goals and their PDCA cycle: creating goals, plan steps, stage gates, check and act.

Plain functions: they add and flush, the view commits. Refusals raise RuleViolation with a message
for the user; a change based on an old version raises VersionConflict.
"""
from datetime import date, timedelta

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from ..actions.services import create_action_item
from ..auth.models import STAFF, User
from ..common import RuleViolation, check_version
from ..extensions import db
from ..formatting import fnumber
from ..kpis.models import HIGHER, LOWER, PERSON_SCOPE, Kpi, band_of
from ..kpis.services import monthly_values
from ..months import add_months, month_end, month_start, months_between, quarter_bounds, year_bounds
from ..units import DECIMALS, DEFAULT_DECIMALS
from . import notices  # noqa: F401  (registers the goal notifications and their daily job)
from .models import (
    ACT,
    ACT_KINDS,
    CAUSES,
    CHECK,
    DEVIATION_SOURCES,
    DO,
    MONTH,
    PERIODS,
    PLAN,
    QUARTER,
    STAGE_ORDER,
    YEAR,
    ActRecord,
    CheckRecord,
    Goal,
    GoalUpdate,
    PlanStep,
)
from .progress import goal_progress
from .rules import AT_RISK, AT_RISK_FROM, OFF_TRACK, ON_TRACK, ON_TRACK_FROM, Progress

NO_DATA, NOT_STARTED = "no_data", "not_started"
STATUS_LABELS = {
    ON_TRACK: _l("On track"),
    AT_RISK: _l("At risk"),
    OFF_TRACK: _l("Off track"),
    NO_DATA: _l("No data"),
    NOT_STARTED: _l("Not started"),
}

# The lines of rules.py's docstring, as the user reads them on a goal's page.
FORMULAS = {
    (HIGHER, True): _l("Higher is better, with a baseline b: attainment = (actual − b) ÷ (target − b)"),
    (HIGHER, False): _l("Higher is better, no baseline: attainment = actual ÷ target"),
    (LOWER, True): _l("Lower is better, with a baseline b: attainment = (b − actual) ÷ (b − target)"),
    (LOWER, False): _l("Lower is better, no baseline: attainment = target ÷ actual"),
    ("band", False): _l("Within a band [low, high]: inside, 100 %; outside, 1 − distance ÷ (high − low), "
                        "not below 0"),
}
FORMULA_NOTES = [
    _l("A baseline is used only when it lies on the far side of the target; otherwise the plain ratio applies."),
    _l("Status compares the attainment to date: on track from %(on_track)d %%, at risk from %(at_risk)d %%, "
       "off track below that; no data yet, or a period not yet begun, has no status.",
       on_track=round(ON_TRACK_FROM * 100), at_risk=round(AT_RISK_FROM * 100)),
]
SUMMED_NOTE = _l("This KPI adds up over the months: the target to date is the target pro rata to the months "
                 "that have data, so half the period at half the target is on track.")
MEAN_NOTE = _l("This KPI is averaged over the months that have data; months without a value are left out.")


# --- periods -----------------------------------------------------------------------------

def period_bounds(kind: str, day: date) -> tuple[date, date]:
    """The year, quarter or month containing `day`: its first and last day."""
    if kind == YEAR:
        return year_bounds(day)
    if kind == QUARTER:
        return quarter_bounds(day)
    if kind == MONTH:
        return month_start(day), month_end(day)
    raise RuleViolation(_("Choose a year, a quarter or a month."))


def next_period(kind: str, start: date) -> tuple[date, date]:
    _, end = period_bounds(kind, start)
    return period_bounds(kind, end + timedelta(days=1))


def last_year_baseline(store_id: int, kpi: Kpi, person_id: int | None, kind: str, day: date) -> float | None:
    """Last year's actual for the same period (sum or mean of the months that have a value)."""
    start, end = period_bounds(kind, day)
    first, last = add_months(start, -12), add_months(end, -12)
    values = monthly_values(store_id, [kpi.id], person_id, first, last).get(kpi.id, {})
    figures = [values[m] for m in months_between(first, last) if m in values]
    if not figures:
        return None
    total = sum(figures)
    return round_to_unit(kpi, total if kpi.is_summed else total / len(figures))


def round_to_unit(kpi: Kpi, value: float | None) -> float | None:
    """A figure to the decimals its KPI's unit shows (94.8667 % → 94.9), as a baseline is offered."""
    if value is None:
        return None
    return round(value, DECIMALS.get(kpi.unit, DEFAULT_DECIMALS))


def default_period_day(kind: str, today: date) -> date:
    """Where a new goal starts: the next whole period. A goal for the period already under way is
    born behind (its first months are gone before it is written)."""
    return next_period(kind if kind in PERIODS else QUARTER, today)[0]


def same_period_goals(store_id: int, kpi_id: int, person_id: int | None, kind: str, day: date,
                      exclude_id: int | None = None) -> list[Goal]:
    """Goals already set on this KPI for the same subject and the same period: a new one beside them
    is allowed (a stretch target, say), but the manager should know."""
    start, end = period_bounds(kind, day)
    stmt = select(Goal).where(Goal.store_id == store_id, Goal.kpi_id == kpi_id, Goal.period_start == start,
                              Goal.period_end == end,
                              Goal.person_id.is_(None) if person_id is None else Goal.person_id == person_id)
    if exclude_id:
        stmt = stmt.where(Goal.id != exclude_id)
    return db.session.scalars(stmt.order_by(Goal.id)).all()


def current_level(store_id: int, kpi: Kpi, person_id: int | None, today: date) -> tuple[date, float] | None:
    """The latest month with a value in the last twelve: where the subject stands now."""
    first, last = add_months(month_start(today), -12), month_start(today)
    values = monthly_values(store_id, [kpi.id], person_id, first, last).get(kpi.id, {})
    if not values:
        return None
    month = max(values)
    return month, values[month]


# --- status and formula for the pages ------------------------------------------------------

def status_key(p: Progress) -> str:
    if p.status:
        return p.status
    return NO_DATA if p.started else NOT_STARTED


def formula_for(goal: Goal) -> str:
    kpi = goal.kpi
    if kpi.direction == "band":
        return str(FORMULAS[("band", False)])
    b = goal.baseline
    uses_baseline = b is not None and ((kpi.direction == HIGHER and b < goal.target)
                                       or (kpi.direction == LOWER and b > goal.target))
    return str(FORMULAS[(kpi.direction, uses_baseline)])


def formula_notes(goal: Goal) -> list[str]:
    return [str(SUMMED_NOTE if goal.kpi.is_summed else MEAN_NOTE)] + [str(n) for n in FORMULA_NOTES]


def children_sum(goal: Goal, children: list[Goal] | None = None) -> dict | None:
    """For a summed KPI, whether the children's targets add up to the parent's."""
    children = goal.children if children is None else children
    if not children or not goal.kpi.is_summed:
        return None
    total = sum(c.target for c in children)
    return {"total": total, "gap": goal.target - total}


# --- history -----------------------------------------------------------------------------

def _log(goal: Goal, author_id: int, event: str, note: str = "", stage: str | None = None) -> None:
    # By id, not through goal.updates: touching the collection would bump the goal's version.
    db.session.add(GoalUpdate(goal_id=goal.id, author_id=author_id, event=event, note=note, stage=stage))


def add_note(goal: Goal, author_id: int, note: str) -> GoalUpdate:
    note = (note or "").strip()
    if not note:
        raise RuleViolation(_("Write the progress note first."))
    update = GoalUpdate(goal_id=goal.id, author_id=author_id, event="note", note=note)
    db.session.add(update)
    db.session.flush()
    return update


# --- creating and changing goals -----------------------------------------------------------

def _check_subject(store_id: int, kpi: Kpi, person_id: int | None, owner_id: int) -> None:
    people = {u.id: u for u in db.session.scalars(
        select(User).where(User.id.in_([i for i in (person_id, owner_id) if i]), User.store_id == store_id,
                           User.active.is_(True)))}
    if owner_id not in people:
        raise RuleViolation(_("The owner must be a person of this store."))
    if person_id is not None:
        if person_id not in people:
            raise RuleViolation(_("A personal goal must belong to a person of this store."))
        if kpi.scope != PERSON_SCOPE:
            raise RuleViolation(_("%(kpi)s is measured for the store, not per person: make it a store goal.",
                                  kpi=kpi.name))


def _check_parent(store_id: int, kpi_id: int, parent: Goal | None) -> None:
    if parent is None:
        return
    if parent.store_id != store_id or not parent.is_store_goal or parent.kpi_id != kpi_id:
        raise RuleViolation(_("The parent goal must be a store goal of this store on the same KPI."))


def create_goal(*, store_id: int, kpi: Kpi, person_id: int | None, period_kind: str, period_day: date,
                target: float, baseline: float | None, owner_id: int, created_by_id: int,
                parent_id: int | None = None, title: str = "", previous_id: int | None = None) -> Goal:
    """A store goal (person_id None) or a personal goal for the year, quarter or month containing period_day."""
    if period_kind not in PERIODS:
        raise RuleViolation(_("Choose a year, a quarter or a month."))
    _check_subject(store_id, kpi, person_id, owner_id)
    parent = db.session.get(Goal, parent_id) if parent_id else None
    _check_parent(store_id, kpi.id, parent)
    start, end = period_bounds(period_kind, period_day)
    goal = Goal(store_id=store_id, kpi_id=kpi.id, kpi=kpi, person_id=person_id, parent_id=parent_id,
                previous_id=previous_id, title=(title or "").strip(), period_kind=period_kind,
                period_start=start, period_end=end, baseline=baseline, target=target, owner_id=owner_id,
                stage=PLAN, created_by_id=created_by_id)
    db.session.add(goal)
    db.session.flush()
    _log(goal, created_by_id, "created", stage=PLAN)
    db.session.flush()
    return goal


def staff_of_position(store_id: int, position: str) -> list[User]:
    return db.session.scalars(
        select(User).where(User.store_id == store_id, User.role == STAFF, User.position == position,
                           User.active.is_(True)).order_by(User.display_name)).all()


def create_goals_for_position(*, store_id: int, kpi: Kpi, position: str, period_kind: str, period_day: date,
                              target: float, created_by_id: int, parent_id: int | None = None,
                              store_target: float | None = None, store_owner_id: int | None = None
                              ) -> tuple[Goal, list[Goal]]:
    """A goal template: one personal goal per active staff member of a position, under one store goal.

    The store goal is the chosen one (parent_id) or a new one with store_target; each person's
    baseline is their own actual of the same period last year, where it exists.
    """
    people = staff_of_position(store_id, position)
    if not people:
        raise RuleViolation(_("Nobody active in this store holds that position."))
    if kpi.scope != PERSON_SCOPE:
        raise RuleViolation(_("%(kpi)s is measured for the store, not per person: make it a store goal.",
                              kpi=kpi.name))
    if parent_id:
        parent = db.session.get(Goal, parent_id)
        _check_parent(store_id, kpi.id, parent)
    else:
        if store_target is None:
            if not kpi.is_summed:
                raise RuleViolation(_("Give the store goal's target."))
            store_target = target * len(people)
        parent = create_goal(
            store_id=store_id, kpi=kpi, person_id=None, period_kind=period_kind, period_day=period_day,
            target=store_target, created_by_id=created_by_id, owner_id=store_owner_id or created_by_id,
            baseline=last_year_baseline(store_id, kpi, None, period_kind, period_day))
    children = [
        create_goal(store_id=store_id, kpi=kpi, person_id=p.id, period_kind=period_kind, period_day=period_day,
                    target=target, owner_id=p.id, created_by_id=created_by_id, parent_id=parent.id,
                    baseline=last_year_baseline(store_id, kpi, p.id, period_kind, period_day))
        for p in people
    ]
    return parent, children


def update_goal(goal: Goal, author_id: int, base_version: int | None, *, title: str, target: float,
                baseline: float | None, owner_id: int) -> Goal:
    """The manager corrects the title, target, baseline or owner; the change is logged."""
    check_version(goal, base_version)
    _check_subject(goal.store_id, goal.kpi, goal.person_id, owner_id)
    changes, unit = [], goal.kpi.unit
    if goal.target != target:
        changes.append(_("target %(old)s → %(new)s", old=fnumber(goal.target, unit), new=fnumber(target, unit)))
    if goal.baseline != baseline:
        changes.append(_("baseline %(old)s → %(new)s", old=fnumber(goal.baseline, unit), new=fnumber(baseline, unit)))
    goal.title, goal.target, goal.baseline, goal.owner_id = (title or "").strip(), target, baseline, owner_id
    db.session.flush()
    _log(goal, author_id, "edited", "; ".join(changes))
    db.session.flush()
    return goal


# --- plan ---------------------------------------------------------------------------------

def add_plan_step(goal: Goal, *, who_id: int, what: str, standard: str, due: date, monitoring: str) -> PlanStep:
    if goal.stage not in (PLAN, DO):
        raise RuleViolation(_("Plan steps are added in the Plan or Do stage; adjust the plan in Act first."))
    if db.session.scalar(select(User.id).where(User.id == who_id, User.store_id == goal.store_id)) is None:
        raise RuleViolation(_("The person responsible must be a person of this store."))
    last = max((s.position for s in goal.plan_steps), default=0)
    step = PlanStep(goal_id=goal.id, position=last + 1, who_id=who_id, what=what.strip(),
                    standard=(standard or "").strip(), due=due, monitoring=(monitoring or "").strip())
    db.session.add(step)
    db.session.flush()
    db.session.expire(goal, ["plan_steps"])
    return step


def make_action_item(step: PlanStep, created_by_id: int):
    """Turn a plan step into an action item owned by its person, due when the step is due."""
    if step.action_item_id is not None:
        raise RuleViolation(_("This step is already an action item."))
    goal = step.goal
    description = "\n".join(x for x in (
        _("Goal: %(goal)s (%(period)s)", goal=goal.display_title, period=goal.period_label),
        _("Standard: %(text)s", text=step.standard) if step.standard else "",
        _("Monitoring: %(text)s", text=step.monitoring) if step.monitoring else "") if x)
    item = create_action_item(store_id=goal.store_id, title=step.what[:200], owner_id=step.who_id,
                              deadline=step.due, created_by_id=created_by_id, description=description)
    step.action_item_id = item.id
    step.action_item = item
    db.session.flush()
    return item


# --- stage gates --------------------------------------------------------------------------

def next_stage(goal: Goal) -> str | None:
    index = STAGE_ORDER.index(goal.stage)
    return STAGE_ORDER[index + 1] if index + 1 < len(STAGE_ORDER) else None


def move_to_stage(goal: Goal, stage: str, author_id: int, base_version: int | None = None, note: str = "") -> Goal:
    """Move the goal on through Plan → Do → Check → Act, refusing a step its gate does not allow."""
    check_version(goal, base_version)
    _stage_gate(goal, stage)
    _set_stage(goal, stage, author_id, note)
    return goal


def stage_refusal(goal: Goal, stage: str) -> str | None:
    """Why move_to_stage would refuse this stage now (for a disabled button), or None."""
    try:
        _stage_gate(goal, stage)
    except RuleViolation as refused:
        return str(refused)
    return None


def _stage_gate(goal: Goal, stage: str) -> None:
    if stage not in STAGE_ORDER:
        raise RuleViolation(_("Unknown stage."))
    if stage == goal.stage:
        raise RuleViolation(_("The goal is already in this stage."))
    if stage == DO:
        if goal.stage != PLAN:
            raise RuleViolation(_("Only a goal in the Plan stage can move to Do."))
        if not goal.plan_steps:
            raise RuleViolation(_("Write at least one plan step (who does what, by when) before moving to Do."))
    elif stage == CHECK:
        if goal.stage != DO:
            raise RuleViolation(_("Check comes after Do: carry out the plan first."))
    elif stage == ACT:
        if not goal.checks:
            raise RuleViolation(_("Record at least one check (actual against the standard) before moving to Act."))
        if goal.stage != CHECK:
            raise RuleViolation(_("Act comes after Check."))
    elif stage == PLAN:
        raise RuleViolation(_("To go back to Plan, record “Adjust the plan” in the Act stage."))


def _set_stage(goal: Goal, stage: str, author_id: int, note: str = "") -> None:
    goal.stage = stage
    db.session.flush()
    _log(goal, author_id, "stage", note, stage=stage)
    db.session.flush()


# --- check and act ------------------------------------------------------------------------

def record_check(goal: Goal, author_id: int, *, checked_on: date, deviation: str, deviation_source: str,
                 cause: str, analysis: str) -> CheckRecord:
    """Actual against the standard on checked_on; actual and attainment come from the goal's progress."""
    if goal.stage == PLAN:
        raise RuleViolation(_("Nothing to check yet: move the goal to Do and carry out the plan first."))
    if deviation_source not in DEVIATION_SOURCES or cause not in CAUSES:
        raise RuleViolation(_("Choose where the deviation comes from and its cause."))
    p = goal_progress(goal, checked_on)
    record = CheckRecord(goal_id=goal.id, checked_on=checked_on, actual=p.actual, attainment=p.attainment,
                         deviation=(deviation or "").strip(), deviation_source=deviation_source, cause=cause,
                         analysis=(analysis or "").strip(), author_id=author_id)
    db.session.add(record)
    db.session.flush()
    db.session.expire(goal, ["checks"])
    return record


def record_act(goal: Goal, author_id: int, kind: str, note: str, today: date,
               base_version: int | None = None) -> ActRecord:
    """Standardise, adjust the plan (back to Plan), or roll the goal into the next period."""
    check_version(goal, base_version)
    if kind not in ACT_KINDS:
        raise RuleViolation(_("Choose what to do with the result."))
    if goal.stage != ACT:
        raise RuleViolation(_("Move the goal to Act before recording what follows from the check."))
    record = ActRecord(goal_id=goal.id, kind=kind, note=(note or "").strip(), author_id=author_id)
    if kind == "roll_over":
        if db.session.scalar(select(ActRecord.id).where(ActRecord.goal_id == goal.id,
                                                        ActRecord.next_goal_id.is_not(None))):
            raise RuleViolation(_("This goal was already rolled into the next period."))
        record.next_goal_id = roll_over(goal, author_id, today).id
    db.session.add(record)
    db.session.flush()
    if kind == "adjust":
        _set_stage(goal, PLAN, author_id, record.note)
    db.session.expire(goal, ["acts"])
    return record


def roll_over(goal: Goal, author_id: int, today: date) -> Goal:
    """The same goal for the following period; this period's actual becomes its baseline."""
    start, _end = next_period(goal.period_kind, goal.period_start)
    actual = goal_progress(goal, min(today, goal.period_end)).actual
    return create_goal(store_id=goal.store_id, kpi=goal.kpi, person_id=goal.person_id,
                       period_kind=goal.period_kind, period_day=start, target=goal.target,
                       baseline=actual if actual is not None else goal.baseline, owner_id=goal.owner_id,
                       created_by_id=author_id, parent_id=None, title=goal.title, previous_id=goal.id)


def next_goals(goal: Goal) -> list[Goal]:
    return db.session.scalars(select(Goal).where(Goal.previous_id == goal.id).order_by(Goal.id)).all()


# --- lists --------------------------------------------------------------------------------

ACTIVE, UPCOMING, PAST, ALL = "active", "upcoming", "past", "all"
PERIOD_FILTERS = {ACTIVE: _l("Active now"), UPCOMING: _l("Not begun yet"), PAST: _l("Ended"), ALL: _l("All")}


def goals_stmt(store_id: int, today: date, period: str = ACTIVE, user=None):
    """The store's goals for a period filter; for staff the store's goals and their own."""
    stmt = select(Goal).where(Goal.store_id == store_id).options(selectinload(Goal.person))
    if period == ACTIVE:
        stmt = stmt.where(Goal.period_start <= today, Goal.period_end >= today)
    elif period == UPCOMING:
        stmt = stmt.where(Goal.period_start > today)
    elif period == PAST:
        stmt = stmt.where(Goal.period_end < today)
    if user is not None and user.role == STAFF:  # as permissions.can_view_goal
        stmt = stmt.where(or_(Goal.person_id.is_(None), Goal.person_id == user.id, Goal.owner_id == user.id))
    return stmt.order_by(Goal.person_id.is_not(None), Goal.period_start.desc(), Goal.kpi_id, Goal.id)


def store_goal_choices(store_id: int, today: date, kpi_id: int | None = None) -> list[Goal]:
    """Store goals that can take children: not ended more than a year ago."""
    stmt = select(Goal).where(Goal.store_id == store_id, Goal.person_id.is_(None),
                              Goal.period_end >= today - timedelta(days=366))
    if kpi_id:
        stmt = stmt.where(Goal.kpi_id == kpi_id)
    return db.session.scalars(stmt.order_by(Goal.period_start.desc(), Goal.id)).all()


def band_text(kpi: Kpi) -> str | None:
    band = band_of(kpi)
    return f"{fnumber(band[0], kpi.unit)} – {fnumber(band[1], kpi.unit)}" if band else None
