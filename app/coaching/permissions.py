"""Who may see and run coaching: the one place these rules live."""
from ..auth.models import ADMIN, GM, STAFF
from ..auth.permissions import can_manage_store, can_oversee_store, can_view_store, template_rule


def can_view_person(user, person) -> bool:
    """Staff see their own page; a service manager the staff of their store (and themselves); the
    general manager and the administrator everyone in the stores they can see."""
    if user.id == person.id:
        return True
    if not can_view_store(user, person.store_id):
        return False
    return user.role in (GM, ADMIN) or (user.role != STAFF and person.role == STAFF)


def can_view_session(user, session) -> bool:
    """A talk belongs to the store it was held in, even after the person moves to another store."""
    if user.id == session.person_id:
        return True
    return can_oversee_store(user, session.store_id)


@template_rule
def can_view_store_coaching(user, store_id: int) -> bool:
    """The store's coaching list; staff have their own page instead."""
    return can_oversee_store(user, store_id)


def can_coach(user, store_id: int) -> bool:
    """The store's own service manager holds its coaching talks; the GM reads them."""
    return can_manage_store(user, store_id)


def can_acknowledge(user, session) -> bool:
    return user.id == session.person_id
