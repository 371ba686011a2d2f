"""People and stores: adding, editing, deactivating, passwords. Plain functions; the routes commit."""
import re

from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..auth.models import GM, POSITIONS, ROLES, Store, User
from ..auth.passwords import password_problem, temporary_password
from ..auth.services import end_sessions
from ..common import RuleViolation
from ..extensions import db
from ..timeutils import utcnow

USERNAME = re.compile(r"^[a-z0-9][a-z0-9._-]{1,63}$")
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def username_problem(username: str) -> str | None:
    if not USERNAME.match(username):
        return _("A username has 2 to 64 characters: lower-case letters, digits, dot, dash or underscore, "
                 "starting with a letter or digit.")
    if db.session.scalar(select(User.id).where(User.username == username)):
        return _("The username %(name)s is taken.", name=username)
    return None


def people_query(store_ids: set[int] | None, *, q="", store_id=None, role=None, position=None, active=True):
    """People for the list, filtered; `store_ids` limits them to those stores (None: every store)."""
    query = select(User).join(Store, User.store_id == Store.id)
    if store_ids is not None:
        query = query.where(User.store_id.in_(store_ids))
    if q:
        pattern = "%" + q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        query = query.where(or_(func.lower(User.display_name).like(pattern, escape="\\"),
                                User.username.like(pattern, escape="\\"),
                                func.lower(func.coalesce(User.phone, "")).like(pattern, escape="\\"),
                                func.lower(func.coalesce(User.email, "")).like(pattern, escape="\\")))
    if store_id:
        query = query.where(User.store_id == store_id)
    if role:
        query = query.where(User.role == role)
    if position:
        query = query.where(User.position == position)
    if active is not None:
        query = query.where(User.active.is_(active))
    return query.order_by(Store.code, User.display_name, User.id)


def add_person(*, store: Store, username: str, display_name: str, role: str, position: str | None,
               phone: str | None = None, email: str | None = None) -> tuple[User, str]:
    """A new login with a temporary password (returned, to be shown once) that must be changed."""
    username = username.strip().lower()
    problem = username_problem(username)
    if problem:
        raise RuleViolation(problem)
    _check_role_and_position(role, position)
    password = temporary_password()
    person = User(username=username, display_name=display_name.strip(), role=role,
                  position=position or None, store=store, phone=_blank_none(phone), email=_blank_none(email))
    person.set_temporary_password(password)
    db.session.add(person)
    db.session.flush()
    return person, password


def update_person(person: User, *, display_name: str, role: str, position: str | None, store: Store,
                  phone: str | None, email: str | None, extra_store_ids: list[int] | None = None) -> None:
    _check_role_and_position(role, position)
    if role != person.role:
        end_sessions(person)  # what they may do changed: they log in again under the new role
    person.display_name = display_name.strip()
    person.role = role
    person.position = position or None
    person.store = store
    person.phone = _blank_none(phone)
    person.email = _blank_none(email)
    if extra_store_ids is not None:
        # Only a general manager oversees other stores; another role keeps none.
        ids = set(extra_store_ids) - {store.id} if role == GM else set()
        person.extra_stores = db.session.scalars(select(Store).where(Store.id.in_(ids))).all() if ids else []
    db.session.flush()


def set_active(person: User, active: bool) -> None:
    """A deactivated person cannot log in and leaves every picker; their history keeps their name."""
    if person.active != active:
        person.deactivated_at = None if active else utcnow()
    person.active = active
    if not active:
        end_sessions(person)
    db.session.flush()


def reset_password(person: User) -> str:
    """A new temporary password (returned, to be shown once), to be changed at the next login."""
    password = temporary_password()
    person.set_temporary_password(password)
    end_sessions(person)
    db.session.flush()
    return password


def change_own_password(user: User, old: str, new: str) -> None:
    if not user.check_password(old):
        raise RuleViolation(_("The current password is wrong."))
    if old == new:
        raise RuleViolation(_("The new password must differ from the current one."))
    problem = password_problem(new, user.username)
    if problem:
        raise RuleViolation(problem)
    user.set_own_password(new)
    end_sessions(user, except_current=True)  # other browsers, e.g. a lost phone, are logged out
    db.session.flush()


def update_account(user: User, *, display_name: str, phone: str | None, email: str | None) -> None:
    user.display_name = display_name.strip()
    user.phone = _blank_none(phone)
    user.email = _blank_none(email)
    db.session.flush()


# --- stores ------------------------------------------------------------------------------

def all_stores(active_only: bool = False) -> list[Store]:
    query = select(Store).order_by(Store.code)
    if active_only:
        query = query.where(Store.active.is_(True))
    return db.session.scalars(query).all()


def create_store(code: str, name: str) -> Store:
    code = code.strip().upper()
    if db.session.scalar(select(Store.id).where(Store.code == code)):
        raise RuleViolation(_("The store code %(code)s is taken.", code=code))
    store = Store(code=code, name=name.strip())
    db.session.add(store)
    db.session.flush()
    return store


def rename_store(store: Store, name: str) -> None:
    store.name = name.strip()
    db.session.flush()


def set_store_active(store: Store, active: bool) -> None:
    store.active = active
    db.session.flush()


def _check_role_and_position(role: str, position: str | None) -> None:
    if role not in ROLES:
        raise RuleViolation(_("Unknown role."))
    if position and position not in POSITIONS:
        raise RuleViolation(_("Unknown position."))


def _blank_none(text: str | None) -> str | None:
    return text.strip() or None if text else None
