"""Accounts: creating users, looking up the people of a store, the stores the user looks at."""
from flask_login import current_user
from sqlalchemy import case, select

from ..collation import name_key
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
    ids = current_user.visible_store_ids
    return db.session.scalars(select(Store).where(Store.id.in_(ids)).order_by(Store.code)).all()


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


# Manager first, then staff in the order of POSITIONS, then anyone without a position, the GM, admin.
_POSITION_RANK = {position: i for i, position in enumerate(POSITIONS)}


def position_rank(user: User) -> tuple[int, int]:
    if user.role == MANAGER:
        return (0, 0)
    if user.role == STAFF:
        return (1, _POSITION_RANK.get(user.position, len(_POSITION_RANK)))
    return (2 if user.role == GM else 3, 0)


def by_position(users) -> list[User]:
    """People as a meeting lists them: by position (manager first), then by name (pinyin for Chinese)."""
    return sorted(users, key=lambda u: (position_rank(u), name_key(u.display_name)))


def store_team(store_id: int) -> list[User]:
    """The store's active manager and staff (not the GM or administrator), by position and name."""
    return by_position(db.session.scalars(select(User).where(
        User.store_id == store_id, User.active.is_(True), User.role.in_((MANAGER, STAFF)))))
