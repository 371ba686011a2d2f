"""The heart of the product: open promises come back at every meeting until they are closed."""
from datetime import timedelta

from app.actions.models import ActionItem
from app.extensions import db
from app.meetings import services
from app.meetings.models import Meeting, ReviewEntry
from app.timeutils import local_today


def review_ids(meeting):
    return [item.id for item, _ in services.review_items_for(db.session.get(Meeting, meeting.id))]


def add_item(c, meeting, owner, title, days):
    response = c.post(f"/meetings/{meeting.id}/actions", data={
        "action-title": title, "action-owner_id": owner.id, "action-priority": "normal",
        "action-deadline": (local_today() + timedelta(days=days)).isoformat(),
        "action-agenda_item_id": meeting.agenda_item("action_plan").id}, htmx=True)
    assert response.status_code == 200, response.get_data(as_text=True)
    return db.session.scalar(db.select(ActionItem).where(ActionItem.title == title))


def dispose(c, meeting, item, disposition, **extra):
    return c.post(f"/meetings/{meeting.id}/review/{item.id}", data={"disposition": disposition, **extra}, htmx=True)


def test_carry_over_across_three_consecutive_meetings(login, manager, staff, make_meeting):
    boss, sa = login(manager), login(staff)
    m1 = make_meeting(days_ahead=-14, theme="Week 1", attendees=[staff], series=True)
    done_soon = add_item(boss, m1, staff, "48-hour call-back", days=-10)
    slow = add_item(boss, m1, staff, "Comeback list", days=-9)
    dropped = add_item(boss, m1, staff, "Old idea", days=20)
    assert review_ids(m1) == []  # a meeting does not review its own items
    assert boss.post(f"/meetings/{m1.id}/close").status_code == 302

    # Between meetings the owner reports progress.
    sa.post(f"/actions/{done_soon.id}/progress", data={"status": "done", "note": "log in use", "version": done_soon.version})

    # Meeting 2 lists every open promise of meeting 1, with status and latest note.
    m2 = make_meeting(days_ahead=-7, theme="Week 2")
    assert set(review_ids(m2)) == {done_soon.id, slow.id, dropped.id}
    page = boss.get(f"/meetings/{m2.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "log in use" in page and "days overdue" in page
    # It cannot close before every reviewed item has a disposition.
    refused = boss.post(f"/meetings/{m2.id}/close", headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "3 rows still need a disposition" in refused.get_data(as_text=True)
    assert not db.session.get(Meeting, m2.id).is_closed

    assert dispose(boss, m2, done_soon, "verified").status_code == 200
    new_deadline = (local_today() + timedelta(days=3)).isoformat()
    assert dispose(boss, m2, slow, "extended", new_deadline=new_deadline, reason="waiting for the maker").status_code == 200
    assert dispose(boss, m2, dropped, "cancelled", reason="merged into another item").status_code == 200
    m2_item = add_item(boss, m2, staff, "Parts the day before", days=-2)
    assert boss.post(f"/meetings/{m2.id}/close").status_code == 302
    assert db.session.get(Meeting, m2.id).is_closed

    slow = db.session.get(ActionItem, slow.id)
    assert slow.deadline.isoformat() == new_deadline and slow.extension_count == 1
    assert slow.original_deadline == local_today() - timedelta(days=9)
    assert db.session.get(ActionItem, done_soon.id).closed_at is not None
    assert db.session.get(ActionItem, dropped.id).status == "cancelled"

    # Meeting 3: verified and cancelled items are gone; the extended one and meeting 2's item come back.
    m3 = make_meeting(days_ahead=0, theme="Week 3")
    assert set(review_ids(m3)) == {slow.id, m2_item.id}
    page = boss.get(f"/meetings/{m3.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "extended 1 time" in page and "2 days overdue" in page
    assert dispose(boss, m3, m2_item, "escalated", reason="needs the GM").status_code == 200
    assert dispose(boss, m3, slow, "on_schedule").status_code == 200
    assert boss.post(f"/meetings/{m3.id}/close", data={"confirm_early": "y"}).status_code == 302

    # A closed meeting keeps the review it held, frozen.
    assert set(review_ids(m2)) == {done_soon.id, slow.id, dropped.id}
    entry = db.session.scalar(db.select(ReviewEntry).where(ReviewEntry.meeting_id == m2.id,
                                                           ReviewEntry.action_item_id == slow.id))
    assert entry.deadline_at_review == local_today() - timedelta(days=9) and entry.status_at_review == "open"
    # And the next meeting still sees both unfinished promises.
    m4 = make_meeting(days_ahead=7, theme="Week 4")
    assert set(review_ids(m4)) == {slow.id, m2_item.id}
    assert db.session.get(ActionItem, m2_item.id).escalated


def test_disposition_rules(login, manager, staff, make_meeting, make_item):
    boss = login(manager)
    item = make_item(staff, days=-1)
    meeting = make_meeting(days_ahead=0)
    assert dispose(boss, meeting, item, "verified").status_code == 422  # not done yet
    assert dispose(boss, meeting, item, "on_schedule").status_code == 422  # already overdue
    assert dispose(boss, meeting, item, "extended", reason="why").status_code == 422  # no new deadline
    past = (local_today() - timedelta(days=5)).isoformat()
    assert dispose(boss, meeting, item, "extended", new_deadline=past, reason="why").status_code == 422
    asked = dispose(boss, meeting, item, "cancelled")  # the tap: asks for the reason, records nothing
    assert asked.status_code == 200 and 'name="reason"' in asked.get_data(as_text=True)
    assert dispose(boss, meeting, item, "cancelled", reason=" ").status_code == 422  # no reason
    assert dispose(boss, meeting, item, "bogus", reason="x").status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(ReviewEntry)) == 0
    assert dispose(boss, meeting, item, "escalated", reason="blocked by parts").status_code == 200
    again = boss.post(f"/meetings/{meeting.id}/review/{item.id}", data={"disposition": "cancelled", "reason": "no"},
                      htmx=True, headers={"Accept-Language": "en"})
    assert again.status_code == 409  # one disposition per meeting: the row as settled
    body = again.get_data(as_text=True)
    assert "Already settled: Manager Li recorded" in body and "Escalated" in body and "<select" not in body
    assert db.session.scalar(db.select(ReviewEntry.disposition)) == "escalated"


def test_item_raised_in_a_later_meeting_is_not_reviewed_by_an_earlier_open_one(login, manager, staff, make_meeting):
    boss = login(manager)
    earlier, later = make_meeting(days_ahead=1), make_meeting(days_ahead=8)
    item = add_item(boss, later, staff, "From the later meeting", days=10)
    assert item.id not in review_ids(earlier)


def test_review_lists_only_this_stores_items(login, manager, staff, make_meeting, make_item, make_store, make_user):
    other_store = make_store("S2")
    other_staff = make_user("staff", other_store)
    make_item(other_staff, store_id=other_store.id)
    mine = make_item(staff)
    assert review_ids(make_meeting()) == [mine.id]


def test_review_page_does_not_query_per_item(login, manager, staff, make_meeting, make_item, count_queries):
    meeting = make_meeting()
    boss = login(manager)
    make_item(staff)
    with count_queries() as few:
        boss.get(f"/meetings/{meeting.id}")
    for i in range(15):
        make_item(staff, title=f"Item {i}")
    with count_queries() as many:
        boss.get(f"/meetings/{meeting.id}")
    assert many() == few()
