"""The agenda comes from the data: topics a new weekly meeting is offered, and goals it discusses.

A new weekly meeting's theme discussion is offered the store's KPI exceptions (KPIs below
target with no goal, goals off track, goals with no check this month); its review is offered
PDCA plan steps due that have no action item yet (those with one are in the review already).
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from ..audit import services as audit
from ..audit.models import UPDATE
from ..common import RuleViolation
from ..extensions import db
from ..goals.models import Goal, meeting_goal
from ..goals.progress import goals_without_check, kpis_below_target, plan_steps_due
from ..goals.rules import OFF_TRACK
from .models import REVIEW, THEME, WEEKLY, AgendaProposal, Meeting


def propose_topics(meeting: Meeting, today: date) -> list[AgendaProposal]:
    if meeting.kind != WEEKLY:
        return []
    proposals = [
        AgendaProposal(agenda_kind=THEME, kind="kpi_below_target", kpi_id=e.kpi.id, value=e.value)
        for e in kpis_below_target(meeting.store_id, today)
    ]
    for goal, progress in goals_without_check(meeting.store_id, today):
        kind = "goal_off_track" if progress.status == OFF_TRACK else "goal_no_check"
        proposals.append(AgendaProposal(agenda_kind=THEME, kind=kind, goal_id=goal.id, kpi_id=goal.kpi_id,
                                        value=progress.attainment))
    proposals += [
        AgendaProposal(agenda_kind=REVIEW, kind="plan_step_due", plan_step_id=step.id, goal_id=step.goal_id)
        for step in plan_steps_due(meeting.store_id, today, meeting.meeting_date)
        if step.action_item_id is None
    ]
    for proposal in proposals:
        proposal.meeting_id = meeting.id
        db.session.add(proposal)
    db.session.flush()
    return proposals


def decide(proposal: AgendaProposal, keep: bool) -> None:
    """Keep or drop a proposed topic; keeping one about a goal links the goal to the meeting."""
    meeting = db.session.get(Meeting, proposal.meeting_id)
    if meeting.is_closed:
        raise RuleViolation(_("This meeting is closed; its record can no longer change."))
    proposal.kept = keep
    if proposal.goal_id and proposal.agenda_kind == THEME:
        goal = db.session.get(Goal, proposal.goal_id)
        if keep:
            link_goal(meeting, goal)
        elif goal in meeting_goals(meeting):
            unlink_goal(meeting, goal)
    db.session.flush()


def meeting_goals(meeting: Meeting) -> list[Goal]:
    return db.session.scalars(
        select(Goal).join(meeting_goal, meeting_goal.c.goal_id == Goal.id)
        .where(meeting_goal.c.meeting_id == meeting.id).order_by(Goal.id)
    ).all()


def link_goal(meeting: Meeting, goal: Goal) -> None:
    if goal.store_id != meeting.store_id:
        raise RuleViolation(_("That goal belongs to another store."))
    linked = meeting_goals(meeting)
    if goal not in linked:
        db.session.execute(meeting_goal.insert().values(meeting_id=meeting.id, goal_id=goal.id))
        _record_goals(meeting, linked, [*linked, goal])


def unlink_goal(meeting: Meeting, goal: Goal) -> None:
    linked = meeting_goals(meeting)
    if goal in linked:
        db.session.execute(meeting_goal.delete().where(
            meeting_goal.c.meeting_id == meeting.id, meeting_goal.c.goal_id == goal.id))
        _record_goals(meeting, linked, [g for g in linked if g is not goal])


def _record_goals(meeting: Meeting, old: list[Goal], new: list[Goal]) -> None:
    """The link rows are written by statements, which the trail's flush listener does not see."""
    audit.record(UPDATE, object_type="meeting", object_id=meeting.id, store_id=meeting.store_id,
                 old={"goals": sorted(g.id for g in old)}, new={"goals": sorted(g.id for g in new)})


def proposals_for(meeting: Meeting) -> dict[str, list[AgendaProposal]]:
    rows = db.session.scalars(
        select(AgendaProposal).where(AgendaProposal.meeting_id == meeting.id).order_by(AgendaProposal.id)
        .options(selectinload(AgendaProposal.kpi), selectinload(AgendaProposal.goal),
                 selectinload(AgendaProposal.plan_step))
    ).all()
    grouped: dict[str, list[AgendaProposal]] = {THEME: [], REVIEW: []}
    for row in rows:
        grouped.setdefault(row.agenda_kind, []).append(row)
    return grouped


def linkable_goals(meeting: Meeting, today: date) -> list[Goal]:
    """The store's goals that are running, for the theme discussion to name."""
    return db.session.scalars(
        select(Goal).where(Goal.store_id == meeting.store_id, Goal.period_end >= date(today.year, today.month, 1))
        .order_by(Goal.id)
    ).all()
