"""Rules of the problem register: raising, triage, measures, the effectiveness check that closes a
problem, the report back to whoever raised it, reopening, and the register's lists.

The close rule: a problem closes only through an effectiveness check that finds no recurrence, and
that check may be recorded only when
  - the problem has been triaged (owner, deadline, cause) and has at least one measure,
  - every measure (action item) is done or cancelled, at least one of them done, and
  - the check window (`check_days`, set at triage) has passed since the last measure was done:
    "did it recur within N days after the fix?" can only be answered N days after the fix.
A check that finds the problem recurred keeps it open (new measures are needed). Whoever raised the
problem may reopen it within `PROBLEM_REOPEN_DAYS` (config, 7 by default) after it closed.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select

from ..actions.models import CANCELLED as ACTION_CANCELLED
from ..actions.models import DONE as ACTION_DONE
from ..actions.services import create_action_item
from ..common import RuleViolation, check_version
from ..extensions import db
from ..meetings.models import PLANNED, QA, Meeting
from ..months import add_months, month_start
from ..textsearch import contains, normalise, words
from ..timeutils import local_today, utcnow
from . import notices
from .models import (
    ACTIVE,
    CLOSED,
    COMEBACK,
    NEW,
    NOT_RECURRED,
    OPEN,
    RECURRED,
    URGENT,
    Problem,
    ProblemEvent,
    ProblemMeasure,
    ProblemMeeting,
    ProblemSettings,
)


def local_day(moment: datetime | None) -> date | None:
    """A stored (naive UTC) moment as the day it was where the department works."""
    if moment is None:
        return None
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=timezone.utc).astimezone(tz).date()


def log(problem: Problem, author_id: int, event: str, note: str = "") -> None:
    db.session.add(ProblemEvent(problem_id=problem.id, author_id=author_id, event=event, note=note))


def _search_text(p: Problem) -> str:
    return normalise(p.title, p.description, p.location, p.original_ro, p.return_ro, p.plate, p.vin,
                     p.vehicle_model, p.cause_analysis)


def settings_for(store_id: int) -> ProblemSettings:
    return db.session.get(ProblemSettings, store_id) or ProblemSettings(store_id=store_id)


def set_delegate(store_id: int, delegate_id: int | None) -> ProblemSettings:
    settings = db.session.get(ProblemSettings, store_id)
    if settings is None:
        settings = ProblemSettings(store_id=store_id)
        db.session.add(settings)
    settings.delegate_id = delegate_id
    db.session.flush()
    return settings


def raise_problem(*, store_id: int, raised_by_id: int, title: str, kind: str = "problem", description="",
                  location="", urgency="can_wait", type="other", original_ro="", return_ro="", plate="",
                  vin="", vehicle_model="", technician_id=None) -> Problem:
    problem = Problem(store_id=store_id, raised_by_id=raised_by_id, kind=kind, title=title.strip(),
                      description=(description or "").strip(), location=(location or "").strip(),
                      urgency=urgency, type=type, original_ro=(original_ro or "").strip(),
                      return_ro=(return_ro or "").strip(), plate=(plate or "").strip().upper(),
                      vin=(vin or "").strip().upper(), vehicle_model=(vehicle_model or "").strip(),
                      technician_id=technician_id, status=NEW)
    problem.search_text = _search_text(problem)
    db.session.add(problem)
    db.session.flush()
    log(problem, raised_by_id, "raised")
    db.session.flush()
    return problem


def correct_report(problem: Problem, user_id: int, base_version: int | None, *, kind: str, title: str,
                   description: str, location: str, original_ro: str, return_ro: str, plate: str, vin: str,
                   vehicle_model: str, technician_id: int | None) -> Problem:
    """Correct what was reported (a typo, the VIN read later, the returning repair order): the same
    fields as raising it, under the version the editor saw. A closed problem's record stays as it was."""
    check_version(problem, base_version)
    if problem.status == CLOSED:
        raise RuleViolation(_("This problem is closed; what was reported can no longer change. Whoever raised "
                              "it can reopen it."))
    problem.kind, problem.title = kind, title.strip()
    problem.description, problem.location = (description or "").strip(), (location or "").strip()
    problem.original_ro, problem.return_ro = (original_ro or "").strip(), (return_ro or "").strip()
    problem.plate, problem.vin = (plate or "").strip().upper(), (vin or "").strip().upper()
    problem.vehicle_model, problem.technician_id = (vehicle_model or "").strip(), technician_id
    problem.search_text = _search_text(problem)
    problem.updated_at = utcnow()
    log(problem, user_id, "corrected")
    db.session.flush()
    return problem


