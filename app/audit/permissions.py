"""Who reads the audit trail: the administrator the whole group's, a service manager (and a general
manager) the stores they oversee; staff never."""
from ..auth.permissions import can_administer, can_oversee_store, template_rule


@template_rule
def can_view_audit(user, store_id: int | None = None) -> bool:
    """`store_id` None: the whole group's trail (logins of unknown names, the KPI catalogue)."""
    if can_administer(user):
        return True
    return store_id is not None and can_oversee_store(user, store_id)
