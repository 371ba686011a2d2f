"""Who may read and change an action item."""
from ..auth.models import STAFF
from ..meetings.permissions import can_run_meetings, can_view_store


def can_view_item(user, item) -> bool:
    return can_view_store(user, item.store_id)


def can_report_progress(user, item) -> bool:
    """The owner reports on their own item; the store's manager may too."""
    return item.owner_id == user.id or can_run_meetings(user, item.store_id)


def can_edit_item(user, item) -> bool:
    return can_run_meetings(user, item.store_id)


def can_view_board(user, store_id: int) -> bool:
    return user.role != STAFF and can_view_store(user, store_id)
