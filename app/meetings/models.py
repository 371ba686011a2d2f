"""Meetings, their agenda, attendance, minutes, decisions and the review of open action items."""
from datetime import date, datetime, time

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Index, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.readable import register_values
from ..auth.models import Store, User
from ..extensions import db
from ..timeutils import utcnow

WEEKLY, MONTHLY, ANNUAL, CASE = "weekly", "monthly", "annual", "case"
MEETING_KINDS = {
    WEEKLY: _l("Weekly meeting"),
    MONTHLY: _l("Monthly review"),
    ANNUAL: _l("Year-end review"),
    CASE: _l("Case review"),
}

PLANNED, CLOSED, CALLED_OFF = "planned", "closed", "cancelled"

# The standard agenda of the after-sales meeting system, in order, with default minutes.
OPENING, REVIEW, THEME, QA, SHARING, ACTION_PLAN, SUMMARY, CUSTOM = (
    "opening", "review", "theme", "qa", "sharing", "action_plan", "summary", "custom",
)
AGENDA_KINDS = {
    OPENING: _l("Opening: purpose and theme"),
    REVIEW: _l("Review of the last meeting's resolutions"),
    THEME: _l("Theme discussion"),
    QA: _l("Questions and answers"),
    SHARING: _l("Experience sharing"),
    ACTION_PLAN: _l("Action plan"),
    SUMMARY: _l("Summary"),
}
STANDARD_AGENDA = [
    (OPENING, 5), (REVIEW, 15), (THEME, 20), (QA, 10), (SHARING, 10), (ACTION_PLAN, 10), (SUMMARY, 5),
]

INVITED, PRESENT, ABSENT, EXCUSED = "invited", "present", "absent", "excused"
ATTENDANCE = {
    INVITED: _l("Not recorded"),
    PRESENT: _l("Present"),
    ABSENT: _l("Absent"),
    EXCUSED: _l("Excused"),
}

VERIFIED, ON_SCHEDULE, EXTENDED, ESCALATED, CANCELLED = (
    "verified", "on_schedule", "extended", "escalated", "cancelled",
)
DISPOSITIONS = {
    VERIFIED: _l("Verified done"),
    # Not due yet and on track: it simply comes back next time.
    ON_SCHEDULE: _l("On schedule, follow up next time"),
    EXTENDED: _l("Extended"),
    ESCALATED: _l("Escalated"),
    CANCELLED: _l("Cancelled"),
}

