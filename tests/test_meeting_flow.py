"""The weekly meeting at a store's pace: attendance in one step, defaults from the store's usual
meeting, the next meeting asking for its theme, closing early, proposed topics folded."""
import re
from datetime import datetime, time, timedelta

from app.auth.models import ADMIN, GM, MANAGER, STAFF
from app.extensions import db
from app.meetings import services as meeting_services
from app.meetings.models import AgendaProposal, Attendance, Meeting, StoreMeetingSettings
from app.timeutils import local_now, local_today

PAGE_LANGUAGE = "en"


def statuses(meeting):
    return {a.user_id: a.status for a in db.session.scalars(
        db.select(Attendance).where(Attendance.meeting_id == meeting.id))}


def test_everyone_present_then_the_exceptions_one_tap_each(login, manager, make_user, store, make_meeting):
    team = [make_user(STAFF, store, name=f"Advisor {n}") for n in range(6)]
    meeting = make_meeting(attendees=team)
    c = login(manager)
    page = c.get(f"/meetings/{meeting.id}").text
    assert "Everyone present" in page and page.count('name="status" value="absent"') == 7

    fragment = c.post(f"/meetings/{meeting.id}/attendance/everyone-present", htmx=True)
    assert fragment.status_code == 200 and 'id="attendance-list"' in fragment.text
    assert "7 of 7 recorded" in fragment.text
    assert set(statuses(meeting).values()) == {"present"}

    # One tap per exception, saved in place (htmx) ...
    row = c.post(f"/meetings/{meeting.id}/attendance/{team[0].id}", data={"status": "absent"}, htmx=True)
    assert row.status_code == 200 and row.text.lstrip().startswith(f'<tr id="attendance-{team[0].id}"')
    assert re.search(r'value="absent" class="chip chip-absent is-on"\s+aria-pressed="true"', row.text)
    # ... and as a plain form without JavaScript.
    plain = c.post(f"/meetings/{meeting.id}/attendance/{team[1].id}", data={"status": "excused"})
    assert plain.status_code == 302 and plain.location.endswith("#attendance")
    now = statuses(meeting)
    assert now[team[0].id] == "absent" and now[team[1].id] == "excused" and now[team[2].id] == "present"

    # "Everyone present" again only fills in those not yet recorded: the exceptions stay.
    c.post(f"/meetings/{meeting.id}/attendance/everyone-present")
    assert statuses(meeting)[team[0].id] == "absent"


def test_everyone_present_is_the_managers_and_not_on_a_closed_meeting(login, manager, staff, make_meeting):
    meeting = make_meeting(attendees=[staff], days_ahead=-1)
    assert login(staff).post(f"/meetings/{meeting.id}/attendance/everyone-present").status_code == 403
    c = login(manager)
    c.post(f"/meetings/{meeting.id}/close")
    refused = c.post(f"/meetings/{meeting.id}/attendance/everyone-present", htmx=True)
    assert refused.status_code == 422 and set(statuses(meeting).values()) == {"invited"}


def test_attendance_is_ordered_by_position_then_pinyin(login, make_user, store, make_meeting):
    boss = make_user(MANAGER, store, username="zhao", name="赵经理")
    tech = make_user(STAFF, store, name="王芳", position="technician")
    zhang = make_user(STAFF, store, name="张伟", position="service_advisor")
    li = make_user(STAFF, store, name="李娜", position="service_advisor")
    chen = make_user(STAFF, store, name="陈静", position="service_advisor")
    gm = make_user(GM, store, name="总经理")
    meeting = make_meeting(attendees=[tech, zhang, li, chen, gm], chair=boss)
    page = login(boss).get(f"/meetings/{meeting.id}").text
    rows = re.findall(r'<tr id="attendance-(\d+)"', page)
    # Manager first; advisors before technicians (the order of POSITIONS); 陈 chen, 李 li, 张 zhang.
    assert [int(r) for r in rows] == [boss.id, chen.id, li.id, zhang.id, tech.id, gm.id]
    minutes = login(boss).get(f"/meetings/{meeting.id}/minutes").text
    assert minutes.index("陈静") < minutes.index("李娜") < minutes.index("张伟") < minutes.index("王芳")