def triage(problem: Problem, user_id: int, base_version: int | None, *, owner_id: int, deadline: date,
           urgency: str, type: str, cause: str, cause_origin: str, cause_analysis: str, check_days: int) -> Problem:
    check_version(problem, base_version)
    if problem.status == CLOSED:
        raise RuleViolation(_("This problem is closed. Whoever raised it can reopen it."))
    first = problem.triaged_at is None
    problem.owner_id, problem.deadline = owner_id, deadline
    problem.urgency, problem.type = urgency, type
    problem.cause, problem.cause_origin = cause, cause_origin
    problem.cause_analysis = (cause_analysis or "").strip()
    problem.check_days = check_days
    problem.triaged_at, problem.triaged_by_id = utcnow(), user_id
    problem.status = OPEN
    problem.search_text = _search_text(problem)
    problem.updated_at = utcnow()
    log(problem, user_id, "triaged" if first else "edited")
    db.session.flush()
    return problem


def add_measure(problem: Problem, user_id: int, *, kind: str, title: str, owner_id: int, deadline: date,
                description: str = "") -> ProblemMeasure:
    if problem.status != OPEN:
        raise RuleViolation(_("Measures are added once the problem has been triaged and while it is open."))
    item = create_action_item(store_id=problem.store_id, title=title, owner_id=owner_id, deadline=deadline,
                              created_by_id=user_id, description=description)
    measure = ProblemMeasure(problem_id=problem.id, action_item_id=item.id, kind=kind)
    db.session.add(measure)
    log(problem, user_id, "measure", title.strip())
    problem.updated_at = utcnow()
    db.session.flush()
    return measure


@dataclass
class CheckState:
    """Whether the effectiveness check may be recorded now, and if not, why."""
    ready: bool
    reason: str = ""
    from_day: date | None = None  # the first day the check may be recorded


def measures_done_on(problem: Problem) -> date | None:
    """The day the last measure was done, when all are finished (done or cancelled) and one is done."""
    items = [m.action_item for m in problem.measures]
    if not items or any(i.status not in (ACTION_DONE, ACTION_CANCELLED) for i in items):
        return None
    done = [i.done_at for i in items if i.status == ACTION_DONE and i.done_at]
    return local_day(max(done)) if done else None


def check_state(problem: Problem, today: date) -> CheckState:
    if problem.status == NEW:
        return CheckState(False, _("Triage the problem first: owner, deadline and cause."))
    if problem.status == CLOSED:
        return CheckState(False, _("This problem is closed."))
    if not problem.measures:
        return CheckState(False, _("Record the corrective measure and the measure against recurrence first."))
    done_on = measures_done_on(problem)
    if done_on is None:
        return CheckState(False, _("Every measure must be done (or cancelled, with one done) before the check."))
    from_day = done_on + timedelta(days=problem.check_days)
    if today < from_day:
        return CheckState(False, _("The check window runs until %(day)s: whether the problem recurs can only be "
                                   "told after it.", day=from_day.isoformat()), from_day)
    return CheckState(True, from_day=from_day)


def record_check(problem: Problem, user_id: int, base_version: int | None, result: str, note: str,
                 today: date) -> Problem:
    """The effectiveness check. No recurrence closes the problem and reports back; a recurrence keeps
    it open for new measures."""
    check_version(problem, base_version)
    state = check_state(problem, today)
    if not state.ready:
        raise RuleViolation(state.reason)
    problem.check_result, problem.check_note = result, (note or "").strip()
    problem.checked_on, problem.checked_by_id = today, user_id
    problem.updated_at = utcnow()
    if result == RECURRED:
        log(problem, user_id, "check_failed", problem.check_note)
    else:
        problem.status, problem.closed_at = CLOSED, utcnow()
        log(problem, user_id, "closed", problem.check_note)
        report_back(problem, user_id)
    db.session.flush()
    return problem


def close(problem: Problem, user_id: int, base_version: int | None, today: date) -> Problem:
    """Closing is the effectiveness check: there is no other way (see the module's docstring)."""
    return record_check(problem, user_id, base_version, NOT_RECURRED, "", today)


