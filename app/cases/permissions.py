"""Who may do what with typical cases: the one place these rules live."""
from ..auth.models import MANAGER, STAFF
from ..auth.permissions import can_manage_store, can_view_store, template_rule


@template_rule
def can_propose_case(user, store_id: int) -> bool:
    """Staff and the manager of the store propose cases."""
    return user.store_id == store_id and user.role in (STAFF, MANAGER)


def can_view_case(user, case) -> bool:
    """A published case: everyone who sees the store. A proposal: its author and the manager."""
    if not can_view_store(user, case.store_id):
        return False
    return case.is_published or case.created_by_id == user.id or can_manage_store(user, case.store_id) \
        or user.role != STAFF


def can_edit_case(user, case) -> bool:
    """The author while it is a proposal; the manager always."""
    return can_manage_store(user, case.store_id) or (not case.is_published and case.created_by_id == user.id)


@template_rule
def can_publish_cases(user, store_id: int) -> bool:
    return can_manage_store(user, store_id)


def can_discuss_case(user, case) -> bool:
    """Taking a case onto a meeting's agenda, recording improvements: whoever runs the meetings."""
    return can_manage_store(user, case.store_id)


def can_attach_to_case(user, case) -> bool:
    """Photos and files: whoever may edit the case."""
    return can_view_case(user, case) and can_edit_case(user, case)
