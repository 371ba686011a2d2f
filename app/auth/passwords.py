"""The password policy (one function for the pages, the import and `flask create-user`) and
temporary passwords for new and reset accounts."""
import secrets
from functools import cache
from pathlib import Path

from flask_babel import gettext as _

MIN_LENGTH = 10
COMMON_FILE = Path(__file__).with_name("common_passwords.txt")
# No 0/O, 1/l/I: a temporary password is read off a screen or a sheet and typed in.
TEMPORARY_ALPHABET = "abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789"
TEMPORARY_LENGTH = 12


@cache
def common_passwords() -> frozenset[str]:
    lines = COMMON_FILE.read_text(encoding="utf-8").splitlines()
    return frozenset(line.strip().lower() for line in lines if line.strip() and not line.startswith("#"))


def password_problem(password: str, username: str) -> str | None:
    """Why `password` may not be used by `username`, or None: at least MIN_LENGTH characters, not
    the username nor containing it, not one of the common passwords."""
    lowered = password.lower()
    name = (username or "").strip().lower()
    if len(password) < MIN_LENGTH:
        return _("The password must have at least %(n)d characters.", n=MIN_LENGTH)
    if name and name in lowered:
        return _("The password must not contain the username.")
    if lowered in common_passwords() or lowered.rstrip("!.?*#@") in common_passwords():
        return _("This password is one of the most common ones; choose another.")
    return None


def temporary_password() -> str:
    return "".join(secrets.choice(TEMPORARY_ALPHABET) for _ in range(TEMPORARY_LENGTH))
