"""Action items (行动项) and their dated history."""
from datetime import date, datetime

from flask_babel import gettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.readable import register_values
from ..auth.models import User
from ..extensions import db
from ..timeutils import utcnow

OPEN, IN_PROGRESS, DONE, CANCELLED = "open", "in_progress", "done", "cancelled"
STATUSES = {
    OPEN: _l("Open"),
    IN_PROGRESS: _l("In progress"),
    DONE: _l("Done"),
    CANCELLED: _l("Cancelled"),
}
ACTIVE_STATUSES = (OPEN, IN_PROGRESS)
# Staff report progress; cancelling a promise is the manager's call, with a reason.
OWNER_STATUSES = (OPEN, IN_PROGRESS, DONE)

EVENTS = {
    "created": _l("created the item"),
    "status": _l("changed the status"),
    "note": _l("added a progress note"),
    "edited": _l("edited the item"),
    "extended": _l("extended the deadline"),
    "escalated": _l("escalated the item"),
    "verified": _l("verified it done in a meeting review"),
    "cancelled": _l("cancelled the item"),
    "reopened": _l("undid a review disposition"),
}

LOW, NORMAL, HIGH = "low", "normal", "high"
PRIORITIES = {HIGH: _l("High"), NORMAL: _l("Normal"), LOW: _l("Low")}


class ActionItem(db.Model):
    __audited__ = True
    __tablename__ = "action_item"
    # A store's open items by deadline (board, overdue counts); a person's open items (my action items).
    __table_args__ = (Index("ix_action_item_store_status_deadline", "store_id", "status", "deadline"),
                      Index("ix_action_item_owner_status", "owner_id", "status"))
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    deadline: Mapped[date] = mapped_column(index=True)
    original_deadline: Mapped[date]
    extension_count: Mapped[int] = mapped_column(default=0)
    escalated: Mapped[bool] = mapped_column(default=False)
    priority: Mapped[str] = mapped_column(String(10), default=NORMAL)
    status: Mapped[str] = mapped_column(String(20), default=OPEN, index=True)
    progress_note: Mapped[str] = mapped_column(Text, default="")
    done_at: Mapped[datetime | None]
    # Set when a review verifies the item or it is cancelled: it then stops coming back.
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Optimistic lock: an update based on an older version is refused, never silently applied.
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id])
    meeting: Mapped["Meeting | None"] = relationship()  # noqa: F821
    agenda_item: Mapped["AgendaItem | None"] = relationship()  # noqa: F821
    history: Mapped[list["ActionItemUpdate"]] = relationship(
        back_populates="action_item", order_by="ActionItemUpdate.at.desc()", cascade="all, delete-orphan"
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def priority_label(self) -> str:
        return str(PRIORITIES[self.priority])

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE_STATUSES

    def days_overdue(self, today: date) -> int:
        """Days past the deadline for an unfinished item; 0 when on time or finished."""
        if not self.is_active:
            return 0
        return max((today - self.deadline).days, 0)


class ActionItemUpdate(db.Model):
    """One dated entry in an action item's history."""
    __audited__ = "action_item"

    __tablename__ = "action_item_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    action_item_id: Mapped[int] = mapped_column(
        ForeignKey("action_item.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    # created, status, note, edited, extended, escalated, verified, cancelled
    event: Mapped[str] = mapped_column(String(20))
    old_status: Mapped[str | None] = mapped_column(String(20))
    new_status: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    action_item: Mapped[ActionItem] = relationship(back_populates="history")
    author: Mapped[User] = relationship(lazy="joined")

    @property
    def event_label(self) -> str:
        label = str(EVENTS.get(self.event, self.event))
        if self.old_status and self.new_status:
            # A pattern, so Chinese gets its full-width brackets: 更改了状态（未开始 → 进行中）
            label = gettext("%(event)s (%(old)s → %(new)s)", event=label, old=STATUSES[self.old_status],
                            new=STATUSES[self.new_status])
        return label

register_values("status", STATUSES, "action_item")
register_values("priority", PRIORITIES, "action_item")
register_values("event", EVENTS, "action_item_update")
register_values("old_status", STATUSES, "action_item_update")
register_values("new_status", STATUSES, "action_item_update")
