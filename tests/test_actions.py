"""Action items: my items, progress in place, history, conflicts, the manager's board."""
from datetime import timedelta

from app.actions.models import ActionItem, ActionItemUpdate
from app.extensions import db
from app.timeutils import local_today


def test_my_items_open_first_overdue_marked(login, staff, make_item):
    make_item(staff, title="Finished one", days=-30)
    done = db.session.scalar(db.select(ActionItem).where(ActionItem.title == "Finished one"))
    done.status = "done"
    db.session.commit()
    make_item(staff, title="Late one", days=-2)
    make_item(staff, title="Due later", days=5)
    page = login(staff).get("/actions/mine", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.index("Late one") < page.index("Due later") < page.index("Finished one")
    assert "2 days overdue" in page


def test_my_items_empty_state_says_what_happens(login, staff):
    page = login(staff).get("/actions/mine", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "You have no action items." in page


def test_my_items_show_only_mine_and_paginate(login, staff, make_user, make_item):
    other = make_user("staff", username="other1")
    make_item(other, title="Not yours")
    for i in range(7):
        make_item(staff, title=f"Mine {i}", days=i)
    c = login(staff)
    first = c.get("/actions/mine").get_data(as_text=True)
    assert "Not yours" not in first and "Mine 0" in first and "Mine 6" not in first
    assert "Mine 6" in c.get("/actions/mine?page=2").get_data(as_text=True)


def test_progress_in_place_with_htmx(login, staff, make_item):
    item = make_item(staff)
    response = login(staff).post(f"/actions/{item.id}/progress",
                                 data={"status": "in_progress", "note": "Called 5 of 9", "version": item.version}, htmx=True)
    assert response.status_code == 200
    assert response.headers["HX-Trigger"] == "actionItemsChanged"
    assert f'id="item-{item.id}"' in response.get_data(as_text=True)
    item = db.session.get(ActionItem, item.id)
    assert item.status == "in_progress" and item.progress_note == "Called 5 of 9"


def test_progress_without_javascript_redirects_back(login, staff, make_item):
    item = make_item(staff)
    response = login(staff).post(f"/actions/{item.id}/progress", data={"status": "done", "note": "", "version": item.version})
    assert response.status_code == 302 and response.location.startswith("/actions/mine")
    item = db.session.get(ActionItem, item.id)
    assert item.status == "done" and item.done_at is not None


def test_every_change_is_kept_in_the_history(login, staff, manager, make_item):
    item = make_item(staff)
    c = login(staff)
    c.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "note": "", "version": 1})
    c.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "note": "Half done", "version": 2})
    c.post(f"/actions/{item.id}/progress", data={"status": "done", "note": "All done", "version": 3})
    history = db.session.scalars(db.select(ActionItemUpdate).where(ActionItemUpdate.action_item_id == item.id)
                                 .order_by(ActionItemUpdate.id)).all()
    assert [(h.event, h.old_status, h.new_status, h.note) for h in history] == [
        ("created", None, "open", ""), ("status", "open", "in_progress", ""),
        ("note", None, None, "Half done"), ("status", "in_progress", "done", "All done")]
    assert all(h.at is not None for h in history)
    assert [h.author_id for h in history] == [manager.id, staff.id, staff.id, staff.id]
    page = c.get(f"/actions/{item.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Half done" in page and "changed the status" in page


def test_stale_update_is_refused_and_shows_the_current_state(login, staff, manager, make_item):
    item = make_item(staff)
    boss = login(manager)
    boss.post(f"/actions/{item.id}/progress", data={"status": "in_progress", "note": "Manager note", "version": 1})
    response = login(staff).post(f"/actions/{item.id}/progress",
                                 data={"status": "done", "note": "Mine", "version": 1}, htmx=True,
                                 headers={"Accept-Language": "en"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "Someone else updated this item" in page and "Manager note" in page
    item = db.session.get(ActionItem, item.id)
    assert item.status == "in_progress" and item.progress_note == "Manager note"


def test_progress_validation(login, staff, make_item):
    item = make_item(staff)
    c = login(staff)
    nothing = c.post(f"/actions/{item.id}/progress", data={"status": "open", "note": " ", "version": 1}, htmx=True)
    assert nothing.status_code == 422
    cancel = c.post(f"/actions/{item.id}/progress", data={"status": "cancelled", "note": "", "version": 1}, htmx=True)
    assert cancel.status_code == 422  # cancelling is the manager's, in a review
    too_long = c.post(f"/actions/{item.id}/progress", data={"status": "done", "note": "x" * 2001, "version": 1}, htmx=True)
    assert too_long.status_code == 422
    assert db.session.get(ActionItem, item.id).status == "open"
    nojs = c.post(f"/actions/{item.id}/progress", data={"status": "bogus", "version": 1}, follow_redirects=True)
    assert nojs.status_code == 200 and db.session.get(ActionItem, item.id).status == "open"


def test_manager_edits_an_item_with_conflict_detection(login, manager, staff, make_item):
    item = make_item(staff)
    boss = login(manager)
    deadline = (local_today() + timedelta(days=9)).isoformat()
    form = {"title": "Call back all customers", "description": "", "owner_id": staff.id,
            "deadline": deadline, "priority": "high", "version": 1}
    assert boss.post(f"/actions/{item.id}/edit", data=form).status_code == 302
    item = db.session.get(ActionItem, item.id)
    assert item.title == "Call back all customers" and item.priority == "high" and item.version == 2
    stale = boss.post(f"/actions/{item.id}/edit", data={**form, "title": "Stale"}, headers={"Accept-Language": "en"})
    assert stale.status_code == 409 and "Someone else changed this item" in stale.get_data(as_text=True)
    assert db.session.get(ActionItem, item.id).title == "Call back all customers"
    invalid = boss.post(f"/actions/{item.id}/edit", data={**form, "title": "", "version": 2})
    assert invalid.status_code == 422


def test_board_filters_and_counts(login, manager, staff, make_user, make_item, make_meeting):
    tech = make_user("staff", username="tech", position="technician", name="Tech Chen")
    meeting = make_meeting()
    make_item(staff, title="Late A", days=-3)
    make_item(staff, title="Fine A", days=3, meeting=meeting)
    make_item(tech, title="Late T", days=-1)
    boss = login(manager)
    page = boss.get("/actions/board").get_data(as_text=True)
    assert all(t in page for t in ["Late A", "Fine A", "Late T"])
    overdue = boss.get("/actions/board?overdue=1").get_data(as_text=True)
    assert "Late A" in overdue and "Late T" in overdue and "Fine A" not in overdue
    by_owner = boss.get(f"/actions/board?owner={tech.id}").get_data(as_text=True)
    assert "Late T" in by_owner and "Late A" not in by_owner
    by_meeting = boss.get(f"/actions/board?meeting={meeting.id}").get_data(as_text=True)
    assert "Fine A" in by_meeting and "Late A" not in by_meeting
    from app.actions.services import board_counts
    counts = board_counts(staff.store_id, local_today())
    assert counts["open"] == 3 and counts["overdue"] == 2 and counts["all"] == 3


def test_lists_do_not_query_per_row(login, manager, staff, make_item, make_meeting, count_queries):
    meeting = make_meeting()
    make_item(staff, meeting=meeting)
    boss, sa = login(manager), login(staff)
    with count_queries() as board_few:
        boss.get("/actions/board")
    with count_queries() as mine_few:
        sa.get("/actions/mine")
    for i in range(10):
        make_item(staff, meeting=make_meeting(days_ahead=i + 10), title=f"Row {i}")
    with count_queries() as board_many:
        boss.get("/actions/board")
    with count_queries() as mine_many:
        sa.get("/actions/mine")
    assert board_many() == board_few()
    assert mine_many() == mine_few()
