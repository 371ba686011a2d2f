"""Meetings in calendars: a meeting as an iCalendar invitation (its snapshot, so the .ics sent later
says what the notice said), and each person's secret calendar feed of their meetings and deadlines."""
import hashlib
import json
import secrets
from datetime import date, datetime, time, timedelta
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select

from ..actions.models import ACTIVE_STATUSES, ActionItem
from ..auth.models import User
from ..extensions import db
from ..notifications import ical
from ..timeutils import local_today, utcnow
from . import services
from .models import AGENDA_KINDS, Attendance, CalendarFeed, Meeting

FEED_DAYS_BACK = 90
FEED_LIMIT = 500


def calendar_domain() -> str:
    """The right-hand side of every UID: PITWALL_CALENDAR_DOMAIN, else the host of BASE_URL. Keep it
    once people have invitations: calendars know a meeting by its UID."""
    config = current_app.config
    return config.get("CALENDAR_DOMAIN") or urlsplit(config.get("BASE_URL") or "").hostname or "pitwall.local"


def timezone_name() -> str:
    return current_app.config["BABEL_DEFAULT_TIMEZONE"]


def ends_at(meeting: Meeting) -> datetime:
    minutes = sum(item.duration_minutes for item in meeting.agenda_items) or 60
    return meeting.starts_at + timedelta(minutes=minutes)


def fingerprint(meeting: Meeting) -> str:
    """What a notice promised: date, time, place and the agenda with its time boxes. A change of any
    of them after the notice went out offers an update."""
    data = [meeting.meeting_date.isoformat(), meeting.start_time.isoformat(), meeting.place,
            [(item.kind, item.title, item.duration_minutes) for item in meeting.agenda_items]]
    return hashlib.sha256(json.dumps(data, ensure_ascii=False).encode()).hexdigest()[:32]


def snapshot(meeting: Meeting) -> dict:
    """The meeting as the notice tells it, in JSON-safe values (the outbox stores it; the e-mail and
    the .ics are written from it in each recipient's language when they are sent)."""
    return {
        "meeting_id": meeting.id,
        "theme": meeting.theme,
        "objective": meeting.objective,
        "preparation": meeting.preparation,
        "date": meeting.meeting_date.isoformat(),
        "start": meeting.start_time.strftime("%H:%M"),
        "end": ends_at(meeting).strftime("%H:%M"),
        "end_date": ends_at(meeting).date().isoformat(),
        "place": meeting.place,
        "chair": meeting.chair.display_name,
        "chair_email": meeting.chair.email or "",
        "agenda": [{"kind": item.kind, "title": item.title, "start": starts.strftime("%H:%M"),
                    "minutes": item.duration_minutes} for item, starts in services.agenda_schedule(meeting)],
        "attendees": [[a.user.display_name, a.user.email or ""] for a in services.attendance_in_order(meeting)],
        "sequence": meeting.ical_sequence,
        "uid": ical.meeting_uid(meeting.id, calendar_domain()),
        "timezone": timezone_name(),
    }


def agenda_title(entry: dict) -> str:
    """An agenda line of a snapshot, its standard name in the current language."""
    return entry.get("title") or str(AGENDA_KINDS.get(entry.get("kind"), ""))


def describe(snap: dict) -> str:
    """The event's description in the current language: purpose, agenda with time boxes, preparation."""
    lines = []
    if snap.get("objective"):
        lines += [_("Objective: %(text)s", text=snap["objective"]), ""]
    lines.append(_("Agenda"))
    for i, entry in enumerate(snap.get("agenda", []), 1):
        lines.append(f"{i}. {entry['start']} {agenda_title(entry)} ("
                     + ngettext("%(num)d min", "%(num)d min", entry["minutes"]) + ")")
    if snap.get("preparation"):
        lines += ["", _("Please prepare: %(text)s", text=snap["preparation"])]
    return "\n".join(lines)


def invitation(snap: dict, url: str = "", organiser_email: str = "") -> ical.Invitation:
    starts = datetime.combine(date.fromisoformat(snap["date"]), time.fromisoformat(snap["start"]))
    ends = datetime.combine(date.fromisoformat(snap.get("end_date", snap["date"])), time.fromisoformat(snap["end"]))
    return ical.Invitation(
        uid=snap["uid"], sequence=snap["sequence"], summary=snap["theme"], starts=starts, ends=ends,
        timezone=snap["timezone"], organiser=ical.Person(snap["chair"], snap.get("chair_email") or organiser_email),
        attendees=tuple(ical.Person(name, email) for name, email in snap.get("attendees", [])),
        description=describe(snap), location=snap.get("place", ""), url=url)


# --- the personal feed ----------------------------------------------------------------------

def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def feed_of(user: User) -> CalendarFeed | None:
    return db.session.scalar(select(CalendarFeed).where(CalendarFeed.user_id == user.id))


def create_feed(user: User) -> str:
    """A new secret token for the person's feed (any earlier one stops working); returns it: the
    only time it exists in the clear."""
    token = "cal_" + secrets.token_urlsafe(32)
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, store_id=user.store_id)
        db.session.add(feed)
    feed.token_hash, feed.created_at, feed.last_used_at = hash_token(token), utcnow(), None
    db.session.flush()
    return token


def revoke_feed(user: User) -> bool:
    feed = feed_of(user)
    if feed is None:
        return False
    db.session.delete(feed)
    db.session.flush()
    return True


def feed_by_token(token: str) -> CalendarFeed | None:
    if not token or len(token) > 100:
        return None
    feed = db.session.scalar(select(CalendarFeed).where(CalendarFeed.token_hash == hash_token(token)))
    if feed is None or not feed.user.active:
        return None
    return feed


def feed_ics(user: User, link_for) -> bytes:
    """The person's meetings (as attendee or chair, from FEED_DAYS_BACK days ago) and the deadlines
    of their open action items; `link_for(kind, id)` gives each entry's absolute URL."""
    since = local_today() - timedelta(days=FEED_DAYS_BACK)
    attending = select(Attendance.meeting_id).where(Attendance.user_id == user.id)
    meetings = db.session.scalars(
        select(Meeting).where(or_(Meeting.id.in_(attending), Meeting.chair_id == user.id),
                              Meeting.meeting_date >= since)
        .order_by(Meeting.meeting_date, Meeting.start_time).limit(FEED_LIMIT)).all()
    items = db.session.scalars(
        select(ActionItem).where(ActionItem.owner_id == user.id, ActionItem.status.in_(ACTIVE_STATUSES))
        .order_by(ActionItem.deadline).limit(FEED_LIMIT)).all()
    invitations, cancelled = [], set()
    for meeting in meetings:
        inv = invitation(snapshot(meeting), url=link_for("meeting", meeting.id))
        invitations.append(inv)
        if meeting.is_cancelled:
            cancelled.add(inv.uid)
    deadlines = [ical.Deadline(
        uid=ical.action_uid(item.id, calendar_domain()), summary=_("Deadline: %(title)s", title=item.title),
        day=item.deadline, description=item.description, url=link_for("action", item.id),
        sequence=item.extension_count) for item in items]
    return ical.feed(ical.Feed(name=_("Pitwall: %(name)s", name=user.display_name), timezone=timezone_name(),
                               meetings=tuple(invitations), deadlines=tuple(deadlines),
                               cancelled=frozenset(cancelled)))
