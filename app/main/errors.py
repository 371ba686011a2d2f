"""Error pages: a clear page for people, a short fragment for htmx widgets."""
from flask import render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from ..common import UnreadableQuery
from ..extensions import db, htmx

MESSAGES = {
    400: lambda: _("The request could not be understood. Reload the page and try again."),
    403: lambda: _("You do not have permission to do this."),
    404: lambda: _("This page does not exist, or it was removed."),
    405: lambda: _("This address does not accept that kind of request."),
    409: lambda: _("Someone else changed this at the same time."),
    413: lambda: _("The file or request is too large."),
    429: lambda: _("Too many attempts. Wait a minute and try again."),
    500: lambda: _("Something went wrong on our side. Your last change may not be saved."),
}


def _render(code: int, message: str | None = None):
    message = message or MESSAGES.get(code, MESSAGES[500])()
    if htmx:
        return render_template("main/_error.html", code=code, message=message), code
    return render_template("main/error.html", code=code, message=message), code


def register(app):
    for code in MESSAGES:
        if code == 500:
            continue
        app.register_error_handler(code, lambda e, code=code: _render(code))

    @app.errorhandler(CSRFError)
    def csrf_error(e):
        return _render(400, _("The form has expired or was not sent from this site. Reload the page "
                              "and try again; what you typed may need to be entered again."))

    @app.errorhandler(UnreadableQuery)
    def unreadable_query(e):
        return _render(400, e.description)

    @app.errorhandler(500)
    def server_error(e):
        db.session.rollback()
        return _render(500)
