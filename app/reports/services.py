"""The figures of a review, drafted from the period's data, and the report's life: draft, autosave,
publish. Plain functions, no request; the figures come in a fixed number of aggregate queries,
whatever the number of meetings, items, goals or KPIs.

The figures are plain JSON-able data (dates as ISO text), the same whether computed now (a draft)
or read from the snapshot a publication froze, so one template shows both, and an archived report
never changes when data is corrected later.

Definitions (the period is a month or a calendar year; "so far" is up to today for the running one):
- meetings held: closed meetings dated in the period (weekly ones against the rhythm: one per week on
  the store's usual weekday, app/meetings settings, counted up to the end of the period or today);
  attendance rate: present ÷ attendance recorded (present, absent, excused) in those meetings;
  decisions: recorded in meetings dated in the period.
- action items opened: created in the period (store-local days); due: deadline in the period and
  before today, cancelled ones left out; closed on time: done on or before the deadline (store-local
  day); overdue: due but done late or not done (still open: of those, not done yet); extended: items
  whose deadline was extended in the period.
- goals: the store's own goals whose period overlaps the review's, attainment to the end of the
  period (app/goals/rules.py), with their PDCA stage.
- KPIs: every active store KPI with a value in the 12 months of the chart; the period's value (a
  year: the sum or mean of its months, as the KPI aggregates), the change from the previous period
  and from the same period a year earlier (a year: the previous year over the months this year has
  values for, so a year still running compares like for like).
- coaching: talks held in the period (plan agreed), people coached ÷ the staff of the period (coverage), and
  the effect of talks whose follow-up fell in the period (app/coaching/analysis.py).
- the general manager's latest assessment of the store's service manager dated in the period.
"""
import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import distinct, func, select, update
from sqlalchemy.orm import joinedload, selectinload

from .. import report_sections
from ..actions.models import ACTIVE_STATUSES, CANCELLED, ActionItem, ActionItemUpdate
from ..audit import services as audit
from ..audit.models import UPDATE
from ..auth.services import staff_count_during
from ..coaching.analysis import CLOSED as GAP_CLOSED
from ..coaching.analysis import NARROWED, NO_GAP, effects, session_verdict
from ..coaching.models import MOTIVATE, PLAN, CoachingSession
from ..common import RuleViolation, VersionConflict, check_version
from ..extensions import db
from ..goals.models import Goal
from ..goals.progress import progress_for
from ..goals.rules import attainment
from ..kpis.models import BAND, HIGHER, LOWER, STORE_SCOPE, Kpi, band_of
from ..kpis.services import monthly_values
from ..meetings.models import (
    ANNUAL,
    CLOSED,
    MONTHLY,
    PRESENT,
    WEEKLY,
    Attendance,
    Decision,
    Meeting,
    StoreMeetingSettings,
)
from ..months import add_months, month_end, month_start, months_between
from ..reviews.models import DUTIES, ManagerReview
from ..timeutils import utcnow
from .models import DRAFT, MONTH, NARRATIVE, PUBLISHED, YEAR, Report, ReportSnapshot

SNAPSHOT_FORMAT = 1
CHART_MONTHS = 12
RECORDED = ("present", "absent", "excused")


# --- periods ---------------------------------------------------------------------------------

def period_bounds(kind: str, start: date) -> tuple[date, date]:
    if kind == YEAR:
        return date(start.year, 1, 1), date(start.year, 12, 31)
    return month_start(start), month_end(start)


def normal_start(kind: str, day: date) -> date:
    return date(day.year, 1, 1) if kind == YEAR else month_start(day)


def previous_start(kind: str, start: date) -> date:
    return date(start.year - 1, 1, 1) if kind == YEAR else add_months(start, -1)


def _utc(day: date, zone: ZoneInfo) -> datetime:
    """A store-local midnight as the naive UTC the database keeps."""
    return datetime.combine(day, time(), zone).astimezone(UTC).replace(tzinfo=None)


def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


# --- the figures ------------------------------------------------------------------------------

def figures(store_id: int, kind: str, start: date, today: date) -> dict:
    """Every figure of the review of `kind` starting `start`, as JSON-able data."""
    first, last = period_bounds(kind, start)
    as_of = min(last, today)
    data = {
        "format": SNAPSHOT_FORMAT,
        "kind": kind,
        "first": first.isoformat(),
        "last": last.isoformat(),
        "as_of": as_of.isoformat(),
        "meetings": meeting_figures(store_id, first, last, today),
        "actions": action_figures(store_id, first, last, today),
        "goals": goal_figures(store_id, first, last, as_of),
        "kpis": kpi_figures(store_id, kind, first, last, as_of),
        "coaching": coaching_figures(store_id, first, last, today),
        "assessment": assessment_figures(store_id, first, last),
        "extra": {s.key: s.compute(store_id, first, last, as_of) for s in report_sections.sections()},
    }
    # Round-trip, so a draft shows exactly what a publication would store.
    return json.loads(json.dumps(data))


