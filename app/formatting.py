"""Template filters and globals: dates and numbers in the user's locale, and the page chrome."""
from datetime import date, datetime, time

from flask import g, request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_time, get_locale
from flask_login import current_user
from werkzeug.local import LocalProxy


def fdate(value: date | None, style: str = "medium") -> str:
    return format_date(value, style) if value else ""


def fdatetime(value: datetime | None, style: str = "medium") -> str:
    """A stored UTC timestamp shown in the department's time zone."""
    return format_datetime(value, style) if value else ""


def fnumber(value) -> str:
    """A figure in the user's locale, with at most two decimals."""
    return format_decimal(value, "#,##0.##") if value is not None else "—"


def fpercent(ratio) -> str:
    """An attainment ratio (1.0) as a percentage (100 %)."""
    return format_percent(ratio, "#,##0%") if ratio is not None else "—"


def fwhen(meeting) -> str:
    """A meeting's date and start time, in the same date style as deadlines."""
    return f"{fdate(meeting.meeting_date)} {ftime(meeting.start_time)}"


def ftime(value: time | datetime | None) -> str:
    if value is None:
        return ""
    if isinstance(value, time):
        value = datetime.combine(date(2000, 1, 1), value)
    return format_time(value, "short", rebase=False)


def init_app(app):
    app.jinja_env.filters.update(fdate=fdate, fdatetime=fdatetime, ftime=ftime, fwhen=fwhen,
                               fnumber=fnumber, fpercent=fpercent)

    @app.context_processor
    def chrome():
        from .forms import EmptyForm

        # Babel spells zh_CN as zh_Hans_CN; templates only need to know which of our two it is.
        ctx = {"locale": "zh_CN" if get_locale().language == "zh" else "en", "chrome_form": EmptyForm(formdata=None),
               "current_path": request.full_path.rstrip("?")}
        if current_user.is_authenticated:
            # Read when a template first uses them: a full page (htmx asking or not) always has its
            # header, and a fragment, which has none, costs no queries.
            ctx.update({name: LocalProxy(lambda name=name: _chrome(name)) for name in CHROME})
        return ctx


def _open_count():
    from .actions.routes import open_count

    return open_count()


def _awaiting_count():
    from .coaching.services import awaiting_count

    return awaiting_count(current_user.id) if current_user.role == "staff" else None


def _current_store():
    from .common import current_store

    return current_store()


def _switchable_stores():
    from .common import visible_stores

    stores = visible_stores()
    return stores if len(stores) > 1 else []


CHROME = {"open_count": _open_count, "awaiting_count": _awaiting_count, "current_store": _current_store,
          "switchable_stores": _switchable_stores}


def _chrome(name: str):
    """One of the header's figures for the logged-in user, read once per request."""
    cache = g.setdefault("chrome", {})
    if name not in cache:
        cache[name] = CHROME[name]()
    return cache[name]
