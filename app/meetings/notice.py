"""The meeting notice (会议通知), its updates and cancellation, and the minutes (会议纪要) after closing,
sent through the notifications outbox: an in-app notification and an e-mail per person (in their
language, with the .ics invitation built when it is sent), and a post to the store's group-chat robots.

Everything is written in the caller's transaction; `flask notify` delivers it. What a message says is
a snapshot taken now (calendar.snapshot), so a notice tells what was announced even if it is sent later.
"""
from dataclasses import dataclass
from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from flask import current_app, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from sqlalchemy import select, update

from ..actions.models import ACTIVE_STATUSES, ActionItem
from ..common import RuleViolation, VersionConflict, absolute_url
from ..extensions import db
from ..formatting import fdate, ftime
from ..notifications import ical, robots, services
from ..notifications.registry import Attachment, register_attachment, register_daily_job, register_kind
from ..timeutils import local_now, utcnow
from . import calendar, documents
from . import services as meetings
from .models import CALLED_OFF, PLANNED, Meeting

NOTICE, UPDATE, CANCELLED, MINUTES, NEW_ITEMS = (
    "meetings.notice", "meetings.notice_update", "meetings.cancelled", "meetings.minutes", "meetings.new_items")
CHAT = "meetings.chat"  # every post to a group chat: the markdown text is the message


def _when(params: dict) -> str:
    return f"{fdate(date.fromisoformat(params['date']))} {ftime(time.fromisoformat(params['start']))}"


register_kind(NOTICE, label=_l("Meeting notices"), group="meetings",
              subject=lambda p: _("Meeting notice: %(theme)s, %(when)s", theme=p["theme"], when=_when(p)),
              text_template="meetings/email/notice.txt", html_template="meetings/email/notice.html")
register_kind(UPDATE, label=_l("Changes to a meeting you were invited to"), group="meetings",
              subject=lambda p: _("Meeting changed: %(theme)s, now %(when)s", theme=p["theme"], when=_when(p)),
              text_template="meetings/email/notice.txt", html_template="meetings/email/notice.html")
register_kind(CANCELLED, label=_l("Cancelled meetings"), group="meetings",
              subject=lambda p: _("Meeting cancelled: %(theme)s, %(when)s", theme=p["theme"], when=_when(p)),
              text_template="meetings/email/cancelled.txt", html_template="meetings/email/cancelled.html")
register_kind(MINUTES, label=_l("Minutes of meetings"), group="meetings",
              subject=lambda p: _("Minutes: %(theme)s, %(when)s", theme=p["theme"], when=_when(p)),
              text_template="meetings/email/minutes.txt", html_template="meetings/email/minutes.html")
register_kind(NEW_ITEMS, label=_l("Action items given to me in a meeting"), group="meetings",
              subject=lambda p: ngettext("%(num)d new action item for you from “%(theme)s”",
                                         "%(num)d new action items for you from “%(theme)s”",
                                         len(p["items"]), theme=p["theme"]),
              text_template="meetings/email/new_items.txt", html_template="meetings/email/new_items.html")
register_kind(CHAT, label=None, subject=lambda p: p["title"], text_template="meetings/chat/message.md")


def _ics(message, snapshot: dict, method: str, url: str = "") -> Attachment:
    """The invitation (or its cancellation) as the snapshot told it, described in the reader's language."""
    invitation = calendar.invitation(snapshot, url=url, organiser_email=_sender_address())
    if method == ical.CANCEL:
        data = ical.cancellation(invitation)
    else:
        data = ical.invitation(invitation)
    return Attachment(f"meeting-{snapshot['meeting_id']}.ics", f"text/calendar; method={method}; charset=UTF-8", data)


register_attachment("meetings.ics", _ics)


def _sender_address() -> str:
    sender = current_app.config.get("MAIL_DEFAULT_SENDER") or ""
    return sender.rpartition("<")[2].rstrip(">").strip()


# --- the notice -----------------------------------------------------------------------------

@dataclass(frozen=True)
class NoticeState:
    sent_at: datetime | None  # UTC, the latest notice or update
    first_sent_at: datetime | None
    on_time: bool | None  # the first notice went out NOTICE_DAYS or more ahead (None: not sent)
    changed: bool  # time, place or agenda changed since the latest notice
    days_ahead: int | None  # whole days between the first notice and the start


def _local(utc: datetime) -> datetime:
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return utc.replace(tzinfo=ZoneInfo("UTC")).astimezone(zone).replace(tzinfo=None)


def state(meeting: Meeting) -> NoticeState:
    if meeting.notice_first_sent_at is None:
        return NoticeState(None, None, None, False, None)
    first = _local(meeting.notice_first_sent_at)
    # The same rule as the warning on saving a meeting (services.notice_is_short), at the moment it went out.
    on_time = first < meeting.starts_at and not meetings.notice_is_short(meeting, first)
    return NoticeState(meeting.notice_sent_at, meeting.notice_first_sent_at, on_time,
                       meeting.notice_fingerprint != calendar.fingerprint(meeting),
                       (meeting.starts_at - first).days)


