"""Who may read and change the KPI catalogue and the monthly values: the one place these rules live."""
from ..auth.models import STAFF
from ..auth.permissions import can_administer, can_manage_store, can_oversee_store, can_view_store, template_rule


def can_manage_catalogue(user) -> bool:
    """Only administrators add or change KPI definitions; everyone may read the catalogue."""
    return can_administer(user)


def can_edit_values(user, store_id: int) -> bool:
    """The store's own service manager enters the month's figures; an administrator may too."""
    return can_administer(user) or can_manage_store(user, store_id)


@template_rule
def can_view_values(user, store_id: int, person=None) -> bool:
    """Store figures for everyone but staff; a staff member sees only their own person grid."""
    if not can_view_store(user, store_id):
        return False
    if user.role == STAFF:
        return person is not None and person.id == user.id
    return True


@template_rule
def can_export_values(user, store_id: int) -> bool:
    """The export holds every person's figures, so staff may not take it."""
    return can_oversee_store(user, store_id)