def report_back(problem: Problem, author_id: int | None = None) -> None:
    """Report the result to whoever raised the problem.

    Their problem page and "my problems" show the result, with a marker until they open the problem
    (`result_seen_at`); a notification (bell and e-mail) tells them, in the same transaction."""
    problem.reported_at = utcnow()
    problem.result_seen_at = None
    log(problem, author_id or problem.raised_by_id, "reported")
    notices.result(problem)


def mark_seen(problem: Problem, user_id: int) -> bool:
    """Whoever raised it opened the problem after the report back: the marker goes."""
    if problem.raised_by_id != user_id or not problem.result_unseen:
        return False
    problem.result_seen_at = utcnow()
    log(problem, user_id, "seen")
    db.session.flush()
    return True


def check_days_default() -> int:
    return int(current_app.config["PROBLEM_CHECK_DAYS"])


def reopen_days() -> int:
    return int(current_app.config["PROBLEM_REOPEN_DAYS"])


def reopen_until(problem: Problem) -> date | None:
    if problem.status != CLOSED or problem.closed_at is None:
        return None
    return local_day(problem.closed_at) + timedelta(days=reopen_days())


def can_still_reopen(problem: Problem, today: date) -> bool:
    until = reopen_until(problem)
    return until is not None and today <= until


def reopen(problem: Problem, user_id: int, base_version: int | None, reason: str, today: date) -> Problem:
    check_version(problem, base_version)
    if problem.status != CLOSED:
        raise RuleViolation(_("Only a closed problem can be reopened."))
    if not can_still_reopen(problem, today):
        raise RuleViolation(_("A problem can be reopened within %(days)d days after it closed; raise a new "
                              "one instead.", days=reopen_days()))
    problem.status, problem.closed_at = OPEN, None
    problem.check_result, problem.checked_on, problem.checked_by_id = None, None, None
    problem.reported_at = problem.result_seen_at = None
    problem.reopen_count += 1
    problem.updated_at = utcnow()
    log(problem, user_id, "reopened", reason.strip())
    db.session.flush()
    return problem


# --- meetings -------------------------------------------------------------------------------

def next_meeting(store_id: int, today: date) -> Meeting | None:
    """The store's next meeting still to be held: the earliest planned one from today on."""
    return db.session.scalar(select(Meeting).where(
        Meeting.store_id == store_id, Meeting.status == PLANNED, Meeting.meeting_date >= today)
        .order_by(Meeting.meeting_date, Meeting.start_time, Meeting.id).limit(1))


def put_on_agenda(problem: Problem, meeting: Meeting, user_id: int) -> ProblemMeeting:
    if meeting.store_id != problem.store_id:
        raise RuleViolation(_("Choose a meeting of the problem's store."))
    if meeting.is_closed:
        raise RuleViolation(_("This meeting is closed; put the problem on the next one."))
    if not problem.is_active:
        raise RuleViolation(_("Only open problems go on a meeting's agenda."))
    if db.session.scalar(select(ProblemMeeting.id).where(ProblemMeeting.problem_id == problem.id,
                                                         ProblemMeeting.meeting_id == meeting.id)):
        raise RuleViolation(_("This problem is already on that meeting's agenda."))
    link = ProblemMeeting(problem_id=problem.id, meeting_id=meeting.id, agenda_item_id=agenda_target(meeting),
                          added_by_id=user_id)
    db.session.add(link)
    log(problem, user_id, "agenda", meeting.theme)
    db.session.flush()
    return link


def meetings_of(problem: Problem) -> list[ProblemMeeting]:
    return db.session.scalars(select(ProblemMeeting).where(ProblemMeeting.problem_id == problem.id)
                              .join(Meeting).order_by(Meeting.meeting_date)).all()


def agenda_target(meeting) -> int | None:
    """The agenda item problems go into: questions and answers, else the theme discussion."""
    item = meeting.agenda_item(QA) or meeting.agenda_item("theme")
    return item.id if item else None


def problems_for_meeting(meeting) -> dict:
    """What the meeting page and minutes show of problems (app/meetings/extras.py): the problems on
    the agenda, the item they show under, and (for the manager of an open meeting) the store's open
    problems still to add."""
    links = db.session.scalars(select(ProblemMeeting).where(ProblemMeeting.meeting_id == meeting.id)
                               .order_by(ProblemMeeting.id)).all()
    return {"links": links, "item_id": agenda_target(meeting),
            "candidates": open_problems_not_on(meeting) if not meeting.is_closed else []}


