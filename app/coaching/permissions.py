"""Who may see and run coaching: the one place these rules live."""
from ..auth.models import STAFF
from ..meetings.permissions import can_run_meetings, can_view_store


def can_view_person(user, person) -> bool:
    """Staff see their own page; managers and GMs the people of the stores they can see."""
    if not can_view_store(user, person.store_id):
        return False
    return user.role != STAFF or user.id == person.id


def can_view_session(user, session) -> bool:
    return can_view_person(user, session.person)


def can_coach(user, store_id: int) -> bool:
    """The store's own service manager holds its coaching talks; the GM reads them."""
    return can_run_meetings(user, store_id)


def can_acknowledge(user, session) -> bool:
    return user.id == session.person_id
