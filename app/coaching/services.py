"""Coaching rules: a talk walks through the five steps in order, each saved as it is completed, and is
followed up on a date of its own. Plain functions; the routes call them and commit.

A step can be saved only when the steps before it are done (no skipping) and only once: a second save
of a completed step means someone else saved it meanwhile, which is reported as a conflict rather
than overwriting what was recorded.
"""
from datetime import date, timedelta

from flask_babel import format_date
from flask_babel import gettext as _
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, lazyload

from ..actions.services import cancel as cancel_action_item
from ..actions.services import create_action_item
from ..auth.models import STAFF, User
from ..common import RuleViolation, VersionConflict
from ..extensions import db
from ..kpis.models import PERSON_SCOPE, Kpi
from ..kpis.services import active_kpis
from ..months import add_months, previous_month
from ..timeutils import utcnow
from . import notices
from .analysis import earliest_follow_up
from .models import CONFIRM, GAP, MOTIVATE, PLAN, PURPOSE, CoachingMeasure, CoachingSession

GAP_MONTHS = (1, 3, 6, 12)


def person_kpis(person: User) -> list[Kpi]:
    return [k for k in active_kpis(PERSON_SCOPE) if k.applies_to(person)]


def start_session(*, store_id: int, person: User, manager_id: int, kpi_ids, held_on: date) -> CoachingSession:
    if person.store_id != store_id or person.role != STAFF:
        raise RuleViolation(_("Coach a staff member of your own store."))
    allowed = {k.id: k for k in person_kpis(person)}
    chosen = [allowed[i] for i in dict.fromkeys(kpi_ids or []) if i in allowed]
    if not chosen:
        raise RuleViolation(_("Choose at least one of the person's KPIs."))
    session = CoachingSession(store_id=store_id, person_id=person.id, manager_id=manager_id, held_on=held_on,
                              kpis=chosen)
    db.session.add(session)
    db.session.flush()
    return session


# --- the five steps ---------------------------------------------------------------------------

def _open_step(session: CoachingSession, step: int) -> None:
    if step <= session.steps_done:
        raise VersionConflict(session)
    if step > session.steps_done + 1:
        raise RuleViolation(_("Complete the steps in order: step %(num)d comes next.", num=session.steps_done + 1))


def _done(session: CoachingSession, step: int) -> None:
    session.steps_done = step
    session.updated_at = utcnow()


def save_purpose(session: CoachingSession, purpose: str) -> None:
    _open_step(session, PURPOSE)
    session.purpose = purpose.strip()
    _done(session, PURPOSE)


def gap_span(session: CoachingSession, months: int) -> tuple[date, date]:
    """The `months` complete months before the talk's month: (first, last)."""
    last = previous_month(session.held_on)
    return add_months(last, -(months - 1)), last


def save_gap(session: CoachingSession, months: int, remarks: str) -> None:
    """Fixes the period the gap is read over: the `months` complete months before the talk (not
    before the day this step is saved, so a talk finished later never overlaps its own effect)."""
    _open_step(session, GAP)
    if months not in GAP_MONTHS:
        raise RuleViolation(_("Choose a period for the gap."))
    session.gap_from, session.gap_to = gap_span(session, months)
    session.gap_remarks = (remarks or "").strip()
    _done(session, GAP)


def add_measure(session: CoachingSession, what: str, due: date | None, as_action: bool, user_id: int,
                today: date) -> CoachingMeasure:
    """A concrete measure of step 3; as an action item it is owned by the person coached."""
    if session.steps_done >= PLAN:
        raise VersionConflict(session)
    _open_step(session, PLAN)
    if as_action and due is None:
        raise RuleViolation(_("An action item needs a deadline."))
    if due is not None and due < today:
        raise RuleViolation(_("The deadline cannot be in the past."))
    what = what.strip()
    measure = CoachingMeasure(session=session, what=what, due=due, position=len(session.measures))
    db.session.add(measure)
    if as_action:
        measure.action_item = create_action_item(
            store_id=session.store_id, title=what, owner_id=session.person_id, deadline=due,
            created_by_id=user_id, description=_("Agreed in a coaching talk on %(day)s.",
                                                 day=format_date(session.held_on)))
    session.updated_at = utcnow()
    db.session.flush()
    return measure


