"""The group overview: which store needs the general manager this week, and why.

One row per store the user sees, with six figures, each judged on the one status scale
(goals.figures: on track, at risk, off track, no data):

| column | figure | on track | at risk | off track |
|---|---|---|---|---|
| goals | active goals (store and personal) off track | none off track | some at risk | one or more off track |
| KPIs | store KPIs below the catalogue target, last month | none | 1–2 | 3 or more |
| action items | open items past their deadline; open items extended twice or more | none of either | 1–5 overdue, or any extended twice | 6 or more overdue |
| weekly meetings | of the last 4 days the store's weekly meeting was due (its usual weekday, meeting settings), how many had a weekly meeting closed that week on or before that day | 4 of 4 | 3 of 4 | 2 or fewer |
| coaching | of the staff below target on a person KPI (coaching.analysis's coverage month), how many had a talk with an agreed plan in the last 8 weeks | all (or nobody below target) | half or more | fewer than half |
| assessment | the service manager's latest assessment (reviews) | capable, fully responsible | basically capable | not yet capable |

No data (no goals, no KPI values, no assessment) is "no data", never good or bad.

Ranking, worst first: the number of columns off track, then the number at risk, then goals off
track, KPIs below target and overdue action items (each more first), then the store code.

Every figure is read for all stores at once: the number of SQL statements does not depend on the
number of stores (about a dozen). The figures are kept (app/freshness.py) until a write to one of the
stores (or to the KPI catalogue) gives it a new stamp, or the day changes: then one request reads them
again. What is kept is numbers, dates and names, no ORM object; the states and the ranking are worked
out per request.
"""
from dataclasses import dataclass, field, replace
from datetime import date, timedelta

from sqlalchemy import case, func, select

from .. import freshness
from ..actions.models import ACTIVE_STATUSES, ActionItem
from ..actions.services import EXTENDED_TIMES
from ..auth.models import STAFF, Store, User
from ..coaching.analysis import COVERAGE_LOOKBACK_MONTHS, DEFAULT_COVERAGE_WEEKS, ValueBook, shortfall, targets_by_month
from ..coaching.models import PLAN, CoachingSession
from ..extensions import db
from ..goals.figures import NO_DATA
from ..goals.progress import active_goals_stmt, progress_for
from ..goals.rules import AT_RISK, OFF_TRACK, ON_TRACK, attainment
from ..kpis.models import PERSON_SCOPE, STORE_SCOPE, Kpi, KpiValue, band_of
from ..kpis.services import active_kpis
from ..meetings.models import CLOSED, WEEKLY, Meeting, StoreMeetingSettings
from ..months import add_months, previous_month
from ..reviews.models import BASIC, CAPABLE, FULL, NOT_YET, VERDICTS
from ..reviews.services import managers_overview

MEETING_WEEKS = 4
DEFAULT_WEEKDAY = 0  # Monday, as meetings.services.meeting_settings when a store has set none
KPIS_OFF_TRACK_FROM = 3
OVERDUE_OFF_TRACK_FROM = 6
COLUMNS = ("goals", "kpis", "actions", "meetings", "coaching", "review")
REVIEW_STATES = {FULL: ON_TRACK, CAPABLE: ON_TRACK, BASIC: AT_RISK, NOT_YET: OFF_TRACK}


@dataclass(frozen=True)
class ManagerName:
    """The service manager as the overview shows them (kept with the figures: no ORM object)."""
    id: int
    display_name: str


@dataclass(frozen=True)
class LatestReview:
    verdict: str
    reviewed_on: date

    @property
    def verdict_label(self) -> str:  # in the reader's language, when drawn
        return str(VERDICTS.get(self.verdict, self.verdict))


