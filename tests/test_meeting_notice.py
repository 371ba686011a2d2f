"""The meeting notice, its update and cancellation, and the minutes: read back from a real local SMTP
server (aiosmtpd) and the local chat-platform server, the .ics parsed with icalendar."""
from datetime import datetime, time, timedelta

import pytest
from icalendar import Calendar
from sqlalchemy import select

from app.auth.models import GM, MANAGER
from app.extensions import db
from app.meetings import notice
from app.meetings.models import CALLED_OFF, Meeting
from app.notifications import delivery, services
from app.notifications.models import Notification, OutboxMessage
from app.timeutils import local_today
from tests import test_notifications_mail as _mail
from tests.chat_server import DINGTALK_SECRET, ChatServer

PAGE_LANGUAGE = "en"
smtp = _mail.smtp  # the fixture: a real local SMTP server (aiosmtpd)


@pytest.fixture
def team(manager, staff, make_user, store):
    manager.email, staff.email = "li@example.com", "zhang@example.com"
    tech = make_user(username="tech1", name="Technician Wu", position="technician")
    tech.email = "wu@example.com"
    db.session.commit()
    services.remember_message_language(staff.id, "zh_CN")
    services.remember_message_language(tech.id, "en")
    db.session.commit()
    return manager, staff, tech


@pytest.fixture
def meeting(make_meeting, team):
    m = make_meeting(days_ahead=7, theme="Complaint rate rising", attendees=team[1:])
    m.objective, m.preparation, m.place = "Halve complaints", "Last month's complaint list", "Room 2"
    db.session.commit()
    return m


def send_notice(client, meeting, **kw):
    """Click "send notice" (or "send update") on the meeting page as it shows the meeting now."""
    return client.post(f"/meetings/{meeting.id}/notice", data={"seen": notice.seen_state(meeting)}, **kw)


def mails(inbox):
    return {rcpt[0]: msg for rcpt, msg in inbox.received}


def ics_of(message) -> Calendar:
    [attachment] = [p for p in message.iter_attachments() if p.get_content_type() == "text/calendar"]
    return Calendar.from_ical(attachment.get_content())


def test_the_notice_reaches_every_attendee_in_their_language_with_the_invitation(app, smtp, login, team, meeting):
    manager, staff, tech = team
    client = login(manager)
    response = send_notice(client, meeting, follow_redirects=True)
    assert "Notice sent to 3 attendees" in response.get_data(as_text=True)
    assert delivery.deliver_due() == (3, 0)
    got = mails(smtp)
    assert set(got) == {"li@example.com", "zhang@example.com", "wu@example.com"}
    zh, en = got["zhang@example.com"], got["wu@example.com"]
    assert en["Subject"].startswith("Meeting notice: Complaint rate rising, ")
    assert zh["Subject"].startswith("会议通知：Complaint rate rising")
    text = en.get_body(("plain",)).get_content()
    for part in ("Halve complaints", "Room 2", "Last month's complaint list", "17:30 Opening: purpose and theme (5 min)", "Time: ",
                 "18:40 Summary (5 min)", f"http://pitwall.test/meetings/{meeting.id}"):
        assert part in text, part
    assert "回顾上次会议决议" in zh.get_body(("plain",)).get_content()

    cal = ics_of(en)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "REQUEST"
    assert str(event["UID"]) == f"meeting-{meeting.id}@pitwall.test" and int(event["SEQUENCE"]) == 0
    start, end = event.decoded("DTSTART"), event.decoded("DTEND")
    assert str(start.tzinfo) == "Asia/Shanghai" and event["DTSTART"].params["TZID"] == "Asia/Shanghai"
    assert start.replace(tzinfo=None) == datetime.combine(local_today() + timedelta(days=7), time(17, 30))
    assert end - start == timedelta(minutes=75)
    assert str(event["ORGANIZER"]) == "mailto:li@example.com"
    assert sorted(str(a) for a in event["ATTENDEE"]) == ["mailto:li@example.com", "mailto:wu@example.com",
                                                        "mailto:zhang@example.com"]
    assert event.walk("VALARM")
    assert "Objective: Halve complaints" in str(event["DESCRIPTION"])
    # In the app: the bell of each attendee, linking to the meeting; the page says it met the rule.
    assert services.unread_count(staff.id) == 1
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "Notice sent" in page and "7 days ahead: meets the three-day rule" in page


