"""Problems (问题反馈) and comebacks (返修), their measures, meetings and dated events."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from flask_babel import lazy_pgettext
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..actions.models import ActionItem
from ..auth.models import User
from ..extensions import db
from ..goals.models import CAUSES as GOAL_CAUSES
from ..meetings.models import AgendaItem, Meeting
from ..timeutils import utcnow

PROBLEM, COMEBACK = "problem", "comeback"
KINDS = {PROBLEM: _l("Problem"), COMEBACK: _l("Comeback")}

URGENT, CAN_WAIT = "urgent", "can_wait"
URGENCIES = {URGENT: _l("Urgent"), CAN_WAIT: _l("Can wait")}

TYPES = {
    "technical": _l("Technical"),
    "process": _l("Process"),
    "parts": _l("Parts"),
    "customer": _l("Customer"),
    "equipment": _l("Equipment"),
    "other": _l("Other"),
}

# 人机料法环: where the cause lies; the same five as a goal check's cause (one list, in goals).
CAUSES = GOAL_CAUSES
# PDCA's question of every deviation: the plan itself, or how it was carried out.
CAUSE_ORIGINS = {"plan": _l("In the plan itself"), "execution": _l("In its execution")}

NEW, OPEN, CLOSED = "new", "open", "closed"
# "Closed" of a problem (已关闭: checked and closed the loop), not of a meeting (已结束).
STATUSES = {NEW: _l("Waiting for triage"), OPEN: _l("Being fixed"), CLOSED: lazy_pgettext("problem", "Closed")}
ACTIVE = (NEW, OPEN)

CORRECTIVE, RECURRENCE = "corrective", "recurrence"
MEASURE_KINDS = {CORRECTIVE: _l("Corrective measure"), RECURRENCE: _l("Measure against recurrence")}

NOT_RECURRED, RECURRED = "not_recurred", "recurred"
CHECK_RESULTS = {NOT_RECURRED: _l("Did not recur: solved"), RECURRED: _l("Recurred: not solved yet")}

EVENTS = {
    "raised": _l("raised the problem"),
    "edited": _l("edited the problem"),
    "corrected": _l("corrected what was reported"),
    "triaged": _l("triaged the problem"),
    "measure": _l("added a measure"),
    "check_failed": _l("checked: the problem recurred"),
    "closed": _l("checked: no recurrence, closed"),
    "reported": _l("reported the result back"),
    "seen": _l("read the result"),
    "reopened": _l("reopened the problem"),
    "agenda": _l("put the problem on a meeting's agenda"),
}

TITLE_MAX, TEXT_MAX, RO_MAX = 200, 4000, 40


class ProblemSettings(db.Model):
    """A store's problem register: who triages besides the manager, the default check window."""

    __tablename__ = "problem_settings"
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id", ondelete="CASCADE"), primary_key=True)
    delegate_id: Mapped[int | None] = mapped_column(ForeignKey("user.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    delegate: Mapped[User | None] = relationship()


class Problem(db.Model):
    __audited__ = True
    __tablename__ = "problem"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20), default=PROBLEM, index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    description: Mapped[str] = mapped_column(Text, default="")
    location: Mapped[str] = mapped_column(String(120), default="")
    urgency: Mapped[str] = mapped_column(String(20), default=CAN_WAIT, index=True)
    type: Mapped[str] = mapped_column(String(20), default="other", index=True)
    # A comeback: the original and returning repair orders, the vehicle, the technician.
    original_ro: Mapped[str] = mapped_column(String(RO_MAX), default="")
    return_ro: Mapped[str] = mapped_column(String(RO_MAX), default="")
    plate: Mapped[str] = mapped_column(String(20), default="")
    vin: Mapped[str] = mapped_column(String(17), default="")
    vehicle_model: Mapped[str] = mapped_column(String(80), default="")
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    raised_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    raised_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    status: Mapped[str] = mapped_column(String(20), default=NEW, index=True)
    # Triage
    owner_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    deadline: Mapped[date | None] = mapped_column(index=True)
    cause: Mapped[str | None] = mapped_column(String(20), index=True)
    cause_origin: Mapped[str | None] = mapped_column(String(20))
    cause_analysis: Mapped[str] = mapped_column(Text, default="")
    check_days: Mapped[int] = mapped_column(default=30)
    triaged_at: Mapped[datetime | None]
    triaged_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # The effectiveness check that closes it
    check_result: Mapped[str | None] = mapped_column(String(20))
    check_note: Mapped[str] = mapped_column(Text, default="")
    checked_on: Mapped[date | None]
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    closed_at: Mapped[datetime | None] = mapped_column(index=True)
    # The report back to whoever raised it: when, and whether they have read it since.
    reported_at: Mapped[datetime | None]
    result_seen_at: Mapped[datetime | None]
    reopen_count: Mapped[int] = mapped_column(default=0)
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    raised_by: Mapped[User] = relationship(foreign_keys=[raised_by_id], lazy="joined")
    owner: Mapped[User | None] = relationship(foreign_keys=[owner_id], lazy="joined")
    technician: Mapped[User | None] = relationship(foreign_keys=[technician_id])
    triaged_by: Mapped[User | None] = relationship(foreign_keys=[triaged_by_id])
    checked_by: Mapped[User | None] = relationship(foreign_keys=[checked_by_id])
    measures: Mapped[list["ProblemMeasure"]] = relationship(
        back_populates="problem", order_by="ProblemMeasure.id", cascade="all, delete-orphan")
    events: Mapped[list["ProblemEvent"]] = relationship(
        back_populates="problem", order_by="ProblemEvent.id.desc()", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def urgency_label(self) -> str:
        return str(URGENCIES[self.urgency])

    @property
    def type_label(self) -> str:
        return str(TYPES.get(self.type, self.type))

    @property
    def cause_label(self) -> str:
        return str(CAUSES[self.cause]) if self.cause else ""

    @property
    def cause_origin_label(self) -> str:
        return str(CAUSE_ORIGINS[self.cause_origin]) if self.cause_origin else ""

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def check_label(self) -> str:
        return str(CHECK_RESULTS[self.check_result]) if self.check_result else ""

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

    @property
    def is_comeback(self) -> bool:
        return self.kind == COMEBACK

    @property
    def result_unseen(self) -> bool:
        """Reported back and not yet read by whoever raised it: the marker in "my problems"."""
        return self.reported_at is not None and self.result_seen_at is None

    def days_overdue(self, today: date) -> int:
        if not self.is_active or self.deadline is None:
            return 0
        return max((today - self.deadline).days, 0)


class ProblemMeasure(db.Model):
    """An action item that is a problem's corrective measure or its measure against recurrence."""
    __audited__ = "problem"
    __tablename__ = "problem_measure"
    __table_args__ = (UniqueConstraint("action_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(20))

    problem: Mapped[Problem] = relationship(back_populates="measures")
    action_item: Mapped[ActionItem] = relationship(lazy="joined")

    @property
    def kind_label(self) -> str:
        return str(MEASURE_KINDS[self.kind])


class ProblemMeeting(db.Model):
    """A problem put on a meeting's agenda (its questions and answers item)."""
    __audited__ = "problem"
    __tablename__ = "problem_meeting"
    __table_args__ = (UniqueConstraint("problem_id", "meeting_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    problem: Mapped[Problem] = relationship()
    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


class ProblemEvent(db.Model):
    """One dated line of a problem's own history, shown to everyone who sees the problem."""
    __tablename__ = "problem_event"
    id: Mapped[int] = mapped_column(primary_key=True)
    problem_id: Mapped[int] = mapped_column(ForeignKey("problem.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")

    problem: Mapped[Problem] = relationship(back_populates="events")
    author: Mapped[User] = relationship(lazy="joined")

    @property
    def event_label(self) -> str:
        return str(EVENTS.get(self.event, self.event))
