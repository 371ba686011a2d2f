"""The notifications API the features call (in the caller's transaction, never committing), and the
queries of the notification pages."""
from collections.abc import Iterable

from flask import current_app, has_request_context, url_for
from flask_babel import gettext as _
from sqlalchemy import func, or_, select, update

from ..auth.models import GM, MANAGER, User, store_access
from ..common import RuleViolation
from ..database import insert_unless_taken
from ..extensions import db
from ..timeutils import utcnow
from .models import (
    FAILED,
    PENDING,
    EmailPreference,
    MessageLanguage,
    Notification,
    OutboxMessage,
    StoreNotificationSettings,
)
from .registry import KINDS

LANGUAGES = ("zh_CN", "en")
# Bounds of the store settings (the form and the service both hold to them).
REMINDER_DAYS = (0, 30)
ESCALATION_DAYS = (1, 90)


def path_for(endpoint: str, **values) -> str:
    """url_for's local path, also where no request is being served (`flask notify`, `flask demo`)."""
    if has_request_context():
        return url_for(endpoint, **values)
    with current_app.test_request_context("/"):
        return url_for(endpoint, **values)


def _users(recipients) -> list[User]:
    """Distinct active people, in the order given; ids are loaded."""
    seen, people = set(), []
    for r in recipients:
        if r is None:
            continue
        user = r if isinstance(r, User) else db.session.get(User, r)
        if user is None or not user.active or user.id in seen:
            continue
        seen.add(user.id)
        people.append(user)
    return people


def publish(kind: str, recipients: Iterable, *, store_id: int | None, link: str = "", params: dict | None = None,
            email: bool = True, attachments: Iterable = (), dedup_key: str | None = None) -> list[User]:
    """Tell people about something: an in-app notification each and, unless they turned this kind
    off (or have no address, or `email` is False), an e-mail through the outbox.

    recipients: User objects or ids (inactive people and repeats are skipped).
    link: a local path (url_for(...)) to the object. params: JSON-safe values the kind's texts use.
    attachments: [{"builder": name, "args": {...}}] (register_attachment), built when sending.
    dedup_key: the same key and person again later does nothing (a key per event, e.g.
    f"action-reminder:{item.id}:{item.deadline}"). Joins the caller's transaction; never commits.
    Returns the people who got a notification now.
    """
    if kind not in KINDS:
        raise KeyError(f"unregistered notification kind {kind!r}")
    params = dict(params or {})
    attachments = [dict(a) for a in attachments]
    told = []
    for user in _users(recipients):
        key = f"{dedup_key}:{user.id}" if dedup_key else None
        row = {"user_id": user.id, "store_id": store_id, "kind": kind, "params": params, "link": link,
               "dedup_key": key, "created_at": utcnow()}
        if key:
            if db.session.execute(insert_unless_taken(Notification).values(**row)
                                  .returning(Notification.id)).first() is None:
                continue  # told already
        else:
            db.session.add(Notification(**row))
        told.append(user)
        if email and user.email and wants_email(user.id, kind):
            enqueue("email", user.email, kind, user_id=user.id, store_id=store_id, link=link, params=params,
                    attachments=attachments, dedup_key=f"email:{key}" if key else None)
    return told


def enqueue(channel: str, recipient: str, kind: str, *, user_id: int | None = None, store_id: int | None = None,
            link: str = "", params: dict | None = None, language: str | None = None, attachments: Iterable = (),
            dedup_key: str | None = None) -> bool:
    """Put one message in the outbox for `flask notify` to deliver on `channel` (registered with
    register_channel) to `recipient` (the channel's address). For a person pass user_id: their
    language is used when it is sent; else `language` (None: the app's default). Joins the caller's
    transaction. False when `dedup_key` was used before (nothing added)."""
    if kind not in KINDS:
        raise KeyError(f"unregistered notification kind {kind!r}")
    now = utcnow()
    row = {"channel": channel, "recipient": recipient, "kind": kind, "user_id": user_id, "store_id": store_id,
           "link": link, "params": dict(params or {}), "language": language,
           "attachments": [dict(a) for a in attachments], "status": PENDING, "attempts": 0,
           "next_attempt_at": now, "last_error": "", "created_at": now, "dedup_key": dedup_key}
    if dedup_key:
        return db.session.execute(insert_unless_taken(OutboxMessage).values(**row)
                                  .returning(OutboxMessage.id)).first() is not None
    db.session.add(OutboxMessage(**row))
    return True


