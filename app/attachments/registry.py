"""Owner types: how the attachments package loads an owner and asks who may see it or add to it,
without importing the feature it belongs to. A feature registers its type once, at import:

    from ..attachments.registry import register_owner

    register_owner(
        "action_item",
        load=lambda owner_id: db.session.get(ActionItem, owner_id),   # None when there is none
        can_view=can_view_item,            # (user, owner) -> bool: see the files
        can_attach=can_report_progress,    # (user, owner) -> bool: add files (and delete one's own)
        store_of=lambda item: item.store_id,
        url_of=lambda item: url_for("actions.detail", item_id=item.id),   # where "back" goes
        title_of=lambda item: item.title,
    )

Optional `can_delete(user, owner, attachment) -> bool`; without it, whoever uploaded a file may
delete it while they may still attach, and the store's service manager may delete any.
"""
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

NAME = re.compile(r"[a-z][a-z0-9_]{0,39}")


@dataclass(frozen=True)
class OwnerType:
    name: str
    load: Callable[[int], Any]
    can_view: Callable[[Any, Any], bool]
    can_attach: Callable[[Any, Any], bool]
    store_of: Callable[[Any], int]
    url_of: Callable[[Any], str] | None = None
    title_of: Callable[[Any], str] | None = None
    can_delete: Callable[[Any, Any, Any], bool] | None = None


_owner_types: dict[str, OwnerType] = {}


def register_owner(name: str, *, load, can_view, can_attach, store_of, url_of=None, title_of=None,
                   can_delete=None) -> OwnerType:
    """Register (or replace) an owner type; `name` is lower case, as in URLs: /files/<name>/<id>."""
    if not NAME.fullmatch(name):
        raise ValueError(f"owner type names are lower-case words: {name!r}")
    owner_type = OwnerType(name, load, can_view, can_attach, store_of, url_of, title_of, can_delete)
    _owner_types[name] = owner_type
    return owner_type


def owner_type(name: str) -> OwnerType | None:
    return _owner_types.get(name)


def owner_types() -> dict[str, OwnerType]:
    return dict(_owner_types)
