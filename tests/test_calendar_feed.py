"""iCalendar texts and each person's secret calendar feed of meetings and deadlines."""
import re
from datetime import datetime, timedelta

from icalendar import Calendar
from sqlalchemy import select

from app.auth.models import STAFF
from app.extensions import db
from app.meetings import calendar
from app.meetings.models import CalendarFeed
from app.notifications import ical, services

PAGE_LANGUAGE = "en"

INV = ical.Invitation(
    uid="meeting-7@pitwall.test", sequence=2, summary="投诉率上升", starts=datetime(2026, 12, 7, 8, 30),
    ends=datetime(2026, 12, 7, 9, 45), timezone="Asia/Shanghai", organiser=ical.Person("李经理", "li@example.com"),
    attendees=(ical.Person("张顾问", "zhang@example.com"), ical.Person("No Mail", "")), description="议程",
    location="二楼会议室", alarm_minutes=30)


def test_an_invitation_is_a_request_with_organiser_attendees_alarm_and_zone():
    cal = Calendar.from_ical(ical.invitation(INV))
    assert cal["METHOD"] == "REQUEST"
    [event] = cal.walk("VEVENT")
    assert (str(event["UID"]), int(event["SEQUENCE"])) == ("meeting-7@pitwall.test", 2)
    start = event.decoded("DTSTART")
    assert (start.replace(tzinfo=None), str(start.tzinfo)) == (datetime(2026, 12, 7, 8, 30), "Asia/Shanghai")
    assert event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert [tz["TZID"] for tz in cal.walk("VTIMEZONE")] == ["Asia/Shanghai"]
    assert str(event["ORGANIZER"]) == "mailto:li@example.com" and event["ORGANIZER"].params["CN"] == "李经理"
    attendees = event["ATTENDEE"] if isinstance(event["ATTENDEE"], list) else [event["ATTENDEE"]]
    assert [str(a) for a in attendees] == ["mailto:zhang@example.com"]  # nobody without an address
    [alarm] = event.walk("VALARM")
    assert alarm.decoded("TRIGGER") == timedelta(minutes=-30) and str(alarm["ACTION"]) == "DISPLAY"
    assert str(event["LOCATION"]) == "二楼会议室"


def test_a_cancellation_keeps_the_uid_and_says_cancelled():
    cal = Calendar.from_ical(ical.cancellation(INV))
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert str(event["UID"]) == INV.uid and not event.walk("VALARM")


# --- the feed ------------------------------------------------------------------------------

def _feed_url(page: str) -> str:
    return re.search(r'value="(http://[^"]+\.ics)"', page).group(1)


def test_a_person_creates_a_feed_of_their_meetings_and_deadlines(app, login, staff, make_meeting, make_item, manager):
    meeting = make_meeting(theme="Rework rate", attendees=[staff])
    make_meeting(theme="Not mine")  # staff not invited
    item = make_item(staff, title="Call back customers")
    services.remember_message_language(staff.id, "en")  # the feed speaks the person's language
    db.session.commit()
    client = login(staff)
    response = client.post("/meetings/calendar-feed")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    url = _feed_url(response.get_data(as_text=True))
    # On BASE_URL, the address people use, not the host the request came in by (localhost here).
    assert url.startswith("http://pitwall.test/calendar/")
    stored = db.session.scalar(select(CalendarFeed))
    assert url.rsplit("/", 1)[1][:-4] not in stored.token_hash  # only the hash is kept

    raw = app.test_client()  # no login: the token is the key
    raw = raw.get(url.replace("http://pitwall.test", ""))
    assert raw.status_code == 200 and raw.mimetype == "text/calendar"
    cal = Calendar.from_ical(raw.data)
    events = {str(e["SUMMARY"]): e for e in cal.walk("VEVENT")}
    assert set(events) == {"Rework rate", "Deadline: Call back customers"}
    assert str(events["Rework rate"]["UID"]) == f"meeting-{meeting.id}@pitwall.test"
    assert events["Deadline: Call back customers"].decoded("DTSTART") == item.deadline
    assert str(events["Rework rate"]["URL"]) == f"http://pitwall.test/meetings/{meeting.id}"
    db.session.refresh(stored)
    assert stored.last_used_at is not None


def test_replacing_or_revoking_the_feed_makes_the_old_address_404(app, login, staff):
    client = login(staff)
    first = _feed_url(client.post("/meetings/calendar-feed").get_data(as_text=True)).replace("http://pitwall.test", "")
    anonymous = app.test_client()
    assert anonymous.get(first).status_code == 200
    second = _feed_url(client.post("/meetings/calendar-feed").get_data(as_text=True)).replace("http://pitwall.test", "")
    assert anonymous.get(first).status_code == 404 and anonymous.get(second).status_code == 200
    page = client.get("/meetings/calendar-feed").get_data(as_text=True)
    assert "cal_" not in page and "Replace with a new address" in page  # never shown again
    assert client.post("/meetings/calendar-feed/revoke").status_code == 302
    assert anonymous.get(second).status_code == 404
    assert anonymous.get("/calendar/not-a-token.ics").status_code == 404
    assert db.session.scalar(select(CalendarFeed)) is None


def test_a_deactivated_persons_feed_stops(app, login, make_user, store):
    person = make_user(STAFF, store, username="leaver")
    url = _feed_url(login(person).post("/meetings/calendar-feed").get_data(as_text=True))
    person.active = False
    db.session.commit()
    assert app.test_client().get(url.replace("http://pitwall.test", "")).status_code == 404


def test_the_feed_pages_need_a_login(client):
    assert client.get("/meetings/calendar-feed").status_code == 302


def test_uid_domain_is_configurable(app, monkeypatch):
    monkeypatch.setitem(app.config, "CALENDAR_DOMAIN", "pitwall.example.com")
    assert calendar.calendar_domain() == "pitwall.example.com"


def test_a_cancelled_meeting_stays_in_the_feed_as_cancelled(app, login, manager, staff, make_meeting):
    meeting = make_meeting(theme="Called off", attendees=[staff])
    client = login(manager)
    assert client.post(f"/meetings/{meeting.id}/cancel", data={"confirm": "y"}).status_code == 302
    url = _feed_url(login(staff).post("/meetings/calendar-feed").get_data(as_text=True))
    cal = Calendar.from_ical(app.test_client().get(url.replace("http://pitwall.test", "")).data)
    [event] = [e for e in cal.walk("VEVENT") if str(e["UID"]).startswith("meeting-")]
    assert str(event["STATUS"]) == "CANCELLED"