@dataclass
class StoreHealth:
    store: Store
    goals_off_track: int = 0
    goals_at_risk: int = 0
    goals_total: int = 0
    off_track_goal_id: int | None = None  # the only goal off track, to open directly
    kpis_below: int = 0
    kpis_with_values: int = 0
    kpi_month: date | None = None
    overdue: int = 0
    extended: int = 0
    meetings_on_time: int = 0
    meeting_days: list = field(default_factory=list)  # (due day, held on time?) oldest first
    weekday: int = DEFAULT_WEEKDAY
    below_target: int = 0  # staff below target in the coverage month
    coached: int = 0  # of them, coached in the last DEFAULT_COVERAGE_WEEKS weeks
    coverage_month: date | None = None
    manager: ManagerName | None = None
    review: LatestReview | None = None
    states: dict = field(default_factory=dict)  # column -> state

    @property
    def off_track_columns(self) -> int:
        return sum(1 for s in self.states.values() if s == OFF_TRACK)

    @property
    def at_risk_columns(self) -> int:
        return sum(1 for s in self.states.values() if s == AT_RISK)

    @property
    def rank_key(self) -> tuple:
        return (-self.off_track_columns, -self.at_risk_columns, -self.goals_off_track, -self.kpis_below,
                -self.overdue, self.store.code)

    @property
    def state(self) -> str:
        """The store's overall state: its worst column."""
        for s in (OFF_TRACK, AT_RISK, ON_TRACK):
            if s in self.states.values():
                return s
        return NO_DATA


def overview(stores: list[Store], today: date) -> list[StoreHealth]:
    """The stores' health, worst first (see the module docstring)."""
    if not stores:
        return []
    figures = freshness.cached("group.overview", [s.id for s in stores], today, lambda: _figures(stores, today))
    rows = [replace(figures[s.id], store=s) for s in stores]  # the kept figures are never changed
    for row in rows:
        row.states = _states(row)
    return sorted(rows, key=lambda r: r.rank_key)


def _figures(stores: list[Store], today: date) -> dict[int, StoreHealth]:
    """Each store's figures (store left out: the caller puts the request's own Store object back)."""
    rows = {s.id: StoreHealth(None) for s in stores}
    ids = list(rows)
    _goals(rows, ids, today)
    _kpis(rows, ids, today)
    _actions(rows, ids, today)
    _meetings(rows, ids, today)
    _coaching(rows, ids, today)
    _reviews(rows, ids)
    return rows


def _states(r: StoreHealth) -> dict:
    states = {}
    if not r.goals_total:
        states["goals"] = NO_DATA
    else:
        states["goals"] = OFF_TRACK if r.goals_off_track else AT_RISK if r.goals_at_risk else ON_TRACK
    if not r.kpis_with_values:
        states["kpis"] = NO_DATA
    else:
        states["kpis"] = (OFF_TRACK if r.kpis_below >= KPIS_OFF_TRACK_FROM else AT_RISK if r.kpis_below
                          else ON_TRACK)
    states["actions"] = (OFF_TRACK if r.overdue >= OVERDUE_OFF_TRACK_FROM else AT_RISK if r.overdue or r.extended
                         else ON_TRACK)
    missed = len(r.meeting_days) - r.meetings_on_time
    states["meetings"] = ON_TRACK if missed == 0 else AT_RISK if missed == 1 else OFF_TRACK
    if r.coverage_month is None:
        states["coaching"] = NO_DATA
    elif r.coached == r.below_target:
        states["coaching"] = ON_TRACK
    else:
        states["coaching"] = AT_RISK if 2 * r.coached >= r.below_target else OFF_TRACK
    states["review"] = REVIEW_STATES.get(r.review.verdict, NO_DATA) if r.review is not None else NO_DATA
    return states


def _goals(rows, ids, today):
    goals = db.session.scalars(active_goals_stmt(ids, today)).unique().all()
    progresses = progress_for(goals, today)
    for goal in goals:
        row, status = rows[goal.store_id], progresses[goal.id].status
        row.goals_total += 1
        if status == OFF_TRACK:
            row.goals_off_track += 1
            row.off_track_goal_id = goal.id if row.goals_off_track == 1 else None
        elif status == AT_RISK:
            row.goals_at_risk += 1


def _kpis(rows, ids, today):
    """Store KPIs against the catalogue target in last month (the current one is still being entered)."""
    month = previous_month(today)
    values = db.session.execute(
        select(KpiValue.store_id, KpiValue.value, Kpi).join(KpiValue.kpi)
        .where(KpiValue.store_id.in_(ids), KpiValue.subject_key == 0, KpiValue.month == month,
               Kpi.scope == STORE_SCOPE, Kpi.active.is_(True))
    ).all()
    for store_id, value, kpi in values:
        row = rows[store_id]
        row.kpi_month = month
        ratio = attainment(kpi.direction, kpi.default_target, value, band=band_of(kpi))
        if ratio is None:
            continue
        row.kpis_with_values += 1
        row.kpis_below += ratio < 1.0


