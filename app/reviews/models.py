"""A general manager's assessment of a service manager against the 14 duties, and its verdict."""
from datetime import date, datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..audit.readable import register_values
from ..auth.models import Store, User
from ..extensions import db
from ..timeutils import utcnow

# The 14 duties the general manager judges the service manager against, in the sources' order.
DUTIES = {
    "targets_plans": _l("Set revenue and satisfaction targets and activity plans"),
    "meet_targets": _l("Meet the company's and the maker's targets"),
    "parts_returns_satisfaction": _l("Drive parts sales, returns and customer satisfaction"),
    "review_forecast": _l("Review results regularly and forecast"),
    "cooperate": _l("Cooperate with other departments"),
    "safe_workplace": _l("Keep a safe workplace"),
    "hire_develop": _l("Hire and develop people"),
    "transfers": _l("Manage staff transfers"),
    "appraise": _l("Appraise staff"),
    "train": _l("Train staff"),
    "service_quality": _l("Improve service quality"),
    "delegated_authority": _l("Decide within delegated authority"),
    "budget": _l("Manage the budget"),
    "complaints": _l("Handle complaints"),
}
DUTY_KEYS = list(DUTIES)

NOT_YET, BASIC, CAPABLE, FULL = "not_yet", "basic", "capable", "full"
VERDICTS = {
    NOT_YET: _l("Not yet capable"),
    BASIC: _l("Basically capable"),
    CAPABLE: _l("Capable"),
    FULL: _l("Fully responsible"),
}
REMARK_MAX = 500


class ManagerReview(db.Model):
    __audited__ = True
    __tablename__ = "manager_review"
    id: Mapped[int] = mapped_column(primary_key=True)
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    manager_id: Mapped[int] = mapped_column(ForeignKey("user.id"), index=True)
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user.id"))
    reviewed_on: Mapped[date] = mapped_column(index=True)
    verdict: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    store: Mapped[Store] = relationship()
    manager: Mapped[User] = relationship(foreign_keys=[manager_id], lazy="joined")
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id], lazy="joined")
    duties: Mapped[list["ManagerReviewDuty"]] = relationship(back_populates="review", cascade="all, delete-orphan",
                                                            order_by="ManagerReviewDuty.id", lazy="selectin")

    @property
    def met_count(self) -> int:
        return sum(1 for d in self.duties if d.met)

    @property
    def verdict_label(self) -> str:
        return str(VERDICTS.get(self.verdict, self.verdict))


class ManagerReviewDuty(db.Model):
    __audited__ = "review"
    __tablename__ = "manager_review_duty"
    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("manager_review.id", ondelete="CASCADE"), index=True)
    duty: Mapped[str] = mapped_column(String(40))
    met: Mapped[bool] = mapped_column(default=False)
    remark: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[ManagerReview] = relationship(back_populates="duties")

    @property
    def label(self) -> str:
        return str(DUTIES.get(self.duty, self.duty))

register_values("verdict", VERDICTS, "manager_review")
register_values("duty", DUTIES, "manager_review_duty")
