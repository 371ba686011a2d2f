"""Who may read and change an action item."""
from ..auth.permissions import can_manage_store, can_oversee_store, can_view_store, template_rule


def can_view_item(user, item) -> bool:
    return can_view_store(user, item.store_id)


def can_report_progress(user, item) -> bool:
    """The owner reports on their own item; the store's manager may too."""
    return item.owner_id == user.id or can_manage_store(user, item.store_id)


def can_edit_item(user, item) -> bool:
    return can_manage_store(user, item.store_id)


@template_rule
def can_view_board(user, store_id: int) -> bool:
    return can_oversee_store(user, store_id)
