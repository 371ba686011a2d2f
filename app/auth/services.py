"""Accounts: creating users, looking up the people of a store, the stores the user looks at."""
from flask_login import current_user
from sqlalchemy import case, select

from ..common import current_store_id
from ..extensions import db
from .models import GM, MANAGER, POSITIONS, ROLES, STAFF, Store, User


def create_user(*, username: str, password: str, display_name: str, role: str, store: Store,
                position: str | None = None) -> User:
    if role not in ROLES:
        raise ValueError(f"unknown role {role!r}")
    if position is not None and position not in POSITIONS:
        raise ValueError(f"unknown position {position!r}")
    user = User(username=username.strip().lower(), display_name=display_name.strip(), role=role,
                position=position, store=store)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    return user


def find_user(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == username.strip().lower()))


def current_store() -> Store:
    return db.session.get(Store, current_store_id())


def visible_stores() -> list[Store]:
    """The stores the user may switch to: closed ones only while it is their own or the one they look at."""
    ids = current_user.visible_store_ids
    still_shown = Store.active.is_(True) | Store.id.in_({current_user.store_id, current_store_id()})
    return db.session.scalars(select(Store).where(Store.id.in_(ids), still_shown).order_by(Store.code)).all()


def store_staff(store_id: int) -> list[User]:
    """The active staff of a store (not its manager), by name."""
    return db.session.scalars(select(User).where(User.store_id == store_id, User.role == STAFF,
                                                 User.active.is_(True)).order_by(User.display_name)).all()


def store_people(store_id: int) -> list[User]:
    """The active people of a store, manager first, then staff by name."""
    rank = case((User.role == MANAGER, 0), (User.role == STAFF, 1), (User.role == GM, 2), else_=3)
    return db.session.scalars(
        select(User).where(User.store_id == store_id, User.active.is_(True))
        .order_by(rank, User.display_name)
    ).all()
