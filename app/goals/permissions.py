"""Who may see and change goals: the one place these rules live."""
from ..auth.models import STAFF
from ..auth.permissions import can_manage_store, can_view_store, template_rule


@template_rule
def can_manage_goals(user, store_id: int) -> bool:
    """The store's own service manager creates and changes its goals."""
    return can_manage_store(user, store_id)


def can_edit_goal(user, goal) -> bool:
    return can_manage_goals(user, goal.store_id)


@template_rule
def can_view_goal(user, goal) -> bool:
    """Everyone who sees the store reads its store goals (the department's goals concern all of it:
    the weekly meeting discusses them, and staff follow their links from it). Personal goals are
    read by GM, admin and the manager, and by the person themselves (or the goal's owner), never by
    the person's colleagues."""
    if not can_view_store(user, goal.store_id):
        return False
    if user.role != STAFF:
        return True
    return goal.person_id is None or goal.person_id == user.id or goal.owner_id == user.id
