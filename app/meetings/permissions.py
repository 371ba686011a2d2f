"""Who may do what with meetings: the one place these rules live."""
from ..auth.models import MANAGER


def can_view_store(user, store_id: int) -> bool:
    return store_id in user.visible_store_ids


def can_run_meetings(user, store_id: int) -> bool:
    """Only the store's own service manager creates and runs its meetings."""
    return user.role == MANAGER and user.store_id == store_id


def can_view_meeting(user, meeting) -> bool:
    return can_view_store(user, meeting.store_id)


def can_manage_meeting(user, meeting) -> bool:
    return can_run_meetings(user, meeting.store_id)