def open_problems_not_on(meeting) -> list[Problem]:
    """The store's open problems not yet on this meeting's agenda, urgent first, for one-step adding."""
    on = select(ProblemMeeting.problem_id).where(ProblemMeeting.meeting_id == meeting.id)
    return db.session.scalars(select(Problem).where(
        Problem.store_id == meeting.store_id, Problem.status.in_(ACTIVE), Problem.id.not_in(on))
        .order_by(case((Problem.urgency == URGENT, 0), else_=1), Problem.raised_at.desc()).limit(50)).all()


# --- the register ---------------------------------------------------------------------------

AGES = {"week": 7, "month": 30, "quarter": 90}


@dataclass
class Filters:
    q: str = ""
    status: str = ""
    urgency: str = ""
    type: str = ""
    kind: str = ""
    cause: str = ""
    owner_id: int | None = None
    age: str = ""  # open longer than a week, a month, a quarter
    overdue: bool = False


def register_stmt(store_id: int, f: Filters, today: date) -> Select:
    stmt = select(Problem).where(Problem.store_id == store_id)
    if f.status == "active":
        stmt = stmt.where(Problem.status.in_(ACTIVE))
    elif f.status:
        stmt = stmt.where(Problem.status == f.status)
    for column, value in ((Problem.urgency, f.urgency), (Problem.type, f.type), (Problem.kind, f.kind),
                          (Problem.cause, f.cause), (Problem.owner_id, f.owner_id)):
        if value:
            stmt = stmt.where(column == value)
    if f.age in AGES:
        cutoff = datetime.combine(today - timedelta(days=AGES[f.age]), datetime.min.time())
        stmt = stmt.where(Problem.status.in_(ACTIVE), Problem.raised_at < cutoff)
    if f.overdue:
        stmt = stmt.where(Problem.status.in_(ACTIVE), Problem.deadline < today)
    for word in words(f.q):
        stmt = stmt.where(contains(Problem.search_text, word))
    active_first = case((Problem.status.in_(ACTIVE), 0), else_=1)
    urgent_first = case((Problem.urgency == URGENT, 0), else_=1)
    return stmt.order_by(active_first, urgent_first, Problem.raised_at.desc(), Problem.id.desc())


def month_counts(store_id: int, today: date, months: int = 12) -> list[tuple[date, int, int]]:
    """(month, problems raised, of which comebacks) for the last `months` months, oldest first.
    Counted in Python from one query: month arithmetic in SQL differs between the databases."""
    first = add_months(month_start(today), -(months - 1))
    rows = db.session.execute(select(Problem.raised_at, Problem.kind).where(
        Problem.store_id == store_id, Problem.raised_at >= datetime.combine(first, datetime.min.time()))).all()
    counts = {add_months(first, i): [0, 0] for i in range(months)}
    for raised_at, kind in rows:
        key = month_start(local_day(raised_at))
        if key in counts:
            counts[key][0] += 1
            counts[key][1] += kind == COMEBACK
    return [(m, n, c) for m, (n, c) in counts.items()]


def mine_stmt(user_id: int) -> Select:
    """What the user raised, unread results first, then open ones, newest first."""
    unseen_first = case(((Problem.reported_at.is_not(None)) & (Problem.result_seen_at.is_(None)), 0), else_=1)
    return (select(Problem).where(or_(Problem.raised_by_id == user_id))
            .order_by(unseen_first, Problem.raised_at.desc(), Problem.id.desc()))


def owned_stmt(user_id: int) -> Select:
    return (select(Problem).where(Problem.owner_id == user_id, Problem.status.in_(ACTIVE))
            .order_by(Problem.deadline, Problem.id))


def unseen_count_stmt(user_id: int):
    """The user's problems whose result was reported back and not yet read: the header's count."""
    return select(func.count()).select_from(Problem).where(
        Problem.raised_by_id == user_id, Problem.reported_at.is_not(None), Problem.result_seen_at.is_(None))


def open_urgent(store_id: int, limit: int = 10) -> list[Problem]:
    """The dashboard's list: open urgent problems, oldest first."""
    return db.session.scalars(select(Problem).where(
        Problem.store_id == store_id, Problem.status.in_(ACTIVE), Problem.urgency == URGENT)
        .order_by(Problem.raised_at).limit(limit)).all()


def default_deadline(today: date | None = None) -> date:
    return (today or local_today()) + timedelta(days=7)