def test_a_change_offers_an_update_with_the_same_uid_and_a_higher_sequence(app, smtp, login, team, meeting):
    manager = team[0]
    client = login(manager)
    send_notice(client, meeting)
    delivery.deliver_due()
    smtp.received.clear()
    saved = client.post(f"/meetings/{meeting.id}/edit", data={
        "kind": "weekly", "theme": meeting.theme, "objective": meeting.objective, "preparation": meeting.preparation,
        "meeting_date": meeting.meeting_date.isoformat(), "start_time": "09:00", "place": "Workshop",
        "chair_id": str(manager.id), "minute_taker_id": "0", "attendee_ids": [str(u.id) for u in team[1:]]},
        follow_redirects=True)
    assert "send the attendees an update" in saved.get_data(as_text=True)
    page = client.get(f"/meetings/{meeting.id}").get_data(as_text=True)
    assert "changed since the notice" in page and "Send update" in page
    response = send_notice(client, meeting, follow_redirects=True)
    assert "Update sent to 3 attendees" in response.get_data(as_text=True)
    delivery.deliver_due()
    en = mails(smtp)["wu@example.com"]
    assert en["Subject"].startswith("Meeting changed: Complaint rate rising, now ")
    [event] = ics_of(en).walk("VEVENT")
    assert str(event["UID"]) == f"meeting-{meeting.id}@pitwall.test" and int(event["SEQUENCE"]) == 1
    assert event.decoded("DTSTART").time() == time(9, 0) and str(event["LOCATION"]) == "Workshop"
    assert "changed since the notice" not in client.get(f"/meetings/{meeting.id}").get_data(as_text=True)


def notices_sent(meeting) -> int:
    return db.session.scalar(select(db.func.count()).select_from(Notification).where(
        Notification.kind.in_([notice.NOTICE, notice.UPDATE, notice.CANCELLED]), Notification.link.endswith(f"/{meeting.id}")))


def test_a_double_click_on_send_sends_one_notice(app, login, team, meeting):
    client = login(team[0])
    seen = notice.seen_state(meeting)
    first = client.post(f"/meetings/{meeting.id}/notice", data={"seen": seen}, follow_redirects=True)
    assert "Notice sent to 3 attendees" in first.text
    second = client.post(f"/meetings/{meeting.id}/notice", data={"seen": seen}, follow_redirects=True)
    assert "The notice was sent a moment ago" in second.text and "nothing more was sent" in second.text
    assert notices_sent(meeting) == 3 and db.session.get(Meeting, meeting.id).ical_sequence == 0
    # The page now offers an update, and that click sends one.
    assert "Update sent to 3 attendees" in send_notice(client, meeting, follow_redirects=True).text
    assert notices_sent(meeting) == 6 and db.session.get(Meeting, meeting.id).ical_sequence == 1
    # A post without the state the page showed sends nothing.
    for hostile in ({}, {"seen": "1.1\x00"}, {"seen": "9" * 10_000}):
        answer = client.post(f"/meetings/{meeting.id}/notice", data=hostile, follow_redirects=True)
        assert answer.status_code == 200 and "nothing more was sent" in answer.text
    assert notices_sent(meeting) == 6


def test_clicks_at_the_same_moment_tell_each_person_once(app, login, team, meeting):
    """Four "send notice" clicks released together: one notice. Then three cancellations released
    together: one cancellation, told once. On SQLite and PostgreSQL alike."""
    from tests.test_concurrency import at_once

    clients = [login(team[0]) for _ in range(4)]
    for c in clients:
        c.token()
    seen = notice.seen_state(meeting)
    sends = at_once(app, clients, lambda c, i: c.post(f"/meetings/{meeting.id}/notice", data={"seen": seen}))
    assert {r.status_code for r in sends} == {302}

    def kinds():
        return db.session.scalars(select(Notification.kind).where(Notification.kind.in_(
            [notice.NOTICE, notice.UPDATE, notice.CANCELLED]))).all()

    assert sorted(kinds()) == [notice.NOTICE] * 3 and db.session.get(Meeting, meeting.id).ical_sequence == 0
    cancels = at_once(app, clients[:3], lambda c, i: c.post(f"/meetings/{meeting.id}/cancel",
                                                            data={"confirm": "y", "reason": f"Reason {i}"}))
    assert {r.status_code for r in cancels} == {302}
    m = db.session.get(Meeting, meeting.id)
    assert m.status == CALLED_OFF and m.ical_sequence == 1 and kinds().count(notice.CANCELLED) == 3


