"""Pieces every feature package shares: rule errors, the current store, paging."""
from flask import abort, current_app, request, session
from flask_login import current_user
from sqlalchemy import select

from .extensions import db


class RuleViolation(Exception):
    """A business rule refused the change; the message is shown to the user as it is."""


class VersionConflict(Exception):
    """The object changed since the user loaded it; `current` is what is stored now."""

    def __init__(self, current):
        super().__init__("version conflict")
        self.current = current


def current_store_id() -> int:
    """The store the user is looking at: their choice in the header, else their home store."""
    chosen = session.get("store_id")
    if chosen in current_user.visible_store_ids:
        return chosen
    return current_user.store_id


def current_store():
    from .auth.models import Store

    return db.session.get(Store, current_store_id())


def visible_stores():
    from .auth.models import Store

    ids = current_user.visible_store_ids
    return db.session.scalars(select(Store).where(Store.id.in_(ids)).order_by(Store.code)).all()


def page_arg() -> int:
    return request.args.get("page", 1, type=int) or 1


def paginate(stmt):
    return db.paginate(stmt, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)


def get_or_404(model, ident, options=()):
    obj = db.session.get(model, ident, options=options)
    if obj is None:
        abort(404)
    return obj
