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
    # Signed on paper: a sheet with everyone invited, then the chair's and the minute taker's lines.
    sheet = minutes[minutes.index("Attendance list"):]
    assert sheet.index("赵经理") < sheet.index("陈静") < sheet.index("王芳") < sheet.index("总经理")
    assert sheet.count('class="sign-line"') == 4 and "Chair: 赵经理" in sheet


# --- the store's usual meeting and a new meeting's defaults -------------------------------

def test_the_usual_meeting_is_set_once_and_a_new_meeting_starts_from_it(login, manager, make_user, store):
    advisor = make_user(STAFF, store, name="Advisor Zhang")
    gone = make_user(STAFF, store, name="Left Last Year")
    gone.active = False
    gm, admin = make_user(GM, store, name="GM Wang"), make_user(ADMIN, store, name="Admin")
    db.session.commit()
    c = login(manager)
    assert login(advisor).post("/meetings/settings", data={"weekday": "2", "start_time": "08:00"}).status_code == 403
    saved = c.post("/meetings/settings", data={"weekday": "2", "start_time": "08:15", "place": "After-sales room"})
    assert saved.status_code == 302
    settings = db.session.get(StoreMeetingSettings, store.id)
    assert (settings.weekday, settings.start_time, settings.place) == (2, time(8, 15), "After-sales room")
    assert '<option selected value="2">Wednesday' in c.get("/meetings/settings").text  # what is stored

    form = c.get("/meetings/new").text
    starts = meeting_services.next_meeting_slot(settings, local_now())
    assert starts.weekday() == 2 and starts.time() == time(8, 15) and starts > local_now()
    assert f'value="{starts.date().isoformat()}"' in form and 'value="08:15"' in form
    assert 'value="After-sales room"' in form
    assert '<option selected value="weekly">' in form and '<input checked id="weekly_series"' in form
    ticked = set(map(int, re.findall(r'<input checked id="attendee_ids-\d+" name="attendee_ids" type="checkbox" value="(\d+)"', form)))
    assert ticked == {manager.id, advisor.id}  # the store's team, not the GM or administrator
    assert f'value="{gm.id}"' in form  # who may still be ticked by hand


def test_next_meeting_slot_is_the_next_usual_day_still_ahead():
    settings = StoreMeetingSettings(store_id=1, weekday=0, start_time=time(8, 30), place="")
    monday_early = datetime(2026, 11, 30, 7, 0)  # a Monday
    assert meeting_services.next_meeting_slot(settings, monday_early) == datetime(2026, 11, 30, 8, 30)
    assert meeting_services.next_meeting_slot(settings, monday_early.replace(hour=9)) == datetime(2026, 12, 7, 8, 30)
    assert meeting_services.next_meeting_slot(settings, datetime(2026, 12, 3, 12, 0)) == datetime(2026, 12, 7, 8, 30)


def test_new_meeting_without_settings_still_has_a_date_and_time(login, manager):
    form = login(manager).get("/meetings/new").text
    assert 'value="08:30"' in form and "Usual weekly meeting" in form
    assert re.search(r'name="meeting_date" required type="date" value="\d{4}-\d\d-\d\d"', form)


def test_action_owners_are_the_team_with_positions(login, manager, make_user, store, make_meeting):
    make_user(STAFF, store, name="Tech Wang", position="technician")
    make_user(GM, store, name="GM Wang")
    make_user(ADMIN, store, name="Admin Sun")
    meeting = make_meeting()
    page = login(manager).get(f"/meetings/{meeting.id}").text
    owner_select = page[page.index('name="action-owner_id"'):]
    owner_select = owner_select[:owner_select.index("</select>")]
    assert "Tech Wang · Technician" in owner_select and "Manager Li · Service manager" in owner_select
    assert "GM Wang" not in owner_select and "Admin Sun" not in owner_select


# --- the next meeting of a series, closing early, proposed topics -------------------------

def test_next_meeting_asks_for_this_weeks_theme(login, manager, make_meeting):
    meeting = make_meeting(series=True, theme="Complaints")
    c = login(manager)
    asked = c.get(f"/meetings/{meeting.id}/next")
    assert asked.status_code == 200 and 'name="theme"' in asked.text and "Last week: Complaints" in asked.text
    blank = c.post(f"/meetings/{meeting.id}/next", data={"theme": "  "})
    assert blank.status_code == 422
    assert db.session.scalar(db.select(db.func.count()).select_from(Meeting)) == 1
    c.post(f"/meetings/{meeting.id}/next", data={"theme": "Waiting times", "objective": "Find the causes"})
    nxt = db.session.scalars(db.select(Meeting).order_by(Meeting.id.desc())).first()
    assert (nxt.theme, nxt.objective) == ("Waiting times", "Find the causes")


def test_closing_before_the_start_needs_a_confirmation(login, manager, make_meeting):
    meeting = make_meeting(days_ahead=3)
    c = login(manager)
    asked = c.post(f"/meetings/{meeting.id}/close")
    assert asked.status_code == 200 and "has not taken place yet" in asked.text
    assert 'name="confirm_early"' in asked.text and not db.session.get(Meeting, meeting.id).is_closed
    assert c.post(f"/meetings/{meeting.id}/close", data={"confirm_early": "y"}).status_code == 302
    assert db.session.get(Meeting, meeting.id).is_closed


def test_closing_after_the_start_needs_no_confirmation(login, manager, make_meeting):
    meeting = make_meeting(days_ahead=-1)
    assert login(manager).post(f"/meetings/{meeting.id}/close").status_code == 302
    assert db.session.get(Meeting, meeting.id).is_closed


def test_undecided_proposals_fold_and_are_dropped_at_closing(login, manager, make_meeting):
    from app.kpis.models import Kpi
    meeting = make_meeting(days_ahead=-1)
    kpis = db.session.scalars(db.select(Kpi).order_by(Kpi.id).limit(9)).all()
    for k in kpis:
        db.session.add(AgendaProposal(meeting_id=meeting.id, agenda_kind="theme", kind="kpi_below_target",
                                      kpi_id=k.id, value=1.0))
    db.session.commit()
    kept = db.session.scalars(db.select(AgendaProposal).order_by(AgendaProposal.id)).first()
    c = login(manager)
    c.post(f"/meetings/{meeting.id}/proposals/{kept.id}/keep")
    page = c.get(f"/meetings/{meeting.id}").text
    fold = page[page.index('<details class="proposal-fold">'):]
    fold = fold[:fold.index("</details>")]
    assert "8 topics proposed from the data" in fold and fold.count('<li id="proposal-') == 8
    assert page.index(f'id="proposal-{kept.id}"') < page.index('<details class="proposal-fold">')

    assert c.post(f"/meetings/{meeting.id}/close").status_code == 302
    assert [p.kept for p in db.session.scalars(db.select(AgendaProposal).order_by(AgendaProposal.id))] == \
        [True] + [False] * 8
    closed = c.get(f"/meetings/{meeting.id}").text
    assert 'class="proposal-fold"' not in closed and closed.count('class="proposal ') == 1