def test_cancelling_sends_method_cancel_after_confirmation(app, smtp, login, team, meeting):
    manager = team[0]
    client = login(manager)
    send_notice(client, meeting)
    delivery.deliver_due()
    smtp.received.clear()
    assert "Yes, cancel this meeting" in client.get(f"/meetings/{meeting.id}/cancel").get_data(as_text=True)
    refused = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Audit visit"})
    assert refused.status_code == 422 and db.session.get(Meeting, meeting.id).status != CALLED_OFF
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"reason": "Audit visit", "confirm": "y"},
                           follow_redirects=True)
    assert "Everyone invited is told" in response.get_data(as_text=True)
    delivery.deliver_due()
    en = mails(smtp)["wu@example.com"]
    assert en["Subject"].startswith("Meeting cancelled: Complaint rate rising")
    assert "Audit visit" in en.get_body(("plain",)).get_content()
    cal = ics_of(en)
    [event] = cal.walk("VEVENT")
    assert cal["METHOD"] == "CANCEL" and str(event["STATUS"]) == "CANCELLED" and int(event["SEQUENCE"]) == 1
    assert str(event["UID"]) == f"meeting-{meeting.id}@pitwall.test"
    # A cancelled meeting takes no further notice, edit or agenda change.
    again = send_notice(client, meeting, follow_redirects=True)
    assert "was cancelled" in again.get_data(as_text=True)
    assert client.get(f"/meetings/{meeting.id}/cancel", follow_redirects=True).status_code == 200
    assert "Cancelled" in client.get("/meetings/").get_data(as_text=True)


def test_cancelling_without_a_notice_tells_nobody(app, smtp, login, team, meeting):
    client = login(team[0])
    response = client.post(f"/meetings/{meeting.id}/cancel", data={"confirm": "y"}, follow_redirects=True)
    assert "nobody is told" in response.get_data(as_text=True)
    assert db.session.scalar(select(OutboxMessage)) is None


def test_short_notice_is_shown_as_such(app, login, team, make_meeting):
    m = make_meeting(days_ahead=1, attendees=team[1:])
    client = login(team[0])
    send_notice(client, m)
    assert "Short notice: less than three days ahead" in client.get(f"/meetings/{m.id}").get_data(as_text=True)


def test_no_notice_for_a_meeting_that_has_begun(app, login, team, make_meeting):
    m = make_meeting(days_ahead=-1, attendees=team[1:])
    response = send_notice(login(team[0]), m, follow_redirects=True)
    assert "has begun" in response.get_data(as_text=True)
    assert db.session.scalar(select(Notification)) is None


def test_closing_sends_the_minutes_and_each_owner_their_new_items(app, smtp, login, team, make_meeting, make_item):
    manager, staff, tech = team
    m = make_meeting(days_ahead=0, theme="Weekly", attendees=[staff])
    make_item(staff, meeting=m, title="Call back 12 customers")
    make_item(tech, meeting=m, title="Check the lift")  # an owner who was not invited
    client = login(manager)
    client.post(f"/meetings/{m.id}/decisions", data={"decision-text": "Complaints answered within 4 h"})
    response = client.post(f"/meetings/{m.id}/close", data={"confirm_early": "y"}, follow_redirects=True)
    assert response.status_code == 200
    assert db.session.get(Meeting, m.id).is_closed
    delivery.deliver_due()
    got = {}
    for rcpt, msg in smtp.received:
        got.setdefault(rcpt[0], []).append(msg["Subject"])
    # By e-mail: the item when it was assigned, then the minutes (the new-items list is in the app only).
    assert sorted(s[:8] for s in got["wu@example.com"]) == ["Minutes:", "New acti"]
    assert sorted(s[:4] for s in got["zhang@example.com"]) == ["会议纪要", "你有新的"]
    assert [s[:4] for s in got["li@example.com"]] == ["会议纪要"]  # no language chosen: the default
    minutes = next(msg for rcpt, msg in smtp.received if rcpt == ["wu@example.com"]
                   and msg["Subject"].startswith("Minutes"))
    text = minutes.get_body(("plain",)).get_content()
    assert "Complaints answered within 4 h" in text and "Check the lift" in text and "Call back 12 customers" in text
    assert "Check the lift · Technician Wu" in text and "← yours" in text
    # The minutes PDF is attached: the archived copy, in the reader's language.
    import io

    from pypdf import PdfReader
    [pdf] = [part for part in minutes.iter_attachments() if part.get_content_type() == "application/pdf"]
    pages = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.get_content())).pages)
    assert "Complaints answered within 4 h" in pages and "Check the lift" in pages
    mine = db.session.scalars(select(Notification).where(Notification.user_id == tech.id,
                                                         Notification.kind == notice.NEW_ITEMS)).all()
    assert len(mine) == 1 and mine[0].link == "/actions/mine"


