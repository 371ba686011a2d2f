"""Accounts: creating users, looking up the people of a store, the stores the user looks at; the
logins (sessions) that end."""
import hashlib
import secrets
from datetime import date, datetime, time, timedelta
from functools import lru_cache

from blinker import Namespace
from flask import current_app, g, has_request_context, request
from flask_login import current_user
from sqlalchemy import case, func, or_, select, update
from werkzeug.security import check_password_hash, generate_password_hash

from ..collation import name_key
from ..common import current_store_id
from ..extensions import db
from ..timeutils import utcnow
from .models import GM, MANAGER, POSITIONS, ROLES, STAFF, Store, User, UserSession

# Sent with `username=` (as typed) for the audit trail; successful logins and logouts are Flask-Login's
# own user_logged_in and user_logged_out.
_signals = Namespace()
login_failed = _signals.signal("login-failed")
login_locked_out = _signals.signal("login-locked-out")

# last_seen_at is written at most this often per login: one UPDATE a minute, not one per request.
LAST_SEEN_EVERY = timedelta(minutes=1)


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
    """The stores the user may switch to: closed ones only while it is their own or the one they look at.
    Read once per request (the page and its header's store switch both ask): kept in the request's WSGI
    environ, which, unlike g, no two requests share (tests run many requests in one app context)."""
    key = ("pitwall.visible_stores", current_user.id, current_store_id())
    memo = request.environ if has_request_context() else {}
    if key not in memo:
        ids = current_user.visible_store_ids
        still_shown = Store.active.is_(True) | Store.id.in_({current_user.store_id, key[2]})
        memo[key] = db.session.scalars(select(Store).where(Store.id.in_(ids), still_shown).order_by(Store.code)).all()
    return memo[key]


def store_staff(store_id: int) -> list[User]:
    """The active staff of a store (not its manager), by name."""
    return db.session.scalars(select(User).where(User.store_id == store_id, User.role == STAFF,
                                                 User.active.is_(True)).order_by(User.display_name)).all()


def staff_count_during(store_id: int, first: date, last: date) -> int:
    """How many staff (not the manager) worked in the store at some time from `first` to `last`:
    created by the end of it and not deactivated before it began (a date unknown counts as before)."""
    began, ended = datetime.combine(first, time.min), datetime.combine(last + timedelta(days=1), time.min)
    return db.session.scalar(select(func.count()).select_from(User).where(
        User.store_id == store_id, User.role == STAFF, User.created_at < ended,
        or_(User.active.is_(True), User.deactivated_at >= began)))


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


# --- passwords -------------------------------------------------------------------------------

@lru_cache
def _dummy_hash(method: str) -> str:
    return generate_password_hash(secrets.token_hex(16), method=method)


def authenticate(username: str, password: str) -> User | None:
    """The active user with this password, else None, in the same time either way: an unknown or
    inactive name is checked against a dummy hash of the same method, so timing tells nothing."""
    user = find_user(username)
    if user is None or not user.active:
        check_password_hash(_dummy_hash(current_app.config["PASSWORD_HASH_METHOD"]), password)
        return None
    return user if user.check_password(password) else None


# --- sessions --------------------------------------------------------------------------------
# Each login is a UserSession row. Its random token is what Flask-Login stores (User.get_id()) in the
# signed session cookie and in the remember-me cookie, so ending the row ends both cookies.

def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(user: User, remember: bool) -> None:
    """A new login for `user`; afterwards `login_user(user)` puts its token in the cookies."""
    config = current_app.config
    lifetime = (timedelta(seconds=config["REMEMBER_COOKIE_DURATION"]) if remember
                else current_app.permanent_session_lifetime)
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(UserSession(
        token_hash=_hash(token), user_id=user.id, remember=remember, created_at=now, last_seen_at=now,
        expires_at=now + lifetime, user_agent=request.user_agent.string[:200],
        remote_addr=(request.remote_addr or "")[:64]))
    user.session_token = token


def load_session(token: str) -> User | None:
    """The user of a live login (one query), or None when it ended, expired or sat idle too long.
    A remembered login is kept until it expires; the others end after SESSION_IDLE_MINUTES idle."""
    row = db.session.execute(select(UserSession, User).join(User, User.id == UserSession.user_id)
                             .where(UserSession.token_hash == _hash(token))).first()
    if row is None:
        return None
    login, user = row
    now = utcnow()
    idle = timedelta(minutes=current_app.config["SESSION_IDLE_MINUTES"])
    if (login.revoked_at is not None or login.expires_at <= now or not user.active
            or (not login.remember and login.last_seen_at + idle <= now)):
        return None
    if now - login.last_seen_at >= LAST_SEEN_EVERY:
        # Its own short transaction: a page that only reads commits nothing else.
        with db.engine.begin() as connection:
            connection.execute(update(UserSession).where(UserSession.id == login.id).values(last_seen_at=now))
    g.user_session_id = login.id
    user.session_token = token
    return user


def end_current_session() -> None:
    """Logout: this login's cookies stop working (also a copy taken before)."""
    if "user_session_id" in g:
        db.session.execute(update(UserSession).where(UserSession.id == g.user_session_id)
                           .values(revoked_at=utcnow()))


def end_sessions(user: User, except_current: bool = False) -> int:
    """End every login of `user`, remember-me cookies included (password changed or reset, person
    deactivated, role changed). `except_current=True` keeps the login making this request, e.g.
    for a person changing their own password. Commits nothing: call it inside the change's
    transaction. Returns how many logins ended."""
    stmt = (update(UserSession).where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow()))
    if except_current and "user_session_id" in g:
        stmt = stmt.where(UserSession.id != g.user_session_id)
    return db.session.execute(stmt).rowcount
