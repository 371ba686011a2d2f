"""`flask notify`, part one: deliver the outbox messages that are due, each exactly once.

A run claims a batch in one short transaction (PostgreSQL: the rows are picked with
FOR UPDATE SKIP LOCKED, so a second run at the same moment takes other rows; SQLite: the claiming
UPDATE is atomic, writers queue), commits the claim, then sends and records each outcome. A failed
try is retried after BACKOFF; after the last one, or at once when the server refuses for good (SMTP
5xx), the message is "failed" and shown on the administrator's page, which can send it again. A run that dies while sending leaves its rows claimed ("sending"): after
STALE_CLAIM they are due again (possibly sent twice in that rare case: a crash, not a concurrent run).
"""
import logging
import secrets
import smtplib
from datetime import datetime, timedelta

from flask import current_app, render_template
from flask_babel import force_locale
from sqlalchemy import or_, select, update

from ..common import absolute_url
from ..extensions import db
from ..timeutils import utcnow
from . import services
from .housekeeping import tell_admins_of_failure
from .models import FAILED, PENDING, SENDING, SENT, OutboxMessage
from .registry import ATTACHMENTS, CHANNELS, KINDS, Content

log = logging.getLogger("pitwall.notify")

BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=30), timedelta(hours=2), timedelta(hours=6))
MAX_ATTEMPTS = len(BACKOFF) + 1
STALE_CLAIM = timedelta(minutes=15)


def render(message, language: str) -> Content:
    """The message as its recipient reads it, in `language`."""
    kind = KINDS[message.kind]
    # A request of its own (as in `flask notify`): Babel's locale, url_for and the templates' context
    # processors need one; an app context already active (the CLI's, a test's) is kept.
    base = current_app.config["BASE_URL"]
    with current_app.test_request_context("/", base_url=base), force_locale(language):
        link = absolute_url(message.link)
        values = {"params": message.params, "link": link, "recipient": message.user, "kind": kind}
        subject = kind.subject(message.params)
        text = render_template(kind.text_template, subject=subject, **values)
        if kind.html_template:
            html = render_template(kind.html_template, subject=subject, **values)
        else:
            html = render_template("notifications/email/_plain.html", subject=subject, body=text, **values)
        attachments = []
        for spec in message.attachments or ():
            build = ATTACHMENTS.get(spec.get("builder"))
            if build is None:
                raise LookupError(f"no attachment builder {spec.get('builder')!r}")
            built = build(message, **spec.get("args", {}))
            if built is not None:
                attachments.append(built)
    return Content(subject=subject, text=text, html=html, link=link, attachments=attachments)


def claim(now: datetime, limit: int) -> str | None:
    """Mark up to `limit` due messages as ours and commit; the claim's token (None: nothing due)."""
    token = secrets.token_hex(16)
    due = (select(OutboxMessage.id)
           .where(or_(
               (OutboxMessage.status == PENDING) & (OutboxMessage.next_attempt_at <= now),
               (OutboxMessage.status == SENDING) & (OutboxMessage.claimed_at <= now - STALE_CLAIM)))
           .order_by(OutboxMessage.next_attempt_at, OutboxMessage.id).limit(limit)
           .with_for_update(skip_locked=True))
    claimed = db.session.execute(
        update(OutboxMessage).where(OutboxMessage.id.in_(due.scalar_subquery()),
                                    OutboxMessage.status.in_((PENDING, SENDING)))
        .values(status=SENDING, claim=token, claimed_at=now, attempts=OutboxMessage.attempts + 1)
        .execution_options(synchronize_session=False)).rowcount
    db.session.commit()
    return token if claimed else None


def describe(error: Exception) -> str:
    """The error as the administrator reads it: an SMTP server's own answer when it gave one."""
    if isinstance(error, smtplib.SMTPResponseException):
        text = error.smtp_error.decode(errors="replace") if isinstance(error.smtp_error, bytes) else error.smtp_error
        return f"{error.smtp_code} {text} ({type(error).__name__})"
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return "; ".join(f"{rcpt}: {code} {text.decode(errors='replace')}"
                         for rcpt, (code, text) in error.recipients.items())
    return f"{type(error).__name__}: {error}"


def permanent(error: Exception) -> bool:
    """A refusal that trying again will not change (SMTP 5xx: no such mailbox, message refused)."""
    return isinstance(error, smtplib.SMTPResponseException) and 500 <= error.smtp_code < 600


def deliver_one(message: OutboxMessage, now: datetime) -> bool:
    try:
        send = CHANNELS[message.channel]
        language = services.message_language(message.user_id) if message.user_id else (
            message.language or current_app.config["BABEL_DEFAULT_LOCALE"])
        send(message, render(message, language))
    except Exception as e:  # any failure is kept as the message's error and tried again later
        db.session.rollback()
        message = db.session.get(OutboxMessage, message.id)
        message.last_error = describe(e)[:2000]
        message.claim = None
        if message.attempts >= MAX_ATTEMPTS or permanent(e):
            message.status = FAILED
            tell_admins_of_failure(message)
            log.error("outbox message %s to %s failed for good: %s", message.id, message.recipient, message.last_error)
        else:
            message.status = PENDING
            message.next_attempt_at = now + BACKOFF[message.attempts - 1]
            log.warning("outbox message %s to %s failed (try %s), again at %s: %s", message.id,
                        message.recipient, message.attempts, message.next_attempt_at, message.last_error)
        db.session.commit()
        return False
    message.status, message.sent_at, message.last_error, message.claim = SENT, utcnow(), "", None
    db.session.commit()
    return True


def deliver_due(now: datetime | None = None, limit: int | None = None) -> tuple[int, int]:
    """Send every message due at `now` (UTC), `limit` (NOTIFY_BATCH) claimed at a time; (sent, failed)."""
    limit = limit or current_app.config["NOTIFY_BATCH"]
    sent = failed = 0
    while True:
        started = now or utcnow()
        token = claim(started, limit)
        if token is None:
            return sent, failed
        for message in db.session.scalars(select(OutboxMessage).where(OutboxMessage.claim == token)
                                          .order_by(OutboxMessage.id)).all():
            if deliver_one(message, started):
                sent += 1
            else:
                failed += 1
