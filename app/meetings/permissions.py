"""Who may do what with meetings: the one place these rules live."""
from ..auth.permissions import can_manage_store, can_view_store


def can_run_meetings(user, store_id: int) -> bool:
    """Only the store's own service manager creates and runs its meetings."""
    return can_manage_store(user, store_id)


def can_view_meeting(user, meeting) -> bool:
    return can_view_store(user, meeting.store_id)


def can_manage_meeting(user, meeting) -> bool:
    return can_run_meetings(user, meeting.store_id)
