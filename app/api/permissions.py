"""Who may manage API tokens: administrators only (a token reaches a whole store's figures)."""
from ..auth.models import ADMIN


def can_manage_tokens(user) -> bool:
    return user.is_authenticated and user.role == ADMIN