def _actions(rows, ids, today):
    active = ActionItem.status.in_(ACTIVE_STATUSES)
    counts = db.session.execute(
        select(ActionItem.store_id,
               func.sum(case((ActionItem.deadline < today, 1), else_=0)),
               func.sum(case((ActionItem.extension_count >= EXTENDED_TIMES, 1), else_=0)))
        .where(ActionItem.store_id.in_(ids), active).group_by(ActionItem.store_id)
    ).all()
    for store_id, overdue, extended in counts:
        rows[store_id].overdue, rows[store_id].extended = int(overdue or 0), int(extended or 0)


def due_days(weekday: int, today: date, weeks: int = MEETING_WEEKS) -> list[date]:
    """The last `weeks` days on the store's meeting weekday before today, oldest first."""
    last = today - timedelta(days=(today.weekday() - weekday - 1) % 7 + 1)
    return [last - timedelta(weeks=n) for n in reversed(range(weeks))]


def _meetings(rows, ids, today):
    weekdays = dict(db.session.execute(
        select(StoreMeetingSettings.store_id, StoreMeetingSettings.weekday)
        .where(StoreMeetingSettings.store_id.in_(ids))).all())
    first = today - timedelta(weeks=MEETING_WEEKS + 1)
    held: dict[int, set[date]] = {}
    for store_id, day in db.session.execute(
            select(Meeting.store_id, Meeting.meeting_date)
            .where(Meeting.store_id.in_(ids), Meeting.kind == WEEKLY, Meeting.status == CLOSED,
                   Meeting.meeting_date >= first, Meeting.meeting_date < today)):
        held.setdefault(store_id, set()).add(day)
    for store_id, row in rows.items():
        row.weekday = weekdays.get(store_id, DEFAULT_WEEKDAY)
        days = held.get(store_id, set())
        for due in due_days(row.weekday, today):
            week_start = due - timedelta(days=due.weekday())
            on_time = any(week_start <= d <= due for d in days)
            row.meeting_days.append((due, on_time))
            row.meetings_on_time += on_time


def _coaching(rows, ids, today):
    """As coaching.analysis.coverage_gaps, for every store at once, counted per person."""
    last = previous_month(today)
    months = dict(db.session.execute(
        select(KpiValue.store_id, func.max(KpiValue.month))
        .where(KpiValue.store_id.in_(ids), KpiValue.subject_key != 0, KpiValue.month <= last,
               KpiValue.month > add_months(last, -COVERAGE_LOOKBACK_MONTHS))
        .group_by(KpiValue.store_id)).all())
    if not months:
        return
    staff = db.session.scalars(select(User).where(User.store_id.in_(list(months)), User.role == STAFF,
                                                  User.active.is_(True))).all()
    kpis = active_kpis(PERSON_SCOPE)
    since = today - timedelta(weeks=DEFAULT_COVERAGE_WEEKS)
    coached = set(db.session.scalars(
        select(CoachingSession.person_id).where(CoachingSession.store_id.in_(list(months)),
                                                CoachingSession.steps_done >= PLAN,
                                                CoachingSession.held_on >= since).distinct()))
    book = ValueBook(list(months), [k.id for k in kpis], min(months.values()), max(months.values()))
    targets = targets_by_month([p.id for p in staff], kpis, set(months.values()))
    for store_id, month in months.items():
        rows[store_id].coverage_month = month
    for person in staff:
        month = months[person.store_id]
        below = any(shortfall(kpi, book.level(person.store_id, kpi.id, person.id, month, month),
                              targets[month].get((person.id, kpi.id)))
                    for kpi in kpis if kpi.applies_to(person))
        if below:
            row = rows[person.store_id]
            row.below_target += 1
            row.coached += person.id in coached


def _reviews(rows, ids):
    for manager, review in managers_overview(ids):
        row = rows[manager.store_id]
        if row.manager is None or (review is not None and row.review is None):
            row.manager = ManagerName(manager.id, manager.display_name)
            row.review = LatestReview(review.verdict, review.reviewed_on) if review is not None else None
