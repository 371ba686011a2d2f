"""What features tell people: action items (assigned, changed, extended, escalated, reminders,
digests, overdue escalation), coaching (plan to acknowledge, follow-up due), goals (monthly check)."""
from datetime import datetime, timedelta

from app.actions import services as actions
from app.actions.models import ActionItem
from app.auth.models import GM, MANAGER
from app.extensions import db
from app.goals.models import DO
from app.notifications import services as notify
from app.notifications.models import Notification, OutboxMessage
from app.notifications.schedule import run_daily_jobs
from app.timeutils import local_today
from tests.coaching.support import _finished, _start, _walk_to

PAGE_LANGUAGE = "en"


def told(user, kind=None):
    stmt = db.select(Notification).where(Notification.user_id == user.id).order_by(Notification.id)
    if kind:
        stmt = stmt.where(Notification.kind == kind)
    return db.session.scalars(stmt).all()


def morning(days=0):
    return datetime.combine(local_today() + timedelta(days=days), datetime.min.time()).replace(hour=8)


def test_the_owner_is_told_of_an_assignment_with_a_link_and_an_email(make_item, staff, manager):
    staff.email = "zhang@example.com"
    db.session.commit()
    item = make_item(staff, title="Call back customers")
    [n] = told(staff)
    assert n.kind == "actions.assigned" and n.link == f"/actions/{item.id}"
    assert n.params["title"] == "Call back customers" and n.params["by"] == manager.display_name
    [mail] = db.session.scalars(db.select(OutboxMessage)).all()
    assert mail.recipient == "zhang@example.com" and mail.kind == "actions.assigned"
    make_item(manager)  # one's own item: nobody to tell
    assert told(manager) == []


def test_a_change_tells_the_owner_and_a_new_owner_is_assigned(make_item, staff, manager, make_user, store):
    item = make_item(staff)
    actions.edit_action_item(item, manager.id, item.version, deadline=item.deadline + timedelta(days=2))
    db.session.commit()
    [changed] = told(staff, "actions.changed")
    assert changed.params["fields"] == ["deadline"]
    other = make_user(username="sa2")
    actions.edit_action_item(item, manager.id, item.version, owner_id=other.id)
    db.session.commit()
    assert [n.kind for n in told(other)] == ["actions.assigned"]
    assert told(staff, "actions.changed")[-1].params["fields"] == ["owner_id"]


def test_extensions_tell_the_owner_and_the_second_goes_to_the_manager(make_item, staff, manager, make_user, store):
    item = make_item(staff)
    other_manager_store_member = make_user(MANAGER, store, username="boss2")
    for n in (1, 2):
        actions.extend(item, manager.id, item.deadline + timedelta(days=7), f"waiting for parts {n}")
        db.session.commit()
    extended = told(staff, "actions.extended")
    assert [e.params["reason"] for e in extended] == ["waiting for parts 1", "waiting for parts 2"]
    for boss in (manager, other_manager_store_member):
        [escalation] = told(boss, "actions.escalated_extended")
        assert escalation.params["count"] == 2


def test_an_escalated_disposition_goes_to_the_general_manager(make_item, staff, manager, gm):
    item = make_item(staff)
    actions.escalate(item, manager.id, "needs a budget decision")
    db.session.commit()
    [n] = told(gm, "actions.escalated_to_gm")
    assert n.params["reason"] == "needs a budget decision" and n.link == f"/actions/{item.id}"


def test_reminder_before_the_deadline_once_per_deadline(make_item, staff, manager):
    tomorrow = make_item(staff, days=1, title="Tomorrow")
    make_item(staff, days=5, title="Later")
    run_daily_jobs(morning())
    assert [n.params["title"] for n in told(staff, "actions.reminder")] == ["Tomorrow"]
    run_daily_jobs(morning(1))  # the next day: due today, but already reminded for this deadline
    assert len(told(staff, "actions.reminder")) == 1
    actions.extend(tomorrow, manager.id, local_today() + timedelta(days=2), "more time")
    db.session.commit()
    run_daily_jobs(morning(1))  # the run of that day happened already
    run_daily_jobs(morning(2))
    assert len(told(staff, "actions.reminder")) == 2  # the new deadline is reminded again


def test_reminder_days_per_store(make_item, staff, manager):
    notify.save_store_settings(staff.store_id, reminder_days=0, escalation_days=7)
    db.session.commit()
    make_item(staff, days=1)
    make_item(staff, days=0, title="Today")
    run_daily_jobs(morning())
    [n] = told(staff, "actions.reminder")
    assert n.params["title"] == "Today" and n.params["days"] == 0


def test_overdue_too_long_is_escalated_once(make_item, staff, manager):
    item = make_item(staff)
    item = db.session.get(ActionItem, item.id)
    item.deadline = local_today() - timedelta(days=8)
    late = make_item(staff, title="Only a bit late")
    db.session.get(ActionItem, late.id).deadline = local_today() - timedelta(days=3)
    db.session.commit()
    run_daily_jobs(morning())
    run_daily_jobs(morning(1))
    [n] = told(manager, "actions.escalated_overdue")
    assert n.params["days"] == 8
    [digest] = told(manager, "actions.store_overdue_digest")[:1]
    assert digest.params["count"] == 2
    assert len(told(manager, "actions.store_overdue_digest")) == 2  # one each day


def test_coaching_plan_waits_for_acknowledgement(login, store, manager, staff):
    s = _start(store, manager, staff)
    _walk_to(login(manager), s, 4)
    [n] = told(staff, "coaching.plan_awaiting")
    assert n.link == f"/coaching/sessions/{s.id}" and n.params["manager"] == manager.display_name


def test_coaching_follow_up_due_tells_the_manager(store, manager, staff):
    s = _finished(store, manager, staff, held=local_today() - timedelta(days=60),
                  follow_up=local_today())
    run_daily_jobs(morning())
    run_daily_jobs(morning(1))
    [n] = told(manager, "coaching.follow_up_due")
    assert n.link == f"/coaching/sessions/{s.id}"


def test_goal_owner_told_when_the_monthly_check_is_due(store, manager, staff):
    from app.goals import services as goals
    from app.kpis.services import kpi_by_code

    goal = goals.create_goal(store_id=store.id, kpi=kpi_by_code("CSI"), person_id=staff.id, period_kind="year",
                             period_day=local_today(), target=90, baseline=None, owner_id=staff.id,
                             created_by_id=manager.id)
    goal.stage = DO
    goal.period_start = local_today().replace(day=1) - timedelta(days=40)
    db.session.commit()
    run_daily_jobs(morning())
    run_daily_jobs(morning(1))
    [n] = told(staff, "goals.check_due")
    assert n.link == f"/goals/{goal.id}"


def test_people_who_left_are_not_told(make_item, staff, manager, make_user, store):
    gm = make_user(GM, store)
    gm.active = False
    db.session.commit()
    item = make_item(staff)
    actions.escalate(item, manager.id, "why")
    db.session.commit()
    assert told(gm) == []
