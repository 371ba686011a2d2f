"""E-mail through a real local SMTP server (aiosmtpd): recipients, language, parts, attachments;
retries with backoff and the administrator's failures page; `flask notify` run twice delivers once."""
import email
import socket
from datetime import timedelta
from email import policy

import pytest
from aiosmtpd.controller import Controller

from app.extensions import db
from app.notifications import delivery, services
from app.notifications.models import FAILED, PENDING, SENT, Notification, OutboxMessage
from app.notifications.registry import Attachment, register_attachment
from app.timeutils import utcnow

PAGE_LANGUAGE = "en"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Inbox:
    """An aiosmtpd handler keeping what arrived; `answer` other than 250 refuses each message."""

    def __init__(self):
        self.received = []
        self.answer = "250 OK"

    async def handle_DATA(self, server, session, envelope):
        if not self.answer.startswith("250"):
            return self.answer
        self.received.append((list(envelope.rcpt_tos),
                              email.message_from_bytes(envelope.content, policy=policy.default)))
        return self.answer


@pytest.fixture
def smtp(app):
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    saved = {k: app.config[k] for k in ("MAIL_SERVER", "MAIL_PORT")}
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=controller.port)
    yield inbox
    app.config.update(saved)
    controller.stop()


def parts(message):
    text = message.get_body(("plain",)).get_content()
    html = message.get_body(("html",)).get_content()
    return text, html


def with_address(user, address):
    user.email = address
    db.session.commit()
    return user


def test_mail_reaches_the_recipient_in_their_language_with_text_html_and_attachments(app, smtp, staff, manager):
    register_attachment("test.note", lambda message, text: Attachment("note.txt", "text/plain", text.encode()))
    with_address(staff, "zhang@example.com")
    with_address(manager, "li@example.com")
    services.remember_message_language(staff.id, "zh_CN")
    services.remember_message_language(manager.id, "en")
    services.publish("notifications.test", [staff, manager], store_id=staff.store_id, link="/notifications/",
                     attachments=[{"builder": "test.note", "args": {"text": "hello"}}])
    db.session.commit()

    assert delivery.deliver_due() == (2, 0)
    by_rcpt = {rcpt[0]: msg for rcpt, msg in smtp.received}
    assert set(by_rcpt) == {"zhang@example.com", "li@example.com"}
    zh, en = by_rcpt["zhang@example.com"], by_rcpt["li@example.com"]
    assert zh["Subject"] == "Pitwall 测试消息"
    assert en["Subject"] == "Pitwall test message"
    text, html = parts(zh)
    assert "这是来自 Pitwall 的测试消息" in text and "http://pitwall.test/notifications/" in text
    assert "<h1>Pitwall 测试消息</h1>" in html and 'href="http://pitwall.test/notifications/"' in html
    text, html = parts(en)
    assert "This is a test message from Pitwall." in text and "<html lang=\"en\">" in html
    [attachment] = list(en.iter_attachments())
    assert attachment.get_filename() == "note.txt" and attachment.get_content() == "hello"
    assert all(m.status == SENT for m in db.session.scalars(db.select(OutboxMessage)))


def test_no_address_or_turned_off_means_no_mail_but_still_the_bell(app, smtp, staff, manager):
    with_address(manager, "li@example.com")
    services.set_email_choices(manager.id, {"notifications.test": False})
    services.publish("notifications.test", [staff, manager], store_id=staff.store_id)
    db.session.commit()
    assert delivery.deliver_due() == (0, 0)
    assert services.unread_count(staff.id) == 1 and services.unread_count(manager.id) == 1


def test_a_refusing_server_is_retried_with_backoff_then_failed_and_shown_to_the_admin(app, smtp, staff, login,
                                                                                       make_user):
    from app.auth.models import ADMIN

    admin_user = make_user(ADMIN)
    with_address(staff, "zhang@example.com")
    smtp.answer = "451 4.3.0 Try again later"
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    now = utcnow()
    waits = []
    for attempt in range(delivery.MAX_ATTEMPTS):
        assert delivery.deliver_due(now=now) == (0, 1)
        message = db.session.scalar(db.select(OutboxMessage))
        assert "451" in message.last_error and message.attempts == attempt + 1
        if attempt + 1 < delivery.MAX_ATTEMPTS:
            assert message.status == PENDING
            waits.append(message.next_attempt_at - now)
            assert delivery.deliver_due(now=now) == (0, 0)  # not again before its time
            now = message.next_attempt_at
    assert waits == list(delivery.BACKOFF)
    assert message.status == FAILED
    assert delivery.deliver_due(now=now + timedelta(days=1)) == (0, 0)

    [told] = db.session.scalars(db.select(Notification).where(Notification.user_id == admin_user.id)).all()
    assert told.kind == "notifications.delivery_failed" and told.link == "/notifications/failures"
    assert told.params["recipient"] == "zhang@example.com"
    assert db.session.query(OutboxMessage).count() == 1  # the admins are told in the app only

    admin = login(admin_user)
    assert "A message to zhang@example.com could not be delivered" in admin.get("/notifications/").text
    page = admin.get("/notifications/failures")
    assert page.status_code == 200
    assert "zhang@example.com" in page.text and "451 4.3.0 Try again later" in page.text
    smtp.answer = "250 OK"
    assert admin.post(f"/notifications/failures/{message.id}/retry").status_code == 302
    assert delivery.deliver_due() == (1, 0)
    assert [rcpt for rcpt, _ in smtp.received] == [["zhang@example.com"]]
    assert "zhang@example.com" not in admin.get("/notifications/failures").text


