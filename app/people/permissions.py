"""Who may manage whom. The administrator manages everyone in the group and the stores; a service
manager manages the staff of their own store (never managers, general managers or administrators,
and never another store's people); everyone keeps their own account."""
from ..auth.models import ADMIN, MANAGER, STAFF
from ..auth.permissions import can_administer, can_manage_store, template_rule


@template_rule
def can_list_people(user) -> bool:
    return user.is_authenticated and user.role in (ADMIN, MANAGER)


@template_rule
def can_manage_people(user, store_id: int) -> bool:
    """Add and import people into the store."""
    return can_administer(user) or can_manage_store(user, store_id)


def grantable_roles(user) -> list[str]:
    """The roles `user` may give someone: the administrator any, a service manager only staff."""
    if can_administer(user):
        return [ADMIN, "gm", MANAGER, STAFF]
    return [STAFF] if user.role == MANAGER else []


@template_rule
def can_edit_person(user, person) -> bool:
    if can_administer(user):
        return True
    return person.role == STAFF and can_manage_store(user, person.store_id)


def can_change_role(user, person) -> bool:
    """Not one's own: an administrator who demotes themselves may leave the group without one."""
    return person.id != user.id and can_edit_person(user, person)


@template_rule
def can_deactivate_person(user, person) -> bool:
    """Not oneself: an administrator who locks themselves out locks the group out."""
    return person.id != user.id and can_edit_person(user, person)


@template_rule
def can_reset_password(user, person) -> bool:
    """Someone else's (one's own is changed with the old password)."""
    return person.id != user.id and can_edit_person(user, person)


@template_rule
def can_choose_stores(user) -> bool:
    """Which stores a general manager oversees, and the stores themselves."""
    return can_administer(user)