def _recipients(meeting: Meeting):
    return [a.user for a in meetings.attendance_in_order(meeting)]


def _link(meeting: Meeting) -> str:
    return url_for("meetings.detail", meeting_id=meeting.id)


def seen_state(meeting: Meeting) -> str:
    """The notice state a page shows ("<sequence>.<sent>"), posted back with "send notice": the
    server sends only if it is still the state the manager saw."""
    return f"{meeting.ical_sequence}.{int(meeting.notice_first_sent_at is not None)}"


def _hold_unchanged(meeting: Meeting, seen: str | None = None) -> None:
    """Refuse (VersionConflict) unless the meeting is planned and its notice state is still `seen` (or,
    without it, still what this request read), and hold its row to the end of the transaction. A double
    click, or two managers at once, send one message: the second finds the state changed, or waits on
    the row and then matches nothing.
    An UPDATE of nothing, not SELECT … FOR UPDATE, so that SQLite takes its write lock too."""
    if seen is not None and seen != seen_state(meeting):
        raise VersionConflict(meeting)
    sequence, sent = meeting.ical_sequence, meeting.notice_first_sent_at is not None
    held = db.session.execute(
        update(Meeting).where(
            Meeting.id == meeting.id, Meeting.status == PLANNED, Meeting.ical_sequence == sequence,
            Meeting.notice_first_sent_at.is_not(None) if sent else Meeting.notice_first_sent_at.is_(None))
        .values(ical_sequence=Meeting.ical_sequence).execution_options(synchronize_session=False))
    if held.rowcount != 1:
        raise VersionConflict(meeting)


def send_notice(meeting: Meeting, user_id: int, seen: str) -> str:
    """Send the notice, or an update of one sent before (same UID, next SEQUENCE). Returns NOTICE or
    UPDATE. Refused for a closed, cancelled or begun meeting, and (409) when the notice state is no
    longer `seen` (`seen_state` of the page the manager clicked on)."""
    meetings.require_open(meeting)
    if meeting.starts_at <= local_now():
        raise RuleViolation(_("This meeting has begun: a notice is no use now."))
    _hold_unchanged(meeting, seen)
    kind = UPDATE if meeting.notice_first_sent_at else NOTICE
    if kind == UPDATE:
        meeting.ical_sequence += 1
    now = utcnow()
    meeting.notice_sent_at = now
    meeting.notice_first_sent_at = meeting.notice_first_sent_at or now
    meeting.notice_fingerprint = calendar.fingerprint(meeting)
    db.session.flush()
    snap = calendar.snapshot(meeting)
    params = {**snap, "is_update": kind == UPDATE}
    url = url_for("meetings.detail", meeting_id=meeting.id, _external=False)
    services.publish(kind, _recipients(meeting), store_id=meeting.store_id, link=_link(meeting), params=params,
                     attachments=[{"builder": "meetings.ics", "args": {"snapshot": snap, "method": ical.REQUEST,
                                                                       "url": absolute_url(url)}}])
    _to_robots(meeting, robots.MEETING_NOTICE, "notice" if kind == NOTICE else "update", params)
    return kind


def cancel(meeting: Meeting, user_id: int, reason: str = "") -> bool:
    """Cancel a planned meeting. If a notice went out, everyone invited gets the cancellation
    (METHOD:CANCEL, same UID, next SEQUENCE). Returns whether anyone was told. Two cancellations at
    once, or one beside a notice being sent, end in a 409 for the later one, not in two messages."""
    meetings.require_open(meeting)
    _hold_unchanged(meeting)
    meeting.status = CALLED_OFF
    meeting.cancelled_at, meeting.cancelled_by_id = utcnow(), user_id
    meeting.cancel_reason = (reason or "").strip()
    told = meeting.notice_first_sent_at is not None
    if told:
        meeting.ical_sequence += 1
    db.session.flush()
    if not told:
        return False
    snap = calendar.snapshot(meeting)
    params = {**snap, "reason": meeting.cancel_reason}
    services.publish(CANCELLED, _recipients(meeting), store_id=meeting.store_id, link=_link(meeting), params=params,
                     attachments=[{"builder": "meetings.ics", "args": {"snapshot": snap, "method": ical.CANCEL}}])
    _to_robots(meeting, robots.MEETING_NOTICE, "cancelled", params)
    return True


def _to_robots(meeting: Meeting, event: str, what: str, params: dict) -> None:
    """One outbox message per robot of the store that takes this event, in the store's language."""
    for robot in robots.store_robots(meeting.store_id, event):
        services.enqueue("chat", str(robot.id), CHAT, store_id=meeting.store_id, link=_link(meeting),
                         params={**params, "what": what, "title": _chat_title(what, params)},
                         language=current_app.config["BABEL_DEFAULT_LOCALE"])