def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def expected_meetings(weekday: int, first: date, until: date) -> int:
    """Days of the store's meeting weekday from first to until, both included."""
    if until < first:
        return 0
    offset = (weekday - first.weekday()) % 7
    day = first + timedelta(days=offset)
    return 0 if day > until else (until - day).days // 7 + 1


def meeting_figures(store_id: int, first: date, last: date, today: date) -> dict:
    settings = db.session.get(StoreMeetingSettings, store_id)
    weekday = settings.weekday if settings else 0
    in_period = (Meeting.store_id == store_id, Meeting.status == CLOSED,
                 Meeting.meeting_date >= first, Meeting.meeting_date <= last)
    held = dict(db.session.execute(
        select(Meeting.kind, func.count()).where(*in_period).group_by(Meeting.kind)).all())
    attendance = dict(db.session.execute(
        select(Attendance.status, func.count()).join(Attendance.meeting).where(*in_period)
        .group_by(Attendance.status)).all())
    decisions = db.session.scalar(
        select(func.count()).select_from(Decision).join(Decision.meeting)
        .where(Decision.store_id == store_id, Meeting.meeting_date >= first, Meeting.meeting_date <= last))
    recorded = sum(attendance.get(s, 0) for s in RECORDED)
    return {
        "held": sum(held.values()),
        "held_by_kind": held,
        "weekly_held": held.get(WEEKLY, 0),
        "weekly_expected": expected_meetings(weekday, first, min(last, today)),
        "weekday": weekday,
        "present": attendance.get(PRESENT, 0),
        "recorded": recorded,
        "attendance_rate": _share(attendance.get(PRESENT, 0), recorded),
        "decisions": decisions or 0,
    }


def action_figures(store_id: int, first: date, last: date, today: date) -> dict:
    zone = _zone()
    begin, end = _utc(first, zone), _utc(last + timedelta(days=1), zone)
    opened = db.session.scalar(select(func.count()).select_from(ActionItem).where(
        ActionItem.store_id == store_id, ActionItem.created_at >= begin, ActionItem.created_at < end))
    due_until = min(last, today - timedelta(days=1))
    due = db.session.execute(
        select(ActionItem.deadline, ActionItem.done_at, ActionItem.status)
        .where(ActionItem.store_id == store_id, ActionItem.status != CANCELLED,
               ActionItem.deadline >= first, ActionItem.deadline <= due_until)).all()
    on_time = sum(1 for deadline, done_at, _s in due
                  if done_at is not None and done_at.replace(tzinfo=UTC).astimezone(zone).date() <= deadline)
    still_open = sum(1 for _d, _done, status in due if status in ACTIVE_STATUSES)
    extended = db.session.scalar(
        select(func.count(distinct(ActionItemUpdate.action_item_id))).join(ActionItemUpdate.action_item)
        .where(ActionItem.store_id == store_id, ActionItemUpdate.event == "extended",
               ActionItemUpdate.at >= begin, ActionItemUpdate.at < end))
    return {
        "opened": opened or 0,
        "due": len(due),
        "on_time": on_time,
        "on_time_rate": _share(on_time, len(due)),
        "overdue": len(due) - on_time,
        "still_open": still_open,
        "extended": extended or 0,
    }


def goal_figures(store_id: int, first: date, last: date, as_of: date) -> list[dict]:
    goals = db.session.scalars(
        select(Goal).where(Goal.store_id == store_id, Goal.person_id.is_(None),
                           Goal.period_start <= last, Goal.period_end >= first)
        .order_by(Goal.period_start, Goal.id)).all()
    progresses = progress_for(goals, as_of)
    rows = []
    for goal in goals:
        p = progresses[goal.id]
        rows.append({
            "id": goal.id, "title": goal.title, "kpi": _kpi_names(goal.kpi),
            "period_kind": goal.period_kind, "period_start": goal.period_start.isoformat(),
            "target": goal.target, "baseline": goal.baseline, "actual": p.actual,
            "attainment": p.attainment, "status": p.status, "stage": goal.stage,
        })
    return rows


def _kpi_names(kpi: Kpi) -> dict:
    return {"code": kpi.code, "name_zh": kpi.name_zh, "name_en": kpi.name_en, "unit": kpi.unit,
            "direction": kpi.direction, "aggregation": kpi.aggregation}


def _combine(kpi: Kpi, values: list[float]) -> float | None:
    if not values:
        return None
    return sum(values) if kpi.is_summed else sum(values) / len(values)


