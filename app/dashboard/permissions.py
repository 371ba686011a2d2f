"""Who sees the group overview: the one place this rule lives."""
from ..auth.models import ADMIN, GM
from ..auth.permissions import template_rule


@template_rule
def can_view_group(user) -> bool:
    """The general manager and the administrator compare the stores they see."""
    return user.is_authenticated and user.role in (GM, ADMIN)


def group_is_start_page(user, store_count: int) -> bool:
    """A general manager over more than one store starts on the group overview."""
    return user.role == GM and store_count > 1
