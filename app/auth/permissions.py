"""Store-level rules: who may see a store, oversee it, manage it, administer Pitwall. Every feature's
permissions.py builds its own rules on these, so a rule about stores changes here and nowhere else.

Templates ask the rules instead of testing roles: `{% if can.view_board(current_store.id) %}`. A rule
decorated with `@template_rule` is offered to templates as `can.<name without "can_">`, with the
logged-in user filled in (the feature packages decorate their own rules)."""
from functools import partial

from flask_login import current_user

from .models import ADMIN, MANAGER, STAFF

_template_rules = {}


def template_rule(rule):
    _template_rules[rule.__name__.removeprefix("can_")] = rule
    return rule


class _CurrentUserRules:
    """`can` in templates: each registered rule, asked for the logged-in user."""

    def __getattr__(self, name):
        try:
            return partial(_template_rules[name], current_user)
        except KeyError:
            raise AttributeError(name) from None


can = _CurrentUserRules()


@template_rule
def can_view_store(user, store_id: int) -> bool:
    # The administrator sees every store: no need to list them (a query each time) to know that.
    return user.role == ADMIN or store_id in user.visible_store_ids


@template_rule
def can_oversee_store(user, store_id: int) -> bool:
    """The store's lists and figures as a whole: everyone who sees the store except staff, who see
    their own part of it."""
    return user.role != STAFF and can_view_store(user, store_id)


@template_rule
def can_manage_store(user, store_id: int) -> bool:
    """Only the store's own service manager runs it: its meetings, goals, coaching and action items."""
    return user.role == MANAGER and user.store_id == store_id


@template_rule
def can_administer(user) -> bool:
    """The administrator keeps the KPI catalogue and the API tokens."""
    return user.is_authenticated and user.role == ADMIN
