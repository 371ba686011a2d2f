"""Who may see and change what in notifications: each person their own list and choices; the store's
service manager its reminder and escalation settings; the administrator the failed deliveries."""
from ..auth.permissions import can_administer, can_manage_store, template_rule


def can_read_notification(user, notification) -> bool:
    return notification.user_id == user.id


@template_rule
def can_edit_notification_settings(user, store_id: int) -> bool:
    return can_manage_store(user, store_id)


@template_rule
def can_view_delivery_failures(user) -> bool:
    return can_administer(user)
