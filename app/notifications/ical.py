"""iCalendar texts: a meeting invitation (METHOD:REQUEST), its cancellation (METHOD:CANCEL) and a
person's calendar feed (METHOD:PUBLISH).

Pure functions on plain values (no models, no request), so any package may build them: the meeting
notice, the outbox's attachment builder at delivery time, the feed route. Times are the store's wall
clock (naive datetimes in `timezone`, PITWALL_TIMEZONE), written with TZID and a VTIMEZONE so every
calendar shows them at the right hour wherever it is.

One meeting keeps one UID (`meeting_uid`) for its whole life; each later change raises SEQUENCE, so a
calendar replaces the invitation it has instead of adding a second one.
"""
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from icalendar import Alarm, Calendar, Event, vCalAddress, vText

PRODID = "-//Pitwall//Meetings//EN"
REQUEST, CANCEL, PUBLISH = "REQUEST", "CANCEL", "PUBLISH"


@dataclass(frozen=True)
class Person:
    name: str
    email: str = ""


@dataclass(frozen=True)
class Invitation:
    """One meeting as a calendar event; times are naive wall-clock times in `timezone`."""
    uid: str
    sequence: int
    summary: str
    starts: datetime
    ends: datetime
    timezone: str
    organiser: Person
    attendees: tuple[Person, ...] = ()
    description: str = ""
    location: str = ""
    url: str = ""
    alarm_minutes: int = 30


@dataclass(frozen=True)
class Deadline:
    """An all-day entry of a feed: an action item's deadline."""
    uid: str
    summary: str
    day: date
    description: str = ""
    url: str = ""
    sequence: int = 0


@dataclass(frozen=True)
class Feed:
    name: str
    timezone: str
    meetings: tuple[Invitation, ...] = ()
    deadlines: tuple[Deadline, ...] = ()
    cancelled: frozenset[str] = field(default_factory=frozenset)  # uids of cancelled meetings


def meeting_uid(meeting_id: int, domain: str) -> str:
    return f"meeting-{meeting_id}@{domain}"


def action_uid(item_id: int, domain: str) -> str:
    return f"action-{item_id}@{domain}"


def _calendar(method: str, name: str = "") -> Calendar:
    cal = Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", method)
    if name:
        cal.add("x-wr-calname", name)
    return cal


def _address(person: Person, **params) -> vCalAddress:
    address = vCalAddress(f"mailto:{person.email}" if person.email else "mailto:invalid@invalid")
    address.params["CN"] = vText(person.name)
    address.params.update(params)
    return address


def _event(inv: Invitation, method: str, stamp: datetime) -> Event:
    zone = ZoneInfo(inv.timezone)
    event = Event()
    event.add("uid", inv.uid)
    event.add("sequence", inv.sequence)
    event.add("dtstamp", stamp)
    event.add("dtstart", inv.starts.replace(tzinfo=zone))
    event.add("dtend", inv.ends.replace(tzinfo=zone))
    event.add("summary", inv.summary)
    if inv.description:
        event.add("description", inv.description)
    if inv.location:
        event.add("location", inv.location)
    if inv.url:
        event.add("url", inv.url)
    event.add("organizer", _address(inv.organiser))
    for person in inv.attendees:
        if person.email:
            event.add("attendee", _address(person, ROLE="REQ-PARTICIPANT", PARTSTAT="NEEDS-ACTION",
                                           RSVP="FALSE", CUTYPE="INDIVIDUAL"))
    if method == CANCEL:
        event.add("status", "CANCELLED")
    else:
        event.add("status", "CONFIRMED")
        event.add("transp", "OPAQUE")
        if inv.alarm_minutes:
            alarm = Alarm()
            alarm.add("action", "DISPLAY")
            alarm.add("description", inv.summary)
            alarm.add("trigger", timedelta(minutes=-inv.alarm_minutes))
            event.add_component(alarm)
    return event


def _now() -> datetime:
    return datetime.now(timezone.utc).replace(microsecond=0)


def invitation(inv: Invitation, stamp: datetime | None = None) -> bytes:
    """The invitation (or its update: same uid, higher sequence) as an .ics file."""
    cal = _calendar(REQUEST)
    cal.add_component(_event(inv, REQUEST, stamp or _now()))
    cal.add_missing_timezones()
    return cal.to_ical()


def cancellation(inv: Invitation, stamp: datetime | None = None) -> bytes:
    """The cancellation of an invitation sent before: same uid, a sequence above the last one sent."""
    cal = _calendar(CANCEL)
    cal.add_component(_event(inv, CANCEL, stamp or _now()))
    cal.add_missing_timezones()
    return cal.to_ical()


def feed(data: Feed, stamp: datetime | None = None) -> bytes:
    """A subscribable calendar: meetings as timed events, deadlines as all-day events."""
    stamp = stamp or _now()
    cal = _calendar(PUBLISH, data.name)
    cal.add("x-wr-timezone", data.timezone)
    for inv in data.meetings:
        event = _event(inv, CANCEL if inv.uid in data.cancelled else REQUEST, stamp)
        cal.add_component(event)
    for deadline in data.deadlines:
        event = Event()
        event.add("uid", deadline.uid)
        event.add("sequence", deadline.sequence)
        event.add("dtstamp", stamp)
        event.add("dtstart", deadline.day)
        event.add("dtend", deadline.day + timedelta(days=1))
        event.add("summary", deadline.summary)
        event.add("transp", "TRANSPARENT")
        if deadline.description:
            event.add("description", deadline.description)
        if deadline.url:
            event.add("url", deadline.url)
        cal.add_component(event)
    cal.add_missing_timezones()
    return cal.to_ical()
