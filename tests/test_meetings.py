"""Meetings through HTTP: creating, agenda, attendance, minutes, decisions, closing, lists."""
from datetime import timedelta

from app.extensions import db
from app.meetings.models import AgendaItem, Decision, Meeting, MinutesAmendment
from app.timeutils import local_today


def meeting_form(**overrides):
    data = {"kind": "weekly", "theme": "Complaint rate is rising", "objective": "Find causes",
            "meeting_date": (local_today() + timedelta(days=7)).isoformat(), "start_time": "17:30",
            "place": "Room 1"}
    data.update(overrides)
    return data


def test_creating_a_meeting_fills_the_standard_agenda(login, manager, staff):
    c = login(manager)
    data = meeting_form(chair_id=manager.id, minute_taker_id=staff.id, attendee_ids=[staff.id])
    response = c.post("/meetings/new", data=data)
    assert response.status_code == 302
    meeting = db.session.scalar(db.select(Meeting))
    assert [a.kind for a in meeting.agenda_items] == [
        "opening", "review", "theme", "qa", "sharing", "action_plan", "summary"]
    assert {a.user_id for a in meeting.attendances} == {manager.id, staff.id}
    page = c.get(response.location).get_data(as_text=True)
    assert "Review of the last meeting&#39;s resolutions" in page or "回顾上次会议决议" in page


def test_short_notice_warns_but_saves(login, manager):
    c = login(manager)
    data = meeting_form(chair_id=manager.id, minute_taker_id=manager.id,
                        meeting_date=(local_today() + timedelta(days=1)).isoformat())
    response = c.post("/meetings/new", data=data, headers={"Accept-Language": "en"}, follow_redirects=True)
    assert response.status_code == 200
    assert "Short notice" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1


def test_enough_notice_gives_no_warning(login, manager):
    c = login(manager)
    response = c.post("/meetings/new", data=meeting_form(chair_id=manager.id, minute_taker_id=manager.id),
                      headers={"Accept-Language": "en"}, follow_redirects=True)
    assert "Short notice" not in response.get_data(as_text=True)