def test_robots_get_the_notice_and_the_minutes_through_the_outbox(app, smtp, login, team, meeting, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_WEBHOOK_HOSTS", ["127.0.0.1"])
    manager = team[0]
    client = login(manager)
    with ChatServer() as server:
        client.post("/chat-robots/", data={"name": "群", "platform": "dingtalk", "webhook_url": server.dingtalk_url,
                                           "webhook_secret": DINGTALK_SECRET, "events": ["meeting_notice"], "active": "y"})
        client.post("/chat-robots/", data={"name": "纪要群", "platform": "wecom", "webhook_url": server.wecom_url,
                                           "events": ["minutes"], "active": "y"})
        send_notice(client, meeting)
        delivery.deliver_due()
        [text] = server.texts("dingtalk")
        assert text.startswith("会议通知：Complaint rate rising") and "Room 2" in text and "开场白" in text
        assert f"(http://pitwall.test/meetings/{meeting.id})" in text
        assert server.texts("wecom") == []


def test_a_refusing_robot_is_retried_by_the_outbox(app, login, team, meeting, monkeypatch):
    monkeypatch.setitem(app.config, "CHAT_WEBHOOK_HOSTS", ["127.0.0.1"])
    client = login(team[0])
    with ChatServer() as server:
        client.post("/chat-robots/", data={"name": "群", "platform": "dingtalk", "webhook_url": server.dingtalk_url,
                                           "webhook_secret": "wrong", "events": ["meeting_notice"], "active": "y"})
        send_notice(client, meeting)
        delivery.deliver_due()
        chat = db.session.scalar(select(OutboxMessage).where(OutboxMessage.channel == "chat"))
        assert chat.status == "pending" and chat.attempts == 1 and "310000" in chat.last_error


def test_only_the_meetings_manager_sends_a_notice_or_cancels(app, login, team, meeting, make_user, make_store):
    manager, staff, tech = team
    other = make_user(MANAGER, make_store("S2"), username="boss2")
    gm = make_user(GM, manager.store, username="gm7")
    for user in (staff, gm, other):
        client = login(user)
        assert send_notice(client, meeting).status_code == 403
        assert client.get(f"/meetings/{meeting.id}/cancel").status_code == 403
        assert client.post(f"/meetings/{meeting.id}/cancel", data={"confirm": "y"}).status_code == 403
    assert db.session.scalar(select(Notification)) is None
    assert db.session.get(Meeting, meeting.id).status == "planned"
    assert "Send notice" not in login(staff).get(f"/meetings/{meeting.id}").get_data(as_text=True)


def test_minutes_and_the_daily_overdue_digest_reach_the_robots_that_take_them(app, login, team, make_meeting,
                                                                              make_item, monkeypatch):
    from datetime import datetime as dt

    from app.notifications import schedule

    monkeypatch.setitem(app.config, "CHAT_WEBHOOK_HOSTS", ["127.0.0.1"])
    manager, staff, _tech = team
    m = make_meeting(days_ahead=0, theme="Weekly", attendees=[staff])
    make_item(staff, meeting=m, title="Call back 12 customers")
    client = login(manager)
    with ChatServer() as server:
        client.post("/chat-robots/", data={"name": "纪要群", "platform": "wecom", "webhook_url": server.wecom_url,
                                           "events": ["minutes", "overdue_digest"], "active": "y"})
        client.post(f"/meetings/{m.id}/close", data={"confirm_early": "y"})
        delivery.deliver_due()
        [minutes] = server.texts("wecom")
        assert minutes.startswith("**会议纪要：Weekly**") and "Call back 12 customers" in minutes
        late = make_item(staff, title="Fix the lift", days=-3)
        schedule.run_daily_jobs(dt.combine(local_today(), time(23, 0)))
        schedule.run_daily_jobs(dt.combine(local_today(), time(23, 30)))  # once a day, however often it runs
        delivery.deliver_due()
        texts = server.texts("wecom")
        assert len(texts) == 2 and texts[1].startswith("**First store：1项逾期行动项**")
        assert f"{late.title} · Advisor Zhang · 逾期 3 天" in texts[1]
