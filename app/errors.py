"""Error pages: a clear page for people, a short fragment for htmx widgets (every package may render one)."""
from flask import render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError

from .common import UnreadableQuery
from .extensions import db, htmx
from .request_log import request_id

MESSAGES = {
    400: lambda: _("The request could not be understood. Reload the page and try again."),
    403: lambda: _("You do not have permission to see this page or to do this."),
    404: lambda: _("This page does not exist, or it was removed."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("Someone else changed this at the same time."),
    413: lambda: _("The file or request is too large."),
    429: lambda: _("Too many attempts. Wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Your last change may not be saved."),
}


def render_error(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, MESSAGES[500])()
    # A 500 names its request, so a person can quote it and the log line with the traceback is found.
    reference = request_id() if code >= 500 else None
    template = "_error.html" if htmx else "error.html"
    return render_template(template, code=code, message=message, reference=reference,
                           advice=_refusal_advice() if code == 403 else None), code


def _refusal_advice() -> str | None:
    """What to do about a refusal, and whom to ask, by the person's role (roles as in auth.models)."""
    role = getattr(current_user, "role", None) if current_user.is_authenticated else None
    return {
        "staff": _("If you need it for your work, ask your service manager."),
        "manager": _("If you need it, ask your general manager; for accounts and stores, the administrator."),
        "gm": _("If you need it, ask the administrator, who gives access to stores."),
    }.get(role)


def register(app):
    for code in MESSAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda e, code=code: render_error(code))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return render_error(400, _("The form has expired or was not sent from this site. Reload the page "
                              "and try again; what you typed may need to be entered again."))

    @app.errorhandler(UnreadableQuery)
    def unreadable_query(e):
        return render_error(400, e.description)

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return render_error(500)
