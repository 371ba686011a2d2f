"""Pieces every feature package shares: rule errors, version checks, the current store, paging, safe
redirects."""
from urllib.parse import urlsplit

from flask import abort, current_app, request, session
from flask_babel import gettext as _
from flask_login import current_user, login_required
from werkzeug.exceptions import BadRequest
from werkzeug.routing import IntegerConverter

from .extensions import db
from .validation import MAX_ID, is_clean_text


class RuleViolation(Exception):
    """A business rule refused the change; the message is shown to the user as it is."""


class VersionConflict(Exception):
    """The object changed since the user loaded it; `current` is what is stored now."""

    def __init__(self, current):
        super().__init__("version conflict")
        self.current = current


def absolute_url(path: str) -> str:
    """A link for outside the browser (e-mail, a calendar app): on BASE_URL, the address people use,
    not the host this request came in by (behind a proxy that may be an internal name)."""
    if not path or "://" in path:
        return path
    return current_app.config["BASE_URL"].rstrip("/") + path


def check_version(obj, base_version: int | None) -> None:
    """Refuse a change based on an older version of `obj` than the stored one (None: nothing to compare)."""
    if base_version is not None and base_version != obj.version:
        raise VersionConflict(obj)


def current_store_id() -> int:
    """The store the user is looking at: their choice in the header, else their home store."""
    chosen = session.get("store_id")
    if chosen in current_user.visible_store_ids:
        return chosen
    return current_user.store_id


MAX_PAGE = 100_000


class IdConverter(IntegerConverter):
    """`<int:…>` in routes: a number too large to be a key gives 404, not a database error."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class UnreadableQuery(BadRequest):
    """A query parameter holds a control character (NUL and the like): no page or search takes one."""


def refuse_unreadable_query() -> None:
    """Before every request: the query string holds text a person could type, or the request is
    answered 400 with a page that says why (the JSON API answers in JSON)."""
    if not all(is_clean_text(key, False) and is_clean_text(value, False)
               for key, value in request.args.items(multi=True)):
        raise UnreadableQuery(_("The address holds characters that are not allowed (such as NUL). "
                                "Check the link or the search text and try again."))


def id_arg(name: str, source=None) -> int | None:
    """An id from the query string (or `source`): None when it is missing, not a number, or out of range."""
    value = (request.args if source is None else source).get(name, type=int)
    return value if value is not None and 0 < value <= MAX_ID else None


def page_arg() -> int:
    return min(max(request.args.get("page", 1, type=int) or 1, 1), MAX_PAGE)


def paginate(stmt):
    return db.paginate(stmt, page=page_arg(), per_page=current_app.config["PER_PAGE"], error_out=False)


def get_or_404(model, ident, options=()):
    if isinstance(ident, int) and not 0 < ident <= MAX_ID:
        abort(404)
    obj = db.session.get(model, ident, options=options)
    if obj is None:
        abort(404)
    return obj


def safe_next(default: str) -> str:
    r"""The form's `next` when it is a path on this site, else `default`: never send a user elsewhere.

    Browsers drop tabs and line breaks and read a backslash as a slash, so `/\t/evil.example` and
    `/\evil.example` would leave the site: any control character or backslash refuses the target."""
    target = request.form.get("next", "")
    if (not target.startswith("/") or target.startswith("//") or "\\" in target
            or any(ord(c) < 0x20 or ord(c) == 0x7F for c in target)):
        return default
    parts = urlsplit(target)
    return default if parts.scheme or parts.netloc else target


def require_login(bp) -> None:
    """Every page of the blueprint needs a logged-in user (answered as Flask-Login answers)."""
    bp.before_request(login_required(lambda: None))


LANGUAGES = ("zh_CN", "en")


def remember_language(response, lang: str):
    """The language cookie the header switch and the account page set: a year, over the browser's choice."""
    response.set_cookie("lang", lang, max_age=365 * 24 * 3600, samesite="Lax", httponly=True,
                        secure=current_app.config["SESSION_COOKIE_SECURE"])
    return response
