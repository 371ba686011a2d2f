"""The audit trail's one table: entries are only ever added (services refuse changing one)."""
from datetime import datetime

from sqlalchemy import JSON, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow

CREATE, UPDATE, DELETE = "create", "update", "delete"
LOGIN, LOGIN_FAILED, LOCKOUT, LOGOUT = "login", "login_failed", "lockout", "logout"


class AuditEntry(db.Model):
    __tablename__ = "audit_entry"
    __table_args__ = (
        Index("ix_audit_entry_subject", "subject_type", "subject_id"),
        Index("ix_audit_entry_store_at", "store_id", "at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # No foreign keys: the trail outlives what it tells about.
    user_id: Mapped[int | None] = mapped_column(index=True)  # None: the system, or nobody logged in
    action: Mapped[str] = mapped_column(String(20))
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None]
    # The object whose history this belongs to: the meeting of an agenda item; else the object itself.
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    store_id: Mapped[int | None]
    old_values: Mapped[dict | None] = mapped_column(JSON)
    new_values: Mapped[dict | None] = mapped_column(JSON)
    request_id: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User | None] = relationship(primaryjoin="foreign(AuditEntry.user_id) == User.id", lazy="joined",
                                             viewonly=True)