def test_invalid_meeting_form_shows_messages_and_keeps_input(login, manager):
    c = login(manager)
    response = c.post("/meetings/new", data=meeting_form(
        theme="   ", meeting_date="31/02/2026", start_time="25:99", place="Hall 3",
        chair_id=manager.id, minute_taker_id=manager.id), headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "Enter a valid date." in page and "Enter a valid time." in page
    assert 'value="Hall 3"' in page
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 0


def test_chair_must_be_a_person_of_the_store(login, manager, make_store, make_user):
    outsider = make_user("manager", make_store("S2"))
    response = login(manager).post("/meetings/new", data=meeting_form(chair_id=outsider.id, minute_taker_id=manager.id))
    assert response.status_code == 422


def test_edit_meeting_and_attendees(login, manager, staff, make_meeting, make_user):
    other = make_user("staff", username="tech1")
    meeting = make_meeting(attendees=[staff])
    c = login(manager)
    response = c.post(f"/meetings/{meeting.id}/edit", data=meeting_form(
        theme="Raise repair efficiency", chair_id=manager.id, minute_taker_id=other.id, attendee_ids=[other.id]))
    assert response.status_code == 302
    meeting = db.session.get(Meeting, meeting.id)
    assert meeting.theme == "Raise repair efficiency"
    assert {a.user_id for a in meeting.attendances} == {manager.id, other.id}


def test_next_meeting_of_a_series_copies_people_place_and_agenda(login, manager, staff, make_meeting):
    meeting = make_meeting(attendees=[staff], series=True)
    c = login(manager)
    c.post(f"/meetings/{meeting.id}/agenda", data={"title": "Parts stock", "duration_minutes": "7"})
    asked = c.post(f"/meetings/{meeting.id}/next")  # the button asks for this week's theme first
    assert asked.status_code == 200 and 'name="theme"' in asked.text
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
    response = c.post(f"/meetings/{meeting.id}/next", data={"theme": "Parts waiting times", "objective": "Halve them"})
    assert response.status_code == 302
    nxt = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert nxt.id != meeting.id and nxt.series_id == meeting.series_id
    assert nxt.meeting_date == meeting.meeting_date + timedelta(days=7)
    assert nxt.start_time == meeting.start_time and nxt.place == meeting.place
    assert [(a.kind, a.title, a.duration_minutes) for a in nxt.agenda_items] == [
        (a.kind, a.title, a.duration_minutes) for a in meeting.agenda_items]
    assert {a.user_id for a in nxt.attendances} == {manager.id, staff.id}
    assert (nxt.theme, nxt.objective) == ("Parts waiting times", "Halve them")  # not last week's
    # From the earlier meeting again: the series goes on from its latest meeting, a week later.
    c.post(f"/meetings/{meeting.id}/next", data={"theme": "Week three"})
    latest = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert latest.meeting_date == meeting.meeting_date + timedelta(days=14)


def test_next_meeting_needs_a_series(login, manager, make_meeting):
    meeting = make_meeting(series=False)
    response = login(manager).post(f"/meetings/{meeting.id}/next", data={"theme": "T"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1


def test_agenda_add_reorder_timebox_remove(login, manager, make_meeting):
    meeting = make_meeting()
    c = login(manager)
    assert c.post(f"/meetings/{meeting.id}/agenda", data={"title": "Typical case", "duration_minutes": "15"},
                  htmx=True).status_code == 200
    items = db.session.get(Meeting, meeting.id).agenda_items
    added = items[-1]
    assert added.title == "Typical case" and added.position == 7
    c.post(f"/meetings/{meeting.id}/agenda/{added.id}/up", htmx=True)
    items = db.session.get(Meeting, meeting.id).agenda_items
    assert [i.kind for i in items][-2:] == ["custom", "summary"]
    c.post(f"/meetings/{meeting.id}/agenda/{added.id}/save", data={"title": "Case: comeback", "duration_minutes": "20"})
    assert db.session.get(AgendaItem, added.id).duration_minutes == 20
    bad = c.post(f"/meetings/{meeting.id}/agenda/{added.id}/save", data={"title": "x", "duration_minutes": "0"}, htmx=True)
    assert bad.status_code == 422 and db.session.get(AgendaItem, added.id).duration_minutes == 20
    added_id = added.id
    c.post(f"/meetings/{meeting.id}/agenda/{added_id}/delete")
    assert db.session.get(AgendaItem, added_id) is None
    assert [i.position for i in db.session.get(Meeting, meeting.id).agenda_items] == list(range(7))


def test_review_item_cannot_be_removed(login, manager, make_meeting):
    meeting = make_meeting()
    review = meeting.agenda_item("review")
    response = login(manager).post(f"/meetings/{meeting.id}/agenda/{review.id}/delete", htmx=True)
    assert response.status_code == 422
    assert db.session.get(AgendaItem, review.id) is not None


def test_agenda_item_of_another_meeting_is_404(login, manager, make_meeting):
    one, two = make_meeting(), make_meeting(days_ahead=14)
    item = two.agenda_items[0]
    assert login(manager).post(f"/meetings/{one.id}/agenda/{item.id}/up").status_code == 404


def test_attendance_recorded_in_place(login, manager, staff, make_meeting):
    meeting = make_meeting(attendees=[staff])
    response = login(manager).post(f"/meetings/{meeting.id}/attendance/{staff.id}", data={"status": "excused"}, htmx=True)
    assert response.status_code == 200 and f'id="attendance-{staff.id}"' in response.get_data(as_text=True)
    assert {a.user_id: a.status for a in db.session.get(Meeting, meeting.id).attendances}[staff.id] == "excused"


def test_attendance_rejects_unknown_status_and_uninvited_people(login, manager, staff, make_meeting, make_user):
    meeting = make_meeting(attendees=[staff])
    c = login(manager)
    assert c.post(f"/meetings/{meeting.id}/attendance/{staff.id}", data={"status": "asleep"}, htmx=True).status_code == 422
    stranger = make_user("staff", username="new1")
    assert c.post(f"/meetings/{meeting.id}/attendance/{stranger.id}", data={"status": "present"}, htmx=True).status_code == 422


def test_minutes_autosave_and_conflict_detection(login, manager, make_meeting, make_user, store):
    meeting = make_meeting()
    item = meeting.agenda_item("theme")
    url = f"/meetings/{meeting.id}/agenda/{item.id}/minutes"
    first, second = login(manager), login(manager)  # two tabs, or two people
    saved = first.post(url, data={"minutes": "Complaints up 4", "version": "0"}, htmx=True)
    assert saved.status_code == 200
    assert 'id="minutes-version-%d"' % item.id in saved.get_data(as_text=True)  # the new version, out of band
    assert db.session.get(AgendaItem, item.id).minutes_version == 1
    stale = second.post(url, data={"minutes": "My other text", "version": "0"}, htmx=True)
    assert stale.status_code == 409
    assert "Complaints up 4" in stale.get_data(as_text=True)  # the other version is shown
    assert db.session.get(AgendaItem, item.id).minutes == "Complaints up 4"  # never silently overwritten
    # Deliberately keeping one's own text after seeing theirs:
    kept = second.post(url, data={"minutes": "My other text", "version": "1"}, htmx=True)
    assert kept.status_code == 200 and db.session.get(AgendaItem, item.id).minutes == "My other text"


def test_minutes_conflict_without_javascript_keeps_the_typed_text(login, manager, make_meeting):
    meeting = make_meeting()
    item = meeting.agenda_item("theme")
    url = f"/meetings/{meeting.id}/agenda/{item.id}/minutes"
    c = login(manager)
    c.post(url, data={"minutes": "first", "version": "0"})
    response = c.post(url, data={"minutes": "typed offline", "version": "0"})
    assert response.status_code == 409
    page = response.get_data(as_text=True)
    assert "typed offline" in page and "first" in page


def test_closed_minutes_are_frozen_and_corrections_logged(login, manager, make_meeting):
    meeting = make_meeting()
    item = meeting.agenda_item("summary")
    c = login(manager)
    c.post(f"/meetings/{meeting.id}/agenda/{item.id}/minutes", data={"minutes": "Done.", "version": "0"})
    assert c.post(f"/meetings/{meeting.id}/close", data={"confirm_early": "y"}).status_code == 302
    assert db.session.get(Meeting, meeting.id).is_closed
    page = c.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "hx-post=\"/meetings/%d/agenda/%d/minutes\"" % (meeting.id, item.id) not in page  # no autosave
    c.post(f"/meetings/{meeting.id}/agenda/{item.id}/minutes", data={"minutes": "Done, corrected.", "version": "1"})
    amendment = db.session.scalar(db.select(MinutesAmendment))
    assert amendment.old_text == "Done." and amendment.new_text == "Done, corrected."
    assert amendment.user_id == manager.id and amendment.at is not None
    assert "Corrections after closing" in c.get(f"/meetings/{meeting.id}/minutes", headers={"Accept-Language": "en"}).get_data(as_text=True)
    # Everything else is frozen:
    assert c.post(f"/meetings/{meeting.id}/decisions", data={"decision-text": "late"}, htmx=True).status_code == 422
    refused = c.post(f"/meetings/{meeting.id}/agenda", data={"title": "late", "duration_minutes": "5"}, htmx=True,
                     headers={"Accept-Language": "en"})
    assert refused.status_code == 422 and "its record can no longer change" in refused.get_data(as_text=True)
    assert len(db.session.get(Meeting, meeting.id).agenda_items) == 7
    assert c.post(f"/meetings/{meeting.id}/close").status_code == 302  # closing twice: a message, no change


def test_decisions_are_numbered_per_store_and_listed_in_the_register(login, manager, make_meeting):
    one, two = make_meeting(theme="Week one"), make_meeting(days_ahead=14, theme="Week two")
    c = login(manager)
    assert c.post(f"/meetings/{one.id}/decisions", data={"decision-text": "Daily complaint briefing"}, htmx=True).status_code == 200
    c.post(f"/meetings/{two.id}/decisions", data={"decision-text": "Confirm parts the day before",
                                                  "decision-agenda_item_id": str(two.agenda_item("theme").id)})
    assert [d.number for d in db.session.scalars(db.select(Decision).order_by(Decision.id))] == [1, 2]
    empty = c.post(f"/meetings/{one.id}/decisions", data={"decision-text": "  "}, htmx=True)
    assert empty.status_code == 422
    register = c.get("/meetings/decisions?q=parts").get_data(as_text=True)
    assert "Confirm parts the day before" in register and "Daily complaint" not in register
    assert f"/meetings/{two.id}#decisions" in register


def test_meeting_list_upcoming_past_search_and_pages(login, manager, make_meeting):
    for i in range(7):
        make_meeting(days_ahead=-7 * (i + 1), theme=f"Past week {i}")
    make_meeting(days_ahead=3, theme="Next week")
    c = login(manager)
    page = c.get("/meetings/").get_data(as_text=True)
    assert "Next week" in page and "Past week 0" in page and "Past week 6" not in page  # 5 per page in tests
    assert "Past week 6" in c.get("/meetings/?page=2").get_data(as_text=True)
    found = c.get("/meetings/?q=week 3").get_data(as_text=True)
    assert "Past week 3" in found and "Past week 2" not in found and "Next week" not in found


def test_printable_minutes_show_decisions_and_action_table(login, manager, staff, make_meeting):
    meeting = make_meeting()
    c = login(manager)
    c.post(f"/meetings/{meeting.id}/decisions", data={"decision-text": "Call back within 48 hours"})
    c.post(f"/meetings/{meeting.id}/actions", data={
        "action-title": "Set up call-back log", "action-owner_id": staff.id, "action-priority": "high",
        "action-deadline": (local_today() + timedelta(days=5)).isoformat(),
        "action-agenda_item_id": meeting.agenda_item("action_plan").id})
    c.post(f"/meetings/{meeting.id}/close", data={"confirm_early": "y"})
    page = c.get(f"/meetings/{meeting.id}/minutes", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert page.count("<h1>") == 1
    assert "Call back within 48 hours" in page and "Set up call-back log" in page and staff.display_name in page
    assert "@media print" not in page  # print rules live in the stylesheet


def test_pages_have_one_h1_and_labelled_inputs(login, manager, staff, make_meeting):
    import re

    meeting = make_meeting(attendees=[staff])
    c = login(manager)
    for url in ["/meetings/", "/meetings/new", f"/meetings/{meeting.id}", f"/meetings/{meeting.id}/agenda",
                f"/meetings/{meeting.id}/edit", "/meetings/decisions", "/actions/mine", "/actions/board"]:
        page = c.get(url).get_data(as_text=True)
        assert page.count("<h1") == 1, url
        ids = set(re.findall(r'<(?:input|select|textarea)(?![^>]*type="(?:hidden|submit)")[^>]*\bid="([^"]+)"', page))
        labelled = set(re.findall(r'<label[^>]*for="([^"]+)"', page))
        assert ids <= labelled, (url, ids - labelled)