def save_plan(session: CoachingSession, notes: str) -> None:
    _open_step(session, PLAN)
    if not session.measures:
        raise RuleViolation(_("Agree at least one concrete measure."))
    session.plan_notes = (notes or "").strip()
    _done(session, PLAN)
    notices.plan_awaits_acknowledgement(session)


def acknowledge(session: CoachingSession, user: User) -> None:
    """The coached person confirms the plan from their own login; saying it twice changes nothing."""
    if user.id != session.person_id:
        raise RuleViolation(_("Only the person coached can acknowledge the plan."))
    if session.steps_done < PLAN:
        raise RuleViolation(_("There is no plan to acknowledge yet."))
    if session.acknowledged_at is None:
        session.acknowledged_at = utcnow()
        session.updated_at = utcnow()


def save_confirmation(session: CoachingSession, questions: str, verbal: bool) -> None:
    _open_step(session, CONFIRM)
    if not session.acknowledged_at and not verbal:
        raise RuleViolation(_("The plan needs confirming: %(name)s acknowledges it from their own login, or you "
                              "record a verbal confirmation.", name=session.person.display_name))
    session.verbal_confirmation = verbal and not session.acknowledged_at
    session.questions = (questions or "").strip()
    _done(session, CONFIRM)


def save_motivation(session: CoachingSession, agreed: str, recognition: str, support: str,
                    follow_up_on: date, today: date) -> None:
    """The follow-up comes once a whole month after the talk's month is complete (KPI data is
    monthly), within a year of the talk, and not in the past."""
    _open_step(session, MOTIVATE)
    earliest = earliest_follow_up(session.held_on)
    if follow_up_on < earliest:
        raise RuleViolation(_("Set the follow-up on %(day)s or later: the effect is read from at least one "
                              "whole month after the talk.", day=format_date(earliest)))
    if follow_up_on > session.held_on + timedelta(days=366):
        raise RuleViolation(_("Set the follow-up within a year of the talk."))
    if follow_up_on <= today:
        raise RuleViolation(_("Set a follow-up date after today."))
    session.agreed = agreed.strip()
    session.recognition = (recognition or "").strip()
    session.support = (support or "").strip()
    session.follow_up_on = follow_up_on
    _done(session, MOTIVATE)


def follow_up_open(session: CoachingSession, today: date) -> bool:
    return session.finished and session.follow_up_on is not None and today >= session.follow_up_on


def record_follow_up(session: CoachingSession, conclusion: str, base_version: int | None, today: date) -> None:
    """The manager's conclusion at the follow-up; it may be revised, but not over someone else's."""
    if not follow_up_open(session, today):
        raise RuleViolation(_("The follow-up is not due yet."))
    if base_version != session.version:  # a form without its version is as stale as an old one
        raise VersionConflict(session)
    session.follow_up_conclusion = conclusion.strip()
    session.followed_up_at = utcnow()
    session.updated_at = utcnow()


def can_discard(session: CoachingSession) -> bool:
    """A talk started by mistake or broken off may be discarded until its plan is agreed."""
    return session.steps_done < PLAN


def discard_session(session: CoachingSession, user_id: int) -> None:
    """Deletes a talk whose plan is not agreed yet. Action items already made from its measures are
    cancelled, not deleted, so their history stays."""
    if not can_discard(session):
        raise RuleViolation(_("The plan of this talk is agreed: it can no longer be discarded."))
    for measure in session.measures:
        if measure.action_item is not None and measure.action_item.is_active:
            cancel_action_item(measure.action_item, user_id, _("The coaching talk was discarded."))
    db.session.delete(session)


# --- lists ----------------------------------------------------------------------------------

