"""Time helpers: timestamps are stored as naive UTC; meeting times and deadlines are store-local."""
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app


def utcnow() -> datetime:
    return datetime.now(timezone.utc).replace(tzinfo=None)


def local_now() -> datetime:
    """Wall-clock time where the department works (naive, like meeting start times)."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(tz).replace(tzinfo=None)


def local_today() -> date:
    return local_now().date()