def _change(kpi: Kpi, now: float | None, before: float | None) -> dict | None:
    if now is None or before is None:
        return None
    delta = now - before
    better = {HIGHER: delta > 0, LOWER: delta < 0}.get(kpi.direction) if delta else None
    if kpi.direction == BAND and delta and (band := band_of(kpi)):
        def distance(v):
            return max(band[0] - v, v - band[1], 0)
        better = distance(now) < distance(before) if distance(now) != distance(before) else None
    return {"from": before, "delta": delta, "ratio": delta / abs(before) if before else None, "better": better}


def kpi_figures(store_id: int, kind: str, first: date, last: date, as_of: date) -> list[dict]:
    kpis = db.session.scalars(select(Kpi).where(Kpi.active.is_(True), Kpi.scope == STORE_SCOPE)
                              .order_by(Kpi.builtin.desc(), Kpi.id)).all()
    chart = months_between(add_months(last, 1 - CHART_MONTHS), last)
    window_first = min(chart[0], add_months(first, -12))
    found = monthly_values(store_id, [k.id for k in kpis], None, window_first, last) if kpis else {}
    rows = []
    for kpi in kpis:
        values = found.get(kpi.id, {})
        series = [values.get(m) for m in chart]
        if all(v is None for v in series):
            continue
        if kind == YEAR:
            # Like for like: the previous year over the months this year has values for.
            months = [m for m in months_between(first, last) if m <= as_of and m in values]
            now = _combine(kpi, [values[m] for m in months])
            before = _combine(kpi, [values[add_months(m, -12)] for m in months if add_months(m, -12) in values])
            previous, last_year = _change(kpi, now, before), None
        else:
            now = values.get(first)
            previous = _change(kpi, now, values.get(add_months(first, -1)))
            last_year = _change(kpi, now, values.get(add_months(first, -12)))
        band = band_of(kpi)
        rows.append({
            "kpi": _kpi_names(kpi), "value": now, "target": kpi.default_target,
            "band": list(band) if band else None,
            "attainment": attainment(kpi.direction, kpi.default_target, now, band=band),
            "previous": previous, "last_year": last_year,
            "chart": {"months": [m.isoformat() for m in chart], "values": series},
        })
    return rows


def coaching_figures(store_id: int, first: date, last: date, today: date) -> dict:
    held = db.session.execute(select(CoachingSession.person_id).where(
        CoachingSession.store_id == store_id, CoachingSession.steps_done >= PLAN,
        CoachingSession.held_on >= first, CoachingSession.held_on <= last)).scalars().all()
    staff = staff_count_during(store_id, first, last)  # the period's staff, not today's
    followed = db.session.scalars(select(CoachingSession).where(
        CoachingSession.store_id == store_id, CoachingSession.steps_done >= MOTIVATE,
        CoachingSession.follow_up_on >= first, CoachingSession.follow_up_on <= min(last, today))).all()
    narrowed = total = pending = 0
    for rows in effects(followed, today).values():
        result = session_verdict(rows)
        if result == NO_GAP:
            continue
        if result is None:
            pending += 1
            continue
        total += 1
        narrowed += result in (GAP_CLOSED, NARROWED)
    coached = len(set(held))
    return {"held": len(held), "coached": coached, "staff": staff, "coverage": _share(coached, staff),
            "followed_up": len(followed), "narrowed": narrowed, "judged": total, "pending": pending,
            "effect": _share(narrowed, total)}


def assessment_figures(store_id: int, first: date, last: date) -> dict | None:
    review = db.session.scalar(
        select(ManagerReview).where(ManagerReview.store_id == store_id, ManagerReview.reviewed_on >= first,
                                    ManagerReview.reviewed_on <= last)
        .order_by(ManagerReview.reviewed_on.desc(), ManagerReview.id.desc()).limit(1))
    if review is None:
        return None
    return {"id": review.id, "reviewed_on": review.reviewed_on.isoformat(), "verdict": review.verdict,
            "met": review.met_count, "total": len(DUTIES), "manager": review.manager.display_name,
            "reviewer": review.reviewer.display_name}


# --- the report's life ------------------------------------------------------------------------

def find_report(store_id: int, kind: str, start: date) -> Report | None:
    return db.session.scalar(select(Report).where(Report.store_id == store_id, Report.kind == kind,
                                                  Report.period_start == normal_start(kind, start)))


def start_report(store_id: int, kind: str, start: date, user_id: int, today: date) -> Report:
    """The draft of the period (made now if there is none yet): one report per store and period."""
    start = normal_start(kind, start)
    if start > today:
        raise RuleViolation(_period_not_begun())
    report = find_report(store_id, kind, start)
    if report is None:
        report = Report(store_id=store_id, kind=kind, period_start=start, created_by_id=user_id,
                        updated_by_id=user_id, meeting_id=_review_meeting_id(store_id, kind, start))
        db.session.add(report)
        db.session.flush()
    return report


