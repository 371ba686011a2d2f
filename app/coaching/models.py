"""A coaching session walks through five steps in order; a follow-up date checks its effect."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, ForeignKey, Index, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Store, User
from ..extensions import db
from ..kpis.models import Kpi
from ..timeutils import utcnow

PURPOSE, GAP, PLAN, CONFIRM, MOTIVATE = 1, 2, 3, 4, 5
STEPS = {
    PURPOSE: _l("Purpose and basis"),
    GAP: _l("The gap between performance levels"),
    PLAN: _l("Plan and methods"),
    CONFIRM: _l("Confirmation"),
    MOTIVATE: _l("Motivation"),
}
STEP_ORDER = [PURPOSE, GAP, PLAN, CONFIRM, MOTIVATE]

coaching_session_kpi = Table(
    "coaching_session_kpi",
    db.metadata,
    Column("session_id", ForeignKey("coaching_session.id", ondelete="CASCADE"), primary_key=True),
    Column("kpi_id", ForeignKey("kpi.id"), primary_key=True),
)


class CoachingSession(db.Model):
    __audited__ = True
    __tablename__ = "coaching_session"
    __table_args__ = (Index("ix_coaching_session_store_held", "store_id", "held_on"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)  # the person coached
    manager_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    held_on: Mapped[date] = mapped_column(index=True)
    # How many of the five steps are completed (0 to 5): a talk cut short is not lost.
    steps_done: Mapped[int] = mapped_column(default=0)
    # Step 1: purpose and basis (阐明谈话的目的和依据).
    purpose: Mapped[str] = mapped_column(Text, default="")
    # Step 2: the gap (阐明业绩等级之间的差距), over the months gap_from..gap_to (first days of months).
    gap_from: Mapped[date | None]
    gap_to: Mapped[date | None]
    gap_remarks: Mapped[str] = mapped_column(Text, default="")
    # Step 3: plan and methods (制定方案和方法) are CoachingMeasure rows; this is their summary.
    plan_notes: Mapped[str] = mapped_column(Text, default="")
    # Step 4: confirmation (确认).
    questions: Mapped[str] = mapped_column(Text, default="")
    verbal_confirmation: Mapped[bool] = mapped_column(default=False)
    acknowledged_at: Mapped[datetime | None]
    # Step 5: motivation (激励).
    agreed: Mapped[str] = mapped_column(Text, default="")
    recognition: Mapped[str] = mapped_column(Text, default="")
    support: Mapped[str] = mapped_column(Text, default="")
    # The follow-up: on and after this date the effect is shown and a conclusion recorded.
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    follow_up_conclusion: Mapped[str] = mapped_column(Text, default="")
    followed_up_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    store: Mapped[Store] = relationship()
    person: Mapped[User] = relationship(foreign_keys=[person_id], lazy="joined")
    manager: Mapped[User] = relationship(foreign_keys=[manager_id], lazy="joined")
    kpis: Mapped[list[Kpi]] = relationship(secondary=coaching_session_kpi, order_by="Kpi.id", lazy="selectin")
    measures: Mapped[list["CoachingMeasure"]] = relationship(
        back_populates="session", order_by="CoachingMeasure.position", cascade="all, delete-orphan")

    __mapper_args__ = {"version_id_col": version}

    @property
    def finished(self) -> bool:
        return self.steps_done >= len(STEP_ORDER)

    @property
    def next_step(self) -> int | None:
        return None if self.finished else self.steps_done + 1

    @property
    def confirmed(self) -> bool:
        return self.acknowledged_at is not None or self.verbal_confirmation


class CoachingMeasure(db.Model):
    """A concrete measure agreed in step 3; it may become an action item owned by the person."""
    __audited__ = "session"

    __tablename__ = "coaching_measure"
    id: Mapped[int] = mapped_column(primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("coaching_session.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    what: Mapped[str] = mapped_column(String(300))
    due: Mapped[date | None]
    # Indexed: a meeting's review finds the talk an action item came from.
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    session: Mapped[CoachingSession] = relationship(back_populates="measures")
    action_item: Mapped["ActionItem | None"] = relationship(lazy="joined")  # noqa: F821
