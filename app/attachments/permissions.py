"""Who may see, add and delete attachments: the owner type's rules (registry.py) decide."""
from ..auth.permissions import can_manage_store


def can_view_attachments(user, owner_type, owner) -> bool:
    return bool(owner_type.can_view(user, owner))


def can_attach(user, owner_type, owner) -> bool:
    return bool(owner_type.can_view(user, owner) and owner_type.can_attach(user, owner))


def can_delete_attachment(user, owner_type, owner, attachment) -> bool:
    """The owner type's rule if it has one; else the uploader while they may still attach, and the
    store's service manager."""
    if not owner_type.can_view(user, owner):
        return False
    if owner_type.can_delete is not None:
        return bool(owner_type.can_delete(user, owner, attachment))
    return ((attachment.uploaded_by_id == user.id and bool(owner_type.can_attach(user, owner)))
            or can_manage_store(user, attachment.store_id))