# What a list of talks shows (coaching/_sessions_table.html): the person's name, the KPIs, the steps and
# dates. Not the manager, nor the person's store: joined to every listed talk, they cost more to load than
# the talk itself (a store page lists some sixty).
LISTED = (lazyload(CoachingSession.manager), joinedload(CoachingSession.person).lazyload(User.store))


def listed(stmt):
    """A list's statement loading only what the list shows."""
    return stmt.options(*LISTED)


def sessions_of_person_stmt(person_id: int, store_ids=None):
    """The person's talks, newest first; only those held in `store_ids` when given (a reader sees the
    talks of their own stores, even when the person has moved)."""
    stmt = select(CoachingSession).where(CoachingSession.person_id == person_id)
    if store_ids is not None:
        stmt = stmt.where(CoachingSession.store_id.in_(list(store_ids)))
    return stmt.order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())


def store_sessions_stmt(store_id: int, person_id: int | None = None, month: date | None = None):
    stmt = select(CoachingSession).where(CoachingSession.store_id == store_id)
    if person_id:
        stmt = stmt.where(CoachingSession.person_id == person_id)
    if month:
        stmt = stmt.where(CoachingSession.held_on >= month, CoachingSession.held_on < add_months(month, 1))
    return stmt.order_by(CoachingSession.held_on.desc(), CoachingSession.id.desc())


LIST_CAP = 20  # the store page's short lists show this many; the paged list of all talks has the rest


def _capped(stmt) -> tuple[list[CoachingSession], int]:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    return db.session.scalars(listed(stmt).limit(LIST_CAP)).all(), total


def unfinished_sessions(store_id: int) -> tuple[list[CoachingSession], int]:
    """The oldest unfinished talks (at most LIST_CAP) and how many there are."""
    return _capped(select(CoachingSession).where(
        CoachingSession.store_id == store_id, CoachingSession.steps_done < MOTIVATE)
        .order_by(CoachingSession.held_on, CoachingSession.id))


def follow_ups_due(store_id: int, today: date) -> tuple[list[CoachingSession], int]:
    """Finished talks whose follow-up date has come and that have no conclusion yet, and how many
    there are. The latest due first (at most LIST_CAP): those are the follow-ups still worth making;
    one left for years stays counted and in the list of all talks."""
    return _capped(select(CoachingSession).where(
        CoachingSession.store_id == store_id, CoachingSession.steps_done >= MOTIVATE,
        CoachingSession.follow_up_on <= today, CoachingSession.followed_up_at.is_(None))
        .order_by(CoachingSession.follow_up_on.desc(), CoachingSession.id.desc()))


def _awaiting(person_id: int):
    return select(CoachingSession).where(
        CoachingSession.person_id == person_id, CoachingSession.steps_done >= PLAN,
        CoachingSession.acknowledged_at.is_(None), CoachingSession.verbal_confirmation.is_(False))


def awaiting_acknowledgement(person_id: int) -> list[CoachingSession]:
    """Talks whose plan the person has not yet acknowledged (and the manager has not confirmed)."""
    return db.session.scalars(_awaiting(person_id).order_by(CoachingSession.held_on)).all()


def awaiting_count_stmt(person_id: int):
    """How many plans wait for the person's acknowledgement: the count beside "My coaching"."""
    return select(func.count()).select_from(_awaiting(person_id).subquery())


def talks_by_person_and_month(store_id: int, months: list[date]) -> dict[tuple[int, date], int]:
    """(person_id, month) -> number of talks, for the months given: one grouped read."""
    if not months:
        return {}
    counts: dict[tuple[int, date], int] = {}
    rows = db.session.execute(select(CoachingSession.person_id, CoachingSession.held_on).where(
        CoachingSession.store_id == store_id, CoachingSession.held_on >= months[0],
        CoachingSession.held_on < add_months(months[-1], 1)))
    for person_id, held_on in rows:
        key = (person_id, held_on.replace(day=1))
        counts[key] = counts.get(key, 0) + 1
    return counts
