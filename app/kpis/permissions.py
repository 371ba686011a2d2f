"""Who may read and change the KPI catalogue and the monthly values: the one place these rules live."""
from ..auth.models import ADMIN, STAFF
from ..meetings.permissions import can_run_meetings, can_view_store


def can_manage_catalogue(user) -> bool:
    """Only administrators add or change KPI definitions; everyone may read the catalogue."""
    return user.role == ADMIN


def can_edit_values(user, store_id: int) -> bool:
    """The store's own service manager enters the month's figures; an administrator may too."""
    return user.role == ADMIN or can_run_meetings(user, store_id)


def can_view_values(user, store_id: int, person=None) -> bool:
    """Store figures for everyone but staff; a staff member sees only their own person grid."""
    if not can_view_store(user, store_id):
        return False
    if user.role == STAFF:
        return person is not None and person.id == user.id
    return True


def can_export_values(user, store_id: int) -> bool:
    """The export holds every person's figures, so staff may not take it."""
    return user.role != STAFF and can_view_store(user, store_id)
