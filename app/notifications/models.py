"""What notifications store: in-app notifications, the outbox of messages to deliver, each person's
e-mail choices and language, each store's reminder and escalation settings, and the daily runs."""
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow

# Outbox statuses: waiting (pending, also between retries), claimed by a `flask notify` run (sending),
# delivered (sent), given up after the last try (failed).
PENDING, SENDING, SENT, FAILED = "pending", "sending", "sent", "failed"


class Notification(db.Model):
    """One in-app notification for one person. The text is not stored: `kind` and `params` are shown
    in the reader's language when the list is drawn."""
    __tablename__ = "notification"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    # Same key, same person: one notification (a daily job run twice, a retried request).
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_notification_user_created", "user_id", "created_at"),
        Index("ix_notification_user_read", "user_id", "read_at"),
    )


class OutboxMessage(db.Model):
    """A message to deliver on a channel ("email", "chat", ...), written in the transaction of the
    change that caused it and delivered by `flask notify`."""
    __tablename__ = "outbox_message"
    id: Mapped[int] = mapped_column(primary_key=True)
    channel: Mapped[str] = mapped_column(String(20))
    # The person it is for (their language is looked up when it is sent), if it is for a person.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    # The address on the channel: an e-mail address, a chat robot's id, ...
    recipient: Mapped[str] = mapped_column(String(255))
    store_id: Mapped[int | None] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(60))
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    link: Mapped[str] = mapped_column(String(500), default="")
    # For messages to no person (a group chat): the language to write in; None: the app's default.
    language: Mapped[str | None] = mapped_column(String(10))
    # [{"builder": name, "args": {...}}, ...]: built when sending (register_attachment).
    attachments: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(10), default=PENDING)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    claim: Mapped[str | None] = mapped_column(String(40), index=True)
    claimed_at: Mapped[datetime | None]
    last_error: Mapped[str] = mapped_column(Text, default="")
    sent_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    dedup_key: Mapped[str | None] = mapped_column(String(200), unique=True)

    user: Mapped[User | None] = relationship()

    __table_args__ = (Index("ix_outbox_message_due", "status", "next_attempt_at"),)


class EmailPreference(db.Model):
    """A person's choice for one kind of e-mail; no row: the kind's default."""
    __tablename__ = "email_preference"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    kind: Mapped[str] = mapped_column(String(60), primary_key=True)
    enabled: Mapped[bool]


class MessageLanguage(db.Model):
    """The language a person's e-mails are written in (set from the account page and the language
    switch); no row: the app's default language."""
    __tablename__ = "message_language"
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), primary_key=True)
    language: Mapped[str] = mapped_column(String(10))


class StoreNotificationSettings(db.Model):
    """When a store's owners are reminded and items escalated; no row: the defaults."""
    __tablename__ = "store_notification_settings"
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    reminder_days: Mapped[int] = mapped_column(default=1)
    escalation_days: Mapped[int] = mapped_column(default=7)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    __mapper_args__ = {"version_id_col": version}


class DailyRun(db.Model):
    """A daily job done for one store on one local day: inserted in the job's own transaction, so a
    second `flask notify` that day (or one running at the same time) finds it and does nothing."""
    __tablename__ = "daily_run"
    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(60))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"))
    day: Mapped[date]
    ran_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("job", "store_id", "day"),)