# --- recipients ---------------------------------------------------------------------------

def store_managers(store_id: int) -> list[User]:
    """The active service managers of a store."""
    return db.session.scalars(select(User).where(User.store_id == store_id, User.role == MANAGER,
                                                 User.active.is_(True)).order_by(User.id)).all()


def store_general_managers(store_id: int) -> list[User]:
    """The active general managers whose home store it is or who oversee it."""
    oversees = select(store_access.c.user_id).where(store_access.c.store_id == store_id)
    return db.session.scalars(select(User).where(
        User.role == GM, User.active.is_(True), or_(User.store_id == store_id, User.id.in_(oversees)))
        .order_by(User.id)).all()


# --- preferences and language ----------------------------------------------------------------

def wants_email(user_id: int, kind: str) -> bool:
    choice = db.session.get(EmailPreference, (user_id, kind))
    return KINDS[kind].email_default if choice is None else choice.enabled


def email_choices(user_id: int) -> dict[str, bool]:
    chosen = dict(db.session.execute(select(EmailPreference.kind, EmailPreference.enabled)
                                     .where(EmailPreference.user_id == user_id)).all())
    return {name: chosen.get(name, kind.email_default) for name, kind in KINDS.items()}


def set_email_choices(user_id: int, choices: dict[str, bool]) -> None:
    for kind, enabled in choices.items():
        if kind not in KINDS:
            continue
        row = db.session.get(EmailPreference, (user_id, kind))
        if row is None:
            db.session.add(EmailPreference(user_id=user_id, kind=kind, enabled=bool(enabled)))
        else:
            row.enabled = bool(enabled)


def message_language(user_id: int | None) -> str:
    """The language a person's messages are written in: their choice, else the app's default."""
    row = db.session.get(MessageLanguage, user_id) if user_id else None
    return row.language if row else current_app.config["BABEL_DEFAULT_LOCALE"]


def remember_message_language(user_id: int, language: str) -> None:
    """Called where a person chooses their language (account page, the header's switch)."""
    if language not in LANGUAGES:
        return
    row = db.session.get(MessageLanguage, user_id)
    if row is None:
        db.session.add(MessageLanguage(user_id=user_id, language=language))
    else:
        row.language = language


# --- store settings --------------------------------------------------------------------------

def store_settings(store_id: int) -> StoreNotificationSettings:
    """The store's settings (an unsaved row with the defaults when it has none)."""
    return db.session.get(StoreNotificationSettings, store_id) or StoreNotificationSettings(
        store_id=store_id, reminder_days=1, escalation_days=7, version=0)


def save_store_settings(store_id: int, *, reminder_days: int, escalation_days: int) -> StoreNotificationSettings:
    if not (REMINDER_DAYS[0] <= reminder_days <= REMINDER_DAYS[1]
            and ESCALATION_DAYS[0] <= escalation_days <= ESCALATION_DAYS[1]):
        raise RuleViolation(_("These numbers of days are out of range."))
    row = db.session.get(StoreNotificationSettings, store_id)
    if row is None:
        row = StoreNotificationSettings(store_id=store_id)
        db.session.add(row)
    row.reminder_days, row.escalation_days, row.updated_at = reminder_days, escalation_days, utcnow()
    return row


# --- the bell and the list ---------------------------------------------------------------------

def unread_count_stmt(user_id: int):
    return (select(func.count()).select_from(Notification)
            .where(Notification.user_id == user_id, Notification.read_at.is_(None)))


def unread_count(user_id: int) -> int:
    return db.session.scalar(unread_count_stmt(user_id))


def notifications_stmt(user_id: int):
    return select(Notification).where(Notification.user_id == user_id).order_by(
        Notification.created_at.desc(), Notification.id.desc())


def mark_read(notification: Notification) -> None:
    if notification.read_at is None:
        notification.read_at = utcnow()


def mark_all_read(user_id: int) -> int:
    return db.session.execute(update(Notification).where(Notification.user_id == user_id,
                                                         Notification.read_at.is_(None))
                              .values(read_at=utcnow())).rowcount


# --- failures (the administrator's page) --------------------------------------------------------

def failures_stmt():
    return select(OutboxMessage).where(OutboxMessage.status == FAILED).order_by(OutboxMessage.id.desc())


def retry(message: OutboxMessage) -> None:
    """A failed message goes back to the queue for one more round of tries."""
    if message.status == FAILED:
        message.status, message.attempts, message.next_attempt_at = PENDING, 0, utcnow()
        message.claim = None