class StoreMeetingSettings(db.Model):
    """A store's usual weekly meeting: the day, time and place a new weekly meeting starts from."""

    __tablename__ = "store_meeting_settings"
    __audited__ = True
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    weekday: Mapped[int] = mapped_column(default=0)  # Monday 0 … Sunday 6, as date.weekday()
    start_time: Mapped[time] = mapped_column(default=time(8, 30))
    place: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class MeetingSeries(db.Model):
    """A recurring weekly meeting: each next meeting is made from the latest one of the series."""
    __audited__ = True

    __tablename__ = "meeting_series"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    interval_days: Mapped[int] = mapped_column(default=7)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Meeting(db.Model):
    __audited__ = True
    __table_args__ = (Index("ix_meeting_store_date", "store_id", "meeting_date"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    series_id: Mapped[int | None] = mapped_column(ForeignKey("meeting_series.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=WEEKLY)
    theme: Mapped[str] = mapped_column(String(200))
    objective: Mapped[str] = mapped_column(Text, default="")
    # What attendees bring or read beforehand (data reports, customer feedback): part of the notice.
    preparation: Mapped[str] = mapped_column(Text, default="", server_default="")
    meeting_date: Mapped[date] = mapped_column(index=True)
    start_time: Mapped[time]
    place: Mapped[str] = mapped_column(String(120), default="")
    chair_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    minute_taker_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=PLANNED)
    closed_at: Mapped[datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # The notice (会议通知): when it last went out, what it said (a fingerprint of time, place and
    # agenda, so a later change offers an update), and the iCalendar SEQUENCE it carried.
    notice_sent_at: Mapped[datetime | None]
    notice_first_sent_at: Mapped[datetime | None]
    notice_fingerprint: Mapped[str] = mapped_column(String(64), default="", server_default="")
    ical_sequence: Mapped[int] = mapped_column(default=0, server_default="0")
    cancelled_at: Mapped[datetime | None]
    cancelled_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    cancel_reason: Mapped[str] = mapped_column(Text, default="", server_default="")

    store: Mapped[Store] = relationship()
    chair: Mapped[User] = relationship(foreign_keys=[chair_id])
    minute_taker: Mapped[User | None] = relationship(foreign_keys=[minute_taker_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    series: Mapped[MeetingSeries | None] = relationship()
    agenda_items: Mapped[list["AgendaItem"]] = relationship(
        back_populates="meeting", order_by="AgendaItem.position", cascade="all, delete-orphan"
    )
    attendances: Mapped[list["Attendance"]] = relationship(
        back_populates="meeting", cascade="all, delete-orphan"
    )
    decisions: Mapped[list["Decision"]] = relationship(
        back_populates="meeting", order_by="Decision.number", cascade="all, delete-orphan"
    )

    @property
    def starts_at(self) -> datetime:
        return datetime.combine(self.meeting_date, self.start_time)

    @property
    def is_closed(self) -> bool:
        return self.status == CLOSED

    @property
    def is_cancelled(self) -> bool:
        return self.status == CALLED_OFF

    @property
    def kind_label(self) -> str:
        return str(MEETING_KINDS.get(self.kind, self.kind))

    def agenda_item(self, kind: str) -> "AgendaItem | None":
        return next((i for i in self.agenda_items if i.kind == kind), None)


class AgendaItem(db.Model):
    __audited__ = "meeting"
    __tablename__ = "agenda_item"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(20), default=CUSTOM)
    # A custom title; the standard items show their translated name when this is empty.
    title: Mapped[str] = mapped_column(String(200), default="")
    duration_minutes: Mapped[int] = mapped_column(default=10)
    minutes: Mapped[str] = mapped_column(Text, default="")
    # Raised on every save of the minutes, so a save based on an older text is refused.
    minutes_version: Mapped[int] = mapped_column(default=0)
    minutes_updated_at: Mapped[datetime | None]
    minutes_updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))

    meeting: Mapped[Meeting] = relationship(back_populates="agenda_items")
    minutes_updated_by: Mapped[User | None] = relationship()

    @property
    def display_title(self) -> str:
        return self.title or str(AGENDA_KINDS.get(self.kind, ""))


class Attendance(db.Model):
    __audited__ = "meeting"
    __table_args__ = (UniqueConstraint("meeting_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    status: Mapped[str] = mapped_column(String(20), default=INVITED)

    meeting: Mapped[Meeting] = relationship(back_populates="attendances")
    user: Mapped[User] = relationship(lazy="joined")

    @property
    def status_label(self) -> str:
        return str(ATTENDANCE[self.status])


class CalendarFeed(db.Model):
    """A person's secret calendar feed URL: only the token's hash is kept; revoking deletes the row."""
    __audited__ = True

    __tablename__ = "calendar_feed"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), unique=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_used_at: Mapped[datetime | None]

    user: Mapped[User] = relationship()


class MinutesAmendment(db.Model):
    """A change to the minutes of a closed meeting: who, when, and what the text was before."""
    __audited__ = "agenda_item"

    __tablename__ = "minutes_amendment"
    id: Mapped[int] = mapped_column(primary_key=True)
    agenda_item_id: Mapped[int] = mapped_column(
        ForeignKey("agenda_item.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    old_text: Mapped[str] = mapped_column(Text)
    new_text: Mapped[str] = mapped_column(Text)

    user: Mapped[User] = relationship(lazy="joined")
    agenda_item: Mapped[AgendaItem] = relationship()


class Decision(db.Model):
    """A numbered resolution; the number runs per store so the register reads 1, 2, 3 …"""
    __audited__ = "meeting"

    __table_args__ = (UniqueConstraint("store_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    number: Mapped[int]
    text: Mapped[str] = mapped_column(Text)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship(back_populates="decisions")
    agenda_item: Mapped[AgendaItem | None] = relationship()


class ReviewEntry(db.Model):
    """The disposition a meeting gave one carried-over action item in its review."""
    __audited__ = "meeting"

    __tablename__ = "review_entry"
    __table_args__ = (UniqueConstraint("meeting_id", "action_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id"), index=True)
    disposition: Mapped[str] = mapped_column(String(20))
    reason: Mapped[str] = mapped_column(Text, default="")
    new_deadline: Mapped[date | None]
    # What the item looked like when it was reviewed, for the frozen minutes.
    status_at_review: Mapped[str] = mapped_column(String(20))
    deadline_at_review: Mapped[date]
    decided_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    decided_at: Mapped[datetime] = mapped_column(default=utcnow)

    meeting: Mapped[Meeting] = relationship()
    action_item: Mapped["ActionItem"] = relationship()  # noqa: F821 (app.actions.models)
    decided_by: Mapped[User] = relationship()

    @property
    def disposition_label(self) -> str:
        return str(DISPOSITIONS[self.disposition])


PROPOSAL_KINDS = {
    "kpi_below_target": _l("KPI below target"),
    "goal_off_track": _l("Goal off track"),
    "goal_no_check": _l("Goal with no check this month"),
    "plan_step_due": _l("PDCA plan step due"),
}


class AgendaProposal(db.Model):
    """A topic the data proposes for a new meeting; the manager keeps or drops it."""
    __audited__ = "meeting"

    __tablename__ = "agenda_proposal"
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_kind: Mapped[str] = mapped_column(String(20))  # the agenda item it belongs to: theme or review
    kind: Mapped[str] = mapped_column(String(30))
    kpi_id: Mapped[int | None] = mapped_column(ForeignKey("kpi.id"))
    goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"))
    plan_step_id: Mapped[int | None] = mapped_column(ForeignKey("plan_step.id", ondelete="CASCADE"))
    value: Mapped[float | None]  # the figure behind it when proposed
    kept: Mapped[bool | None]  # None until the manager decides

    kpi: Mapped["Kpi | None"] = relationship()  # noqa: F821
    goal: Mapped["Goal | None"] = relationship()  # noqa: F821
    plan_step: Mapped["PlanStep | None"] = relationship()  # noqa: F821

    @property
    def kind_label(self) -> str:
        return str(PROPOSAL_KINDS[self.kind])

register_values("kind", MEETING_KINDS, "meeting")
register_values("kind", AGENDA_KINDS, "agenda_item")
register_values("status", ATTENDANCE, "attendance")
register_values("disposition", DISPOSITIONS, "review_entry")
register_values("agenda_kind", AGENDA_KINDS, "agenda_proposal")
register_values("kind", PROPOSAL_KINDS, "agenda_proposal")

class MinutesArchive(db.Model):
    """The PDF of a closed meeting's minutes as first rendered, per language: the archived copy
    (app/meetings/documents.py). Made again only when an amendment is recorded after it."""

    __tablename__ = "minutes_archive"
    __table_args__ = (UniqueConstraint("meeting_id", "locale"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    locale: Mapped[str] = mapped_column(String(10))
    # The latest amendment the copy includes (None: made before any amendment).
    amendment_id: Mapped[int | None]
    pdf: Mapped[bytes] = mapped_column(LargeBinary)
    sha256: Mapped[str] = mapped_column(String(64))
    rendered_at: Mapped[datetime] = mapped_column(default=utcnow)
