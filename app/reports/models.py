"""A store's review of a month or a year: the narrative, and once published the frozen figures."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import Store, User
from ..extensions import db
from ..meetings.models import Meeting
from ..timeutils import utcnow

MONTH, YEAR = "month", "year"
KINDS = {MONTH: _l("Monthly summary"), YEAR: _l("Year-end summary")}

DRAFT, PUBLISHED = "draft", "published"
STATUSES = {DRAFT: _l("Draft"), PUBLISHED: _l("Published")}

# The narrative sections the manager writes, in order.
NARRATIVE = {
    "summary": _l("Overall summary"),
    "went_well": _l("What went well"),
    "problems": _l("Problems and their causes"),
    "next_plan": _l("Next period's priorities and plan"),
}
NARRATIVE_MAX = 20000


class Report(db.Model):
    __audited__ = True
    __table_args__ = (UniqueConstraint("store_id", "kind", "period_start"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    kind: Mapped[str] = mapped_column(String(10))
    period_start: Mapped[date]  # the first day of the month, or 1 January
    status: Mapped[str] = mapped_column(String(10), default=DRAFT, index=True)
    summary: Mapped[str] = mapped_column(Text, default="")
    went_well: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_plan: Mapped[str] = mapped_column(Text, default="")
    # The review meeting (月度经营分析会 / 年终总结会) where the report is presented.
    meeting_id: Mapped[int | None] = mapped_column(ForeignKey("meeting.id", ondelete="SET NULL"), index=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    published_at: Mapped[datetime | None]
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("user.id"))
    # Raised by every save: a save based on an older version is refused (409), never applied.
    version: Mapped[int] = mapped_column(default=1)

    store: Mapped[Store] = relationship()
    meeting: Mapped[Meeting | None] = relationship()
    updated_by: Mapped[User | None] = relationship(foreign_keys=[updated_by_id])
    published_by: Mapped[User | None] = relationship(foreign_keys=[published_by_id])
    snapshot: Mapped["ReportSnapshot | None"] = relationship(back_populates="report", cascade="all, delete-orphan",
                                                             uselist=False)

    @property
    def is_published(self) -> bool:
        return self.status == PUBLISHED

    @property
    def kind_label(self) -> str:
        return str(KINDS[self.kind])

    @property
    def status_label(self) -> str:
        return str(STATUSES[self.status])

    def narrative(self) -> dict[str, str]:
        return {key: getattr(self, key) for key in NARRATIVE}


class ReportSnapshot(db.Model):
    """The figures as they stood when the report was published (JSON), charts' data included; kept
    apart from the report so the audit trail records the narrative, not kilobytes of figures."""

    __tablename__ = "report_snapshot"
    report_id: Mapped[int] = mapped_column(ForeignKey("report.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[Report] = relationship(back_populates="snapshot")
