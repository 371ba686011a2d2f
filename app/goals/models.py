"""Goals and their PDCA cycle: plan steps, progress, check records, act records."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Column, Float, ForeignKey, String, Table, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.readable import register_values
from ..auth.models import Store, User
from ..extensions import db
from ..formatting import fperiod
from ..kpis.models import Kpi
from ..timeutils import utcnow

YEAR, QUARTER, MONTH = "year", "quarter", "month"
PERIODS = {YEAR: _l("Year"), QUARTER: _l("Quarter"), MONTH: _l("Month")}

PLAN, DO, CHECK, ACT = "plan", "do", "check", "act"
STAGES = {PLAN: _l("Plan"), DO: _l("Do"), CHECK: _l("Check"), ACT: _l("Act")}
STAGE_ORDER = [PLAN, DO, CHECK, ACT]

# Where a deviation comes from (计划本身 / 执行过程 / 外部) and its cause (人机料法环).
DEVIATION_SOURCES = {"plan": _l("The plan itself"), "execution": _l("Its execution"), "external": _l("Outside")}
CAUSES = {
    "people": _l("People (人)"),
    "machine": _l("Machine (机)"),
    "material": _l("Material (料)"),
    "method": _l("Method (法)"),
    "environment": _l("Environment (环)"),
}
ACT_KINDS = {
    "standardise": _l("Standardise what worked"),
    "adjust": _l("Adjust the plan"),
    "roll_over": _l("Roll into the next period"),
}

meeting_goal = Table(
    "meeting_goal",
    db.metadata,
    Column("meeting_id", ForeignKey("meeting.id", ondelete="CASCADE"), primary_key=True),
    Column("goal_id", ForeignKey("goal.id", ondelete="CASCADE"), primary_key=True),
)


class Goal(db.Model):
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    kpi_id: Mapped[int] = mapped_column(ForeignKey("kpi.id"), index=True)
    # Empty for a store goal; the person it belongs to otherwise.
    person_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"), index=True)
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"), index=True)
    previous_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))  # the cycle this one continues
    title: Mapped[str] = mapped_column(String(200), default="")
    period_kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date] = mapped_column(index=True)
    period_end: Mapped[date]
    baseline: Mapped[float | None] = mapped_column(Float)
    target: Mapped[float] = mapped_column(Float)
    owner_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    stage: Mapped[str] = mapped_column(String(10), default=PLAN)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    store: Mapped[Store] = relationship()
    kpi: Mapped[Kpi] = relationship(lazy="joined")
    person: Mapped[User | None] = relationship(foreign_keys=[person_id])
    owner: Mapped[User] = relationship(foreign_keys=[owner_id], lazy="joined")
    parent: Mapped["Goal | None"] = relationship(remote_side=[id], foreign_keys=[parent_id],
                                                 back_populates="children")
    children: Mapped[list["Goal"]] = relationship(foreign_keys=[parent_id], back_populates="parent",
                                                  order_by="Goal.id")
    previous: Mapped["Goal | None"] = relationship(remote_side=[id], foreign_keys=[previous_id])
    plan_steps: Mapped[list["PlanStep"]] = relationship(back_populates="goal", order_by="PlanStep.position",
                                                        cascade="all, delete-orphan")
    checks: Mapped[list["CheckRecord"]] = relationship(back_populates="goal", order_by="CheckRecord.id.desc()",
                                                       cascade="all, delete-orphan")
    acts: Mapped[list["ActRecord"]] = relationship(back_populates="goal", order_by="ActRecord.id.desc()",
                                                   cascade="all, delete-orphan", foreign_keys="ActRecord.goal_id")
    updates: Mapped[list["GoalUpdate"]] = relationship(back_populates="goal", order_by="GoalUpdate.id.desc()",
                                                       cascade="all, delete-orphan")
    meetings: Mapped[list["Meeting"]] = relationship(secondary=meeting_goal, order_by="Meeting.meeting_date")  # noqa: F821

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_store_goal(self) -> bool:
        return self.person_id is None

    @property
    def stage_label(self) -> str:
        return str(STAGES[self.stage])

    @property
    def period_label(self) -> str:
        return fperiod(self.period_kind, self.period_start)

    @property
    def display_title(self) -> str:
        return self.title or self.kpi.name

    @property
    def heading(self) -> str:
        """The title with its period, unless the title already names it ("2026 年客户满意度提升到 92 分")."""
        period = self.period_label
        if period.replace(" ", "") in self.display_title.replace(" ", ""):
            return self.display_title
        return f"{self.display_title} · {period}"


class PlanStep(db.Model):
    """Who does what, to what standard, by when, and how progress is monitored."""
    __audited__ = "goal"

    __tablename__ = "plan_step"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    who_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    what: Mapped[str] = mapped_column(String(300))
    standard: Mapped[str] = mapped_column(Text, default="")
    due: Mapped[date]
    monitoring: Mapped[str] = mapped_column(Text, default="")
    # Indexed: a meeting's review finds the goal an action item came from.
    action_item_id: Mapped[int | None] = mapped_column(ForeignKey("action_item.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="plan_steps")
    who: Mapped[User] = relationship(lazy="joined")
    action_item: Mapped["ActionItem | None"] = relationship(lazy="joined")  # noqa: F821


class CheckRecord(db.Model):
    """Check (检查): actual against the standard, and where the deviation comes from."""
    __audited__ = "goal"

    __tablename__ = "check_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    checked_on: Mapped[date] = mapped_column(index=True)
    actual: Mapped[float | None] = mapped_column(Float)
    attainment: Mapped[float | None] = mapped_column(Float)  # a ratio: 1.0 is 100 %
    deviation: Mapped[str] = mapped_column(Text, default="")
    deviation_source: Mapped[str] = mapped_column(String(20))
    cause: Mapped[str] = mapped_column(String(20))
    analysis: Mapped[str] = mapped_column(Text, default="")
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="checks")
    author: Mapped[User] = relationship()


class ActRecord(db.Model):
    """Act (处理): standardise, adjust the plan, or roll the goal into the next period."""
    __audited__ = "goal"

    __tablename__ = "act_record"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    next_goal_id: Mapped[int | None] = mapped_column(ForeignKey("goal.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    goal: Mapped[Goal] = relationship(back_populates="acts", foreign_keys=[goal_id])
    next_goal: Mapped[Goal | None] = relationship(foreign_keys=[next_goal_id])
    author: Mapped[User] = relationship()


class GoalUpdate(db.Model):
    """The goal's dated history: progress notes and stage changes, with their author."""
    __audited__ = "goal"

    __tablename__ = "goal_update"
    id: Mapped[int] = mapped_column(primary_key=True)
    goal_id: Mapped[int] = mapped_column(ForeignKey("goal.id", ondelete="CASCADE"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    event: Mapped[str] = mapped_column(String(20))  # created, note, stage
    stage: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str] = mapped_column(Text, default="")

    goal: Mapped[Goal] = relationship(back_populates="updates")
    author: Mapped[User] = relationship(lazy="joined")

register_values("stage", STAGES)
register_values("period_kind", PERIODS, "goal")
register_values("cause", CAUSES, "check_record")
register_values("deviation_source", DEVIATION_SOURCES, "check_record")
register_values("kind", ACT_KINDS, "act_record")
