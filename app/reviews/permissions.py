"""Who may assess a service manager and read the assessments: the one place these rules live."""
from ..auth.models import ADMIN, GM, MANAGER
from ..auth.permissions import can_view_store, template_rule


@template_rule
def can_list_reviews(user) -> bool:
    """The general manager (and the administrator, read-only) see the service managers' overview."""
    return user.role in (GM, ADMIN)


@template_rule
def can_view_own_reviews(user) -> bool:
    """A service manager reads the assessments of their own work."""
    return user.role == MANAGER


def can_assess(user, manager) -> bool:
    """Only a general manager over the manager's store assesses a service manager."""
    return user.role == GM and manager.role == MANAGER and can_view_store(user, manager.store_id)


def can_view_manager_reviews(user, manager) -> bool:
    """The GM and admin of the manager's store, and the assessed manager themselves (read-only)."""
    if user.id == manager.id:
        return True
    return user.role in (GM, ADMIN) and can_view_store(user, manager.store_id)


def can_view_review(user, review) -> bool:
    if user.id == review.manager_id:
        return True
    return user.role in (GM, ADMIN) and can_view_store(user, review.store_id)
