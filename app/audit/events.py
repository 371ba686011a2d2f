"""Logins, failures, lockouts and logouts, written to the trail from auth's signals."""
from flask_login import user_logged_in, user_logged_out

from ..auth.services import find_user, login_failed, login_locked_out
from .models import LOCKOUT, LOGIN, LOGIN_FAILED, LOGOUT
from .services import record


def connect() -> None:
    user_logged_in.connect(_logged_in)
    user_logged_out.connect(_logged_out)
    login_failed.connect(_failed)
    login_locked_out.connect(_locked_out)


def _logged_in(sender, user, **extra) -> None:
    record(LOGIN, user_id=user.id, object_type="user", object_id=user.id, store_id=user.store_id)


def _logged_out(sender, user, **extra) -> None:
    record(LOGOUT, user_id=user.id, object_type="user", object_id=user.id, store_id=user.store_id)


def _failed(sender, username: str) -> None:
    _attempt(LOGIN_FAILED, username)


def _locked_out(sender, username: str) -> None:
    _attempt(LOCKOUT, username)


def _attempt(action: str, username: str) -> None:
    """By nobody logged in; about the account the name belongs to, if any, and the name as typed."""
    user = find_user(username)
    record(action, object_type="user", object_id=user.id if user else None,
           store_id=user.store_id if user else None, new={"username": username.strip().lower()[:64]})
