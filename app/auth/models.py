"""Stores, users and their roles."""
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import UserMixin
from sqlalchemy import Column, ForeignKey, String, Table, select
from sqlalchemy import false as sa_false
from sqlalchemy import true as sa_true
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db
from ..timeutils import utcnow

ADMIN, GM, MANAGER, STAFF = "admin", "gm", "manager", "staff"
ROLES = {
    ADMIN: _l("Administrator"),
    GM: _l("General manager"),
    MANAGER: _l("Service manager"),
    STAFF: _l("Staff"),
}
POSITIONS = {
    "service_advisor": _l("Service advisor"),
    "technician": _l("Technician"),
    "workshop_supervisor": _l("Workshop supervisor"),
    "front_desk_supervisor": _l("Front desk supervisor"),
    "information_supervisor": _l("Information supervisor"),
    "quality_inspector": _l("Quality inspector"),
    "dispatcher": _l("Dispatcher"),
    "parts_supervisor": _l("Parts supervisor"),
    "warranty_assessor": _l("Warranty assessor"),
    "customer_service": _l("Customer service specialist"),
}

# Extra stores a general manager (or administrator) oversees besides their home store.
store_access = Table(
    "store_access",
    db.metadata,
    Column("user_id", ForeignKey("user.id", ondelete="CASCADE"), primary_key=True),
    Column("store_id", ForeignKey("store.id", ondelete="CASCADE"), primary_key=True),
)


class Store(db.Model):
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    # A closed store keeps its history but leaves the store lists; its people are deactivated one by one.
    active: Mapped[bool] = mapped_column(default=True, server_default=sa_true())
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        return f"<Store {self.code}>"


class User(UserMixin, db.Model):
    __audited__ = True
    # Shown on other stores' pages too (a GM in a meeting's attendance, a colleague on another store's
    # item): a change renews every store's kept pages, not only the home store's (app/freshness.py).
    __shown_everywhere__ = ("display_name",)
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(80))
    password_hash: Mapped[str] = mapped_column(String(256))
    role: Mapped[str] = mapped_column(String(20))
    position: Mapped[str | None] = mapped_column(String(40))
    store_id: Mapped[int] = mapped_column(ForeignKey("store.id"), index=True)
    active: Mapped[bool] = mapped_column(default=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(120))
    # Set by an import or a reset: every page leads to the change-password page until it is changed.
    must_change_password: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    # Until when a temporary password may be used (TEMPORARY_PASSWORD_DAYS); None for a chosen one.
    password_expires_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # When they were last deactivated (None while active, and for those deactivated before 0017):
    # a past period's figures count the people of that period.
    deactivated_at: Mapped[datetime | None]

    store: Mapped[Store] = relationship(lazy="joined")
    # Loaded when asked for (visible_store_ids): most users on a page are only names.
    extra_stores: Mapped[list[Store]] = relationship(secondary=store_access, lazy="select")

    # The login this request runs under (auth.sessions sets it): Flask-Login keeps `get_id()` in the
    # session cookie and the remember cookie, so both name that login, never the user alone.
    session_token = None

    def get_id(self) -> str | None:
        return self.session_token

    # UserMixin compares people by get_id(), which is now a login, not a person: two people without
    # a login in this request would be "equal". A row is one object per session: compare by identity.
    __eq__ = object.__eq__
    __hash__ = object.__hash__

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password, method=current_app.config["PASSWORD_HASH_METHOD"])

    def set_temporary_password(self, password: str) -> None:
        """A password someone else handed over: changed at the next login, and only for a while."""
        self.set_password(password)
        self.must_change_password = True
        self.password_expires_at = utcnow() + timedelta(days=current_app.config["TEMPORARY_PASSWORD_DAYS"])

    def set_own_password(self, password: str) -> None:
        self.set_password(password)
        self.must_change_password = False
        self.password_expires_at = None

    @property
    def temporary_password_expired(self) -> bool:
        return self.password_expires_at is not None and self.password_expires_at <= utcnow()

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def role_label(self) -> str:
        return str(ROLES.get(self.role, self.role))

    @property
    def position_label(self) -> str:
        return str(POSITIONS.get(self.position, self.position or ""))

    @property
    def visible_store_ids(self) -> set[int]:
        """Stores whose data this user may read."""
        if self.role == ADMIN:
            return set(db.session.scalars(select(Store.id)))
        return {self.store_id} | {s.id for s in self.extra_stores}

    def __repr__(self) -> str:
        return f"<User {self.username}>"


class UserSession(db.Model):
    """One login: its cookies carry a random token, stored here only as a hash. A request is served
    while the row is neither revoked nor expired (absolute, and idle unless remembered)."""
    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user.id", ondelete="CASCADE"), index=True)
    remember: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    user_agent: Mapped[str] = mapped_column(String(200), default="")
    remote_addr: Mapped[str] = mapped_column(String(64), default="")

    user: Mapped[User] = relationship()