def _period_not_begun() -> str:
    return _("That period has not begun yet: a review is written about a month or year that has started.")


def review_meeting_choices(store_id: int, kind: str, start: date) -> list[Meeting]:
    """The store's monthly (or year-end) review meetings from the period's start to two months after
    its end: where the report would be presented."""
    first, last = period_bounds(kind, start)
    return db.session.scalars(select(Meeting).where(
        Meeting.store_id == store_id, Meeting.kind == (ANNUAL if kind == YEAR else MONTHLY),
        Meeting.meeting_date >= first, Meeting.meeting_date <= add_months(last, 2))
        .order_by(Meeting.meeting_date)).all()


def _review_meeting_id(store_id: int, kind: str, start: date) -> int | None:
    """The first review meeting after the period's end (else within it), if one is planned."""
    choices = review_meeting_choices(store_id, kind, start)
    last = period_bounds(kind, start)[1]
    after = [m for m in choices if m.meeting_date > last]
    chosen = (after or choices or [None])[0]
    return chosen.id if chosen else None


def save_narrative(report: Report, texts: dict[str, str], base_version: int, user_id: int) -> Report:
    """Save the narrative unless someone saved since base_version: check and write in one UPDATE, so
    two app processes cannot both win. A published report's text is frozen with its figures."""
    if report.is_published:
        raise RuleViolation(_("This review is published: its text and figures are frozen."))
    texts = {key: texts.get(key, "") for key in NARRATIVE}
    if base_version == report.version and all(texts[k] == getattr(report, k) for k in NARRATIVE):
        return report
    old = report.narrative()
    result = db.session.execute(
        update(Report).where(Report.id == report.id, Report.version == base_version, Report.status == DRAFT)
        .values(**texts, version=Report.version + 1, updated_at=utcnow(), updated_by_id=user_id)
        .execution_options(synchronize_session=False))
    if result.rowcount != 1:
        db.session.refresh(report)
        raise VersionConflict(report)
    changed = [k for k in NARRATIVE if old[k] != texts[k]]
    audit.record_object(report, UPDATE, old={k: old[k] for k in changed}, new={k: texts[k] for k in changed})
    db.session.flush()
    db.session.refresh(report)
    return report


def link_meeting(report: Report, meeting_id: int | None, base_version: int, user_id: int) -> Report:
    if report.is_published:
        raise RuleViolation(_("This review is published: its text and figures are frozen."))
    if meeting_id is not None and meeting_id not in {m.id for m in review_meeting_choices(
            report.store_id, report.kind, report.period_start)}:
        raise RuleViolation(_("Choose one of the store's review meetings of this period."))
    check_version(report, base_version)
    report.meeting_id = meeting_id
    report.updated_by_id = user_id
    report.updated_at = utcnow()
    db.session.flush()
    return report


def publish(report: Report, base_version: int, user_id: int, today: date) -> Report:
    """Freeze the figures as they are now (a snapshot) with the narrative; who and when."""
    if report.is_published:
        raise RuleViolation(_("This review is already published."))
    check_version(report, base_version)
    data = figures(report.store_id, report.kind, report.period_start, today)
    report.snapshot = ReportSnapshot(data=json.dumps(data, ensure_ascii=False))
    report.status = PUBLISHED
    report.published_at = utcnow()
    report.published_by_id = user_id
    report.updated_at = report.published_at
    report.version += 1
    db.session.flush()
    return report


def report_figures(report: Report, today: date) -> dict:
    """What the report shows: its frozen snapshot once published, else the figures as they are now."""
    if report.is_published and report.snapshot is not None:
        return json.loads(report.snapshot.data)
    return figures(report.store_id, report.kind, report.period_start, today)


def archive_stmt(store_ids, published_only: bool, kind: str | None = None):
    stmt = select(Report).options(joinedload(Report.store)).where(Report.store_id.in_(list(store_ids)))
    if published_only:
        stmt = stmt.where(Report.status == PUBLISHED)
    if kind in (MONTH, YEAR):
        stmt = stmt.where(Report.kind == kind)
    return stmt.order_by(Report.period_start.desc(), Report.kind, Report.store_id)


def group_reports(store_ids, kind: str, start: date) -> dict[int, Report]:
    """The published reports of the period for the stores, with their snapshots: two queries."""
    rows = db.session.scalars(select(Report).options(selectinload(Report.snapshot)).where(
        Report.store_id.in_(list(store_ids)), Report.kind == kind,
        Report.period_start == normal_start(kind, start))).all()
    return {r.store_id: r for r in rows}


def report_of_meeting(meeting_id: int) -> Report | None:
    return db.session.scalar(select(Report).where(Report.meeting_id == meeting_id).limit(1))
