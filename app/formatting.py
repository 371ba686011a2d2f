"""Template filters and globals: dates and numbers in the user's locale, and the page chrome."""
from datetime import date, datetime, time

from flask import request
from flask_babel import format_date, format_datetime, format_decimal, format_percent, format_time, get_locale
from flask_login import current_user

from .extensions import htmx


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
        """The header's own parts; the feature packages add theirs (the store, counters) with
        `app_context_processor` on their blueprints, so this shared module imports no feature."""
        from .forms import EmptyForm

        # Babel spells zh_CN as zh_Hans_CN; templates only need to know which of our two it is.
        return {"locale": "zh_CN" if get_locale().language == "zh" else "en", "chrome_form": EmptyForm(formdata=None),
                "current_path": request.full_path.rstrip("?")}


def wants_header() -> bool:
    """A full page for a logged-in user: fragments have no header to fill."""
    return current_user.is_authenticated and not htmx