def _chat_title(what: str, params: dict) -> str:
    """The title of a chat post, in the store's language (the default), fixed when it is queued."""
    from flask_babel import force_locale

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return {
            "notice": lambda: _("Meeting notice: %(theme)s", theme=params["theme"]),
            "update": lambda: _("Meeting changed: %(theme)s", theme=params["theme"]),
            "cancelled": lambda: _("Meeting cancelled: %(theme)s", theme=params["theme"]),
            "minutes": lambda: _("Minutes: %(theme)s", theme=params["theme"]),
            "overdue": lambda: ngettext("%(store)s: %(num)d overdue action item",
                                        "%(store)s: %(num)d overdue action items", params["count"],
                                        store=params["store"]),
        }[what]()


# --- the minutes --------------------------------------------------------------------------------

def _item_row(item: ActionItem) -> dict:
    return {"id": item.id, "title": item.title, "owner": item.owner.display_name, "owner_id": item.owner_id,
            "deadline": item.deadline.isoformat(), "priority": item.priority}


def send_minutes(meeting: Meeting) -> None:
    """On closing: attendees and owners get the minutes (decisions and the action table); each owner
    a notification of their own new items; robots that take the minutes a summary."""
    items = db.session.scalars(select(ActionItem).where(ActionItem.meeting_id == meeting.id)
                               .order_by(ActionItem.deadline, ActionItem.id)).all()
    snap = calendar.snapshot(meeting)
    params = {**snap, "decisions": [{"number": d.number, "text": d.text} for d in meeting.decisions],
              "items": [_item_row(i) for i in items],
              "present": sum(1 for a in meeting.attendances if a.status == "present"),
              "invited": len(meeting.attendances)}
    minutes_link = url_for("meetings.minutes", meeting_id=meeting.id)
    people = _recipients(meeting) + [i.owner for i in items]
    services.publish(MINUTES, people, store_id=meeting.store_id, link=minutes_link, params=params,
                     attachments=[{"builder": name, "args": {"meeting_id": meeting.id}}
                                  for name in MINUTES_ATTACHMENTS],
                     dedup_key=f"meeting-minutes:{meeting.id}")
    by_owner: dict[int, list] = {}
    for item in items:
        by_owner.setdefault(item.owner_id, []).append(item)
    for owner_id, own in by_owner.items():
        services.publish(NEW_ITEMS, [owner_id], store_id=meeting.store_id, link=url_for("actions.mine"),
                         params={"theme": meeting.theme, "date": snap["date"], "start": snap["start"],
                                 "meeting_id": meeting.id, "items": [_item_row(i) for i in own]},
                         # In the app only: each item was e-mailed when it was assigned (actions.assigned),
                         # and the minutes e-mail marks the reader's own rows.
                         email=False, dedup_key=f"meeting-new-items:{meeting.id}")
    _to_robots(meeting, robots.MINUTES, "minutes", params)


def _minutes_pdf(message, meeting_id: int) -> Attachment | None:
    """The minutes as a PDF in the reader's language: a closed meeting's archived copy (documents)."""
    meeting = db.session.get(Meeting, meeting_id)
    if meeting is None:
        return None
    return Attachment(f"minutes-{meeting_id}.pdf", "application/pdf", documents.minutes_pdf(meeting))


register_attachment("meetings.minutes_pdf", _minutes_pdf)

# Builders attached to the minutes e-mail; each is called with meeting_id when the e-mail is sent.
MINUTES_ATTACHMENTS: list[str] = ["meetings.minutes_pdf"]



# --- the daily overdue digest in the group chat ----------------------------------------------------

ROBOT_DIGEST_CAP = 20  # items listed in one post; the rest are counted


def post_overdue_digest(store, today: date) -> None:
    """Once a day (a daily job of `flask notify`): the store's overdue action items to each robot that
    takes the overdue digest; nothing when none is overdue."""
    targets = robots.store_robots(store.id, robots.OVERDUE_DIGEST)
    if not targets:
        return
    overdue = db.session.scalars(select(ActionItem).where(
        ActionItem.store_id == store.id, ActionItem.status.in_(ACTIVE_STATUSES), ActionItem.deadline < today)
        .order_by(ActionItem.deadline, ActionItem.id)).all()
    if not overdue:
        return
    params = {"what": "overdue", "store": store.name, "count": len(overdue), "date": today.isoformat(),
              "start": "", "overdue": [{"title": i.title, "owner": i.owner.display_name,
                                        "deadline": i.deadline.isoformat(), "days": (today - i.deadline).days}
                                       for i in overdue[:ROBOT_DIGEST_CAP]]}
    params["title"] = _chat_title("overdue", params)
    for robot in targets:
        services.enqueue("chat", str(robot.id), CHAT, store_id=store.id,
                         link=services.path_for("actions.board", overdue=1), params=params,
                         language=current_app.config["BABEL_DEFAULT_LOCALE"],
                         dedup_key=f"robot-overdue:{robot.id}:{today.isoformat()}")


register_daily_job("meetings.robot_overdue_digest", post_overdue_digest)
