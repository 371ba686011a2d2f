"""The agenda from the data: a new weekly meeting is offered KPI exceptions and due plan steps."""
from datetime import date, timedelta

from app.extensions import db
from app.goals.models import Goal, PlanStep
from app.kpis.models import Kpi, KpiValue
from app.meetings import proposals
from app.meetings.models import AgendaProposal
from app.timeutils import local_today


def kpi(code):
    return db.session.scalar(db.select(Kpi).where(Kpi.code == code))


def last_month(today):
    first = date(today.year, today.month, 1)
    return date(first.year - (first.month == 1), (first.month - 2) % 12 + 1, 1)


def store_value(store, code, month, value):
    db.session.add(KpiValue(kpi_id=kpi(code).id, store_id=store.id, subject_key=0, month=month, value=value))


def running_goal(store, manager, code, target, **kw):
    today = local_today()
    goal = Goal(store_id=store.id, kpi_id=kpi(code).id, period_kind="year", period_start=date(today.year, 1, 1),
                period_end=date(today.year, 12, 31), target=target, owner_id=manager.id,
                created_by_id=manager.id, stage="do", **kw)
    db.session.add(goal)
    db.session.flush()
    return goal


def test_new_weekly_meeting_proposes_exceptions_and_due_steps(login, store, manager, staff):
    today = local_today()
    store_value(store, "COMPLAINT_RATE", last_month(today), 1.6)  # target 1 %: an exception
    store_value(store, "PARTS_FILL_RATE", last_month(today), 97)  # above its 95 %: fine
    store_value(store, "CSI", date(today.year, 1, 1), 70)  # far below a running goal's 92
    csi_goal = running_goal(store, manager, "CSI", 92)
    db.session.add(PlanStep(goal_id=csi_goal.id, who_id=staff.id, what="Train the advisors",
                            due=today + timedelta(days=2)))
    db.session.commit()
    c = login(manager)
    response = c.post("/meetings/new", data={
        "kind": "weekly", "theme": "Weekly", "meeting_date": (today + timedelta(days=7)).isoformat(),
        "start_time": "17:30", "chair_id": manager.id, "minute_taker_id": 0})
    assert response.status_code == 302
    found = {(p.agenda_kind, p.kind): p for p in db.session.scalars(db.select(AgendaProposal))}
    assert set(found) == {("theme", "kpi_below_target"), ("theme", "goal_off_track"), ("review", "plan_step_due")}
    assert found[("theme", "kpi_below_target")].kpi.code == "COMPLAINT_RATE"
    page = c.get(response.location, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Train the advisors" in page and "Open a PDCA goal" in page and "kpi=COMPLAINT_RATE" in page

    # Keeping the goal's topic names the goal in the meeting; dropping the other one does not.
    meeting_id = found[("theme", "goal_off_track")].meeting_id
    keep = found[("theme", "goal_off_track")]
    assert c.post(f"/meetings/{meeting_id}/proposals/{keep.id}/keep", htmx=True).status_code == 200
    drop = found[("theme", "kpi_below_target")]
    assert c.post(f"/meetings/{meeting_id}/proposals/{drop.id}/drop").status_code == 302
    assert db.session.get(AgendaProposal, keep.id).kept is True
    assert db.session.get(AgendaProposal, drop.id).kept is False
    from app.meetings.models import Meeting
    assert [g.id for g in proposals.meeting_goals(db.session.get(Meeting, meeting_id))] == [csi_goal.id]


def test_a_goal_with_a_store_goal_on_the_kpi_is_not_an_exception(store, manager):
    today = local_today()
    store_value(store, "COMPLAINT_RATE", last_month(today), 1.6)
    running_goal(store, manager, "COMPLAINT_RATE", 0.8)
    db.session.commit()
    from app.goals.progress import kpis_below_target
    assert kpis_below_target(store.id, today) == []


def test_only_the_manager_decides_proposals_and_links_goals(login, store, manager, staff, gm, make_meeting):
    meeting = make_meeting()
    goal = running_goal(store, manager, "CSI", 92)
    proposal = AgendaProposal(meeting_id=meeting.id, agenda_kind="theme", kind="goal_no_check", goal_id=goal.id)
    db.session.add(proposal)
    db.session.commit()
    for user in (staff, gm):
        c = login(user)
        assert c.post(f"/meetings/{meeting.id}/proposals/{proposal.id}/keep").status_code == 403
        assert c.post(f"/meetings/{meeting.id}/goals", data={"goal_id": goal.id}).status_code == 403
    c = login(manager)
    assert c.post(f"/meetings/{meeting.id}/goals", data={"goal_id": goal.id}, htmx=True).status_code == 200
    assert [g.id for g in proposals.meeting_goals(meeting)] == [goal.id]
    c.post(f"/meetings/{meeting.id}/goals", data={"goal_id": goal.id, "unlink": "1"})
    assert proposals.meeting_goals(meeting) == []


def test_other_kinds_of_meeting_get_no_proposals(store, manager, make_meeting):
    meeting = make_meeting()
    meeting.kind = "monthly"
    assert proposals.propose_topics(meeting, local_today()) == []
