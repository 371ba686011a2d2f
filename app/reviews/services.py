"""Assessing service managers: the verdict by the thresholds, saving, the overview and the history."""
from datetime import date

from sqlalchemy import func, select

from ..auth.models import MANAGER, Store, User
from ..extensions import db
from .models import (
    BASIC,
    CAPABLE,
    DUTY_KEYS,
    FULL,
    NOT_YET,
    ManagerReview,
    ManagerReviewDuty,
)

# Duties met for each verdict, highest first: 10+ fully responsible, 8+ capable, 5+ basically capable.
THRESHOLDS = [(10, FULL), (8, CAPABLE), (5, BASIC)]


def verdict(met_count: int) -> str:
    """The verdict for a number of duties met."""
    for minimum, key in THRESHOLDS:
        if met_count >= minimum:
            return key
    return NOT_YET


def create_review(*, manager: User, reviewer_id: int, reviewed_on: date,
                  met: dict[str, bool], remarks: dict[str, str]) -> ManagerReview:
    """Record an assessment of every duty; the verdict follows from the count met. The caller commits."""
    review = ManagerReview(store_id=manager.store_id, manager_id=manager.id, reviewer_id=reviewer_id,
                           reviewed_on=reviewed_on)
    review.duties = [ManagerReviewDuty(duty=key, met=bool(met.get(key)), remark=(remarks.get(key) or "").strip())
                     for key in DUTY_KEYS]
    review.verdict = verdict(sum(1 for d in review.duties if d.met))
    db.session.add(review)
    db.session.flush()
    return review


def _newest_first():
    return (ManagerReview.reviewed_on.desc(), ManagerReview.id.desc())


def managers_overview(store_ids) -> list[tuple[User, ManagerReview | None]]:
    """The active service managers of these stores, each with their latest assessment (or None)."""
    managers = db.session.scalars(
        select(User).join(Store, User.store_id == Store.id)
        .where(User.role == MANAGER, User.active.is_(True), User.store_id.in_(store_ids))
        .order_by(Store.code, User.display_name)).all()
    if not managers:
        return []
    ranked = (select(ManagerReview.id, func.row_number().over(
        partition_by=ManagerReview.manager_id, order_by=_newest_first()).label("rank"))
        .where(ManagerReview.manager_id.in_([m.id for m in managers])).subquery())
    latest = db.session.scalars(select(ManagerReview).join(ranked, ranked.c.id == ManagerReview.id)
                                .where(ranked.c.rank == 1)).all()
    by_manager = {r.manager_id: r for r in latest}
    return [(m, by_manager.get(m.id)) for m in managers]


def history(manager_id: int, store_ids=None) -> list[ManagerReview]:
    """The manager's assessments, newest first; only those made in `store_ids` when given (a general
    manager sees the assessments of their own stores, even when the manager has moved)."""
    stmt = select(ManagerReview).where(ManagerReview.manager_id == manager_id)
    if store_ids is not None:
        stmt = stmt.where(ManagerReview.store_id.in_(list(store_ids)))
    return list(db.session.scalars(stmt.order_by(*_newest_first())))


def with_trend(reviews: list[ManagerReview]) -> list[tuple[ManagerReview, int | None]]:
    """Each assessment (newest first) with the change in duties met since the one before it."""
    rows = []
    for i, review in enumerate(reviews):
        older = reviews[i + 1] if i + 1 < len(reviews) else None
        rows.append((review, None if older is None else review.met_count - older.met_count))
    return rows
