"""Typical cases (典型案例), the meetings that discussed them and the improvements agreed."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..actions.models import ActionItem
from ..auth.models import User
from ..extensions import db
from ..meetings.models import AgendaItem, Meeting
from ..problems.models import Problem
from ..timeutils import utcnow

SATISFACTION = {
    "satisfied": _l("Satisfied"),
    "neutral": _l("Neutral"),
    "dissatisfied": _l("Dissatisfied"),
    "complaint": _l("Complaint"),
}
EXAMPLES = {"good": _l("Good example"), "bad": _l("Bad example")}
CATEGORIES = {
    "technical": _l("Technical"),
    "process": _l("Process"),
    "parts": _l("Parts"),
    "communication": _l("Customer communication"),
    "other": _l("Other"),
}
PROPOSED, PUBLISHED = "proposed", "published"
STATUSES = {PROPOSED: _l("Proposed"), PUBLISHED: _l("Published")}

TITLE_MAX, TEXT_MAX, TAGS_MAX = 200, 4000, 300


class TypicalCase(db.Model):
    __audited__ = True
    __tablename__ = "typical_case"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    title: Mapped[str] = mapped_column(String(TITLE_MAX))
    customer_problem: Mapped[str] = mapped_column(Text, default="")
    plate: Mapped[str] = mapped_column(String(20), default="")
    vin: Mapped[str] = mapped_column(String(17), default="")
    vehicle_model: Mapped[str] = mapped_column(String(80), default="")
    mileage: Mapped[int | None]
    repair_order: Mapped[str] = mapped_column(String(40), default="")
    advisor_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    technician_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    case_date: Mapped[date] = mapped_column(index=True)
    what_happened: Mapped[str] = mapped_column(Text, default="")
    handling: Mapped[str] = mapped_column(Text, default="")
    satisfaction: Mapped[str] = mapped_column(String(20), index=True)
    example: Mapped[str] = mapped_column(String(10), index=True)
    lessons: Mapped[str] = mapped_column(Text, default="")
    # Normalised, comma-delimited at both ends (",异响,底盘,") so one tag is found with LIKE '%,tag,%'.
    tags: Mapped[str] = mapped_column(String(TAGS_MAX + 2), default="")
    category: Mapped[str] = mapped_column(String(20), index=True)
    training: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(20), default=PROPOSED, index=True)
    problem_id: Mapped[int | None] = mapped_column(ForeignKey("problem.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # app/textsearch.py: the title alone, and everything, normalised for substring search.
    search_title: Mapped[str] = mapped_column(Text, default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    advisor: Mapped[User | None] = relationship(foreign_keys=[advisor_id], lazy="joined")
    technician: Mapped[User | None] = relationship(foreign_keys=[technician_id], lazy="joined")
    created_by: Mapped[User] = relationship(foreign_keys=[created_by_id], lazy="joined")
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    problem: Mapped[Problem | None] = relationship()
    improvements: Mapped[list["CaseImprovement"]] = relationship(
        back_populates="case", order_by="CaseImprovement.id", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def tag_list(self) -> list[str]:
        return [t for t in self.tags.split(",") if t]

    @property
    def satisfaction_label(self) -> str:
        return str(SATISFACTION[self.satisfaction])

    @property
    def example_label(self) -> str:
        return str(EXAMPLES[self.example])

    @property
    def category_label(self) -> str:
        return str(CATEGORIES[self.category])

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED


class CaseMeeting(db.Model):
    """A case taken onto a meeting's agenda (its theme discussion or experience sharing)."""
    __audited__ = "case"
    __tablename__ = "case_meeting"
    __table_args__ = (UniqueConstraint("case_id", "meeting_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("typical_case.id", ondelete="CASCADE"), index=True)
    meeting_id: Mapped[int] = mapped_column(ForeignKey("meeting.id", ondelete="CASCADE"), index=True)
    agenda_item_id: Mapped[int | None] = mapped_column(ForeignKey("agenda_item.id", ondelete="SET NULL"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    case: Mapped[TypicalCase] = relationship()
    meeting: Mapped[Meeting] = relationship()
    agenda_item: Mapped[AgendaItem | None] = relationship()


class CaseImprovement(db.Model):
    """An improvement agreed on a case: an ordinary action item, linked back to the case."""
    __audited__ = "case"
    __tablename__ = "case_improvement"
    __table_args__ = (UniqueConstraint("action_item_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    case_id: Mapped[int] = mapped_column(ForeignKey("typical_case.id", ondelete="CASCADE"), index=True)
    action_item_id: Mapped[int] = mapped_column(ForeignKey("action_item.id", ondelete="CASCADE"))

    case: Mapped[TypicalCase] = relationship(back_populates="improvements")
    action_item: Mapped[ActionItem] = relationship(lazy="joined")
