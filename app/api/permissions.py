"""Who may manage API tokens: administrators only (a token reaches a whole store's figures)."""
from ..auth.permissions import can_administer, template_rule


@template_rule
def can_manage_tokens(user) -> bool:
    return can_administer(user)
