"""Who may see and change goals: the one place these rules live."""
from sqlalchemy import select

from ..auth.models import STAFF
from ..auth.permissions import can_manage_store, can_view_store
from ..extensions import db


def can_manage_goals(user, store_id: int) -> bool:
    """The store's own service manager creates and changes its goals."""
    return can_manage_store(user, store_id)


def can_edit_goal(user, goal) -> bool:
    return can_manage_goals(user, goal.store_id)


def can_view_goal(user, goal) -> bool:
    """GM and admin read every goal of their stores; staff read their own goals and the store
    goals theirs roll up to."""
    if not can_view_store(user, goal.store_id):
        return False
    if user.role != STAFF:
        return True
    if goal.person_id == user.id or goal.owner_id == user.id:
        return True
    if goal.is_store_goal:
        from .models import Goal

        return db.session.scalar(select(Goal.id).where(Goal.parent_id == goal.id, Goal.person_id == user.id)
                                 .limit(1)) is not None
    return False