def test_a_permanent_refusal_fails_at_once(app, smtp, staff):
    with_address(staff, "zhang@example.com")
    smtp.answer = "550 5.1.1 No such user"
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    assert delivery.deliver_due() == (0, 1)
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.status == FAILED and message.attempts == 1
    assert message.last_error.startswith("550 5.1.1 No such user")


def test_a_closed_port_is_retried(app, smtp, staff):
    with_address(staff, "zhang@example.com")
    app.config["MAIL_PORT"] = free_port()  # nobody listens there
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    assert delivery.deliver_due() == (0, 1)
    message = db.session.scalar(db.select(OutboxMessage))
    assert message.status == PENDING and message.attempts == 1 and "Connection refused" in message.last_error


def test_flask_notify_twice_in_a_row_delivers_once(app, smtp, staff):
    with_address(staff, "zhang@example.com")
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    runner = app.test_cli_runner()
    first = runner.invoke(args=["notify", "--no-daily"])
    assert first.exit_code == 0, first.output
    assert "1 message(s) sent" in first.output
    second = runner.invoke(args=["notify", "--no-daily"])
    assert "0 message(s) sent" in second.output
    assert len(smtp.received) == 1


def test_a_copy_sent_again_after_a_crash_carries_the_same_message_id(app, smtp, staff, manager):
    """A run that dies after the server took the mail but before marking it sent: the next run sends
    it again (at least once), with the Message-ID of the first copy, so mail systems show it once."""
    with_address(staff, "zhang@example.com")
    with_address(manager, "li@example.com")
    services.publish("notifications.test", [staff, manager], store_id=staff.store_id)
    db.session.commit()
    assert delivery.deliver_due() == (2, 0)
    db.session.execute(db.update(OutboxMessage).values(status="pending", sent_at=None))  # as if never marked
    db.session.commit()
    assert delivery.deliver_due() == (2, 0)
    ids = {}
    for rcpt, msg in smtp.received:
        ids.setdefault(rcpt[0], []).append(msg["Message-ID"])
    assert len(ids["zhang@example.com"]) == 2 and len(set(ids["zhang@example.com"])) == 1
    assert ids["zhang@example.com"][0] != ids["li@example.com"][0]  # one message each, each its own id
    assert ids["zhang@example.com"][0].startswith("<outbox-")


def test_without_mail_server_mail_goes_to_the_log(app, staff, caplog):
    with_address(staff, "zhang@example.com")
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    with caplog.at_level("INFO", logger="pitwall.mail"):
        assert delivery.deliver_due() == (1, 0)
    assert "To: zhang@example.com" in caplog.text and "no MAIL_SERVER" in caplog.text


def test_dedup_key_tells_a_person_once(app, staff):
    for _ in range(2):
        services.publish("notifications.test", [staff], store_id=staff.store_id, dedup_key="once")
        db.session.commit()
    assert services.unread_count(staff.id) == 1


def test_old_read_notifications_and_sent_messages_are_forgotten(app, staff):
    from app.notifications.housekeeping import KEEP_READ, KEEP_SENT, forget_old
    from app.timeutils import local_today

    with_address(staff, "zhang@example.com")
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    services.publish("notifications.test", [staff], store_id=staff.store_id)
    db.session.commit()
    assert delivery.deliver_due() == (2, 0)
    old, recent = db.session.scalars(db.select(Notification).order_by(Notification.id)).all()
    old.read_at = utcnow() - KEEP_READ - timedelta(days=1)
    db.session.scalars(db.select(OutboxMessage).order_by(OutboxMessage.id)).first().sent_at = (
        utcnow() - KEEP_SENT - timedelta(days=1))
    db.session.commit()
    forget_old(staff.store, local_today())
    db.session.commit()
    assert [n.id for n in db.session.scalars(db.select(Notification))] == [recent.id]
    assert db.session.query(OutboxMessage).count() == 1
