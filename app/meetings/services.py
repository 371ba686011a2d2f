"""Rules for meetings: the standard agenda, series, minutes, decisions, review and closing."""
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import and_, func, or_, select, update
from sqlalchemy.orm import aliased, contains_eager
from sqlalchemy.orm.exc import StaleDataError

from ..actions import services as actions
from ..actions.models import ACTIVE_STATUSES, CANCELLED, DONE, ActionItem
from ..audit import services as audit
from ..audit.models import CREATE, UPDATE
from ..auth.services import by_position
from ..common import RuleViolation, VersionConflict
from ..database import insert_unless_taken
from ..extensions import db
from ..timeutils import utcnow
from .models import (
    CANCELLED as DISPOSITION_CANCELLED,
)
from .models import (
    CLOSED,
    CUSTOM,
    ESCALATED,
    EXTENDED,
    INVITED,
    ON_SCHEDULE,
    PLANNED,
    PRESENT,
    REVIEW,
    STANDARD_AGENDA,
    VERIFIED,
    AgendaItem,
    AgendaProposal,
    Attendance,
    Decision,
    Meeting,
    MeetingSeries,
    MinutesAmendment,
    ReviewEntry,
    StoreMeetingSettings,
)

NOTICE_DAYS = 3


def notice_is_short(meeting: Meeting, now: datetime) -> bool:
    """The meeting system asks for the notice and agenda at least NOTICE_DAYS days ahead."""
    return now < meeting.starts_at < now + timedelta(days=NOTICE_DAYS)


def starts_later(meeting: Meeting, now: datetime) -> bool:
    """Closing a meeting that has not begun is most likely a slip: the page asks first."""
    return meeting.starts_at > now


# --- the store's usual meeting ----------------------------------------------------------

def meeting_settings(store_id: int) -> StoreMeetingSettings:
    """The store's usual day, time and place; Monday 8:30 until the manager sets them (not saved)."""
    return db.session.get(StoreMeetingSettings, store_id) or StoreMeetingSettings(
        store_id=store_id, weekday=0, start_time=time(8, 30), place="")


def save_meeting_settings(store_id: int, weekday: int, start_time: time, place: str) -> StoreMeetingSettings:
    settings = db.session.get(StoreMeetingSettings, store_id)
    if settings is None:
        settings = StoreMeetingSettings(store_id=store_id)
        db.session.add(settings)
    settings.weekday, settings.start_time, settings.place = weekday, start_time, place.strip()
    settings.updated_at = utcnow()
    db.session.flush()
    return settings


def next_meeting_slot(settings: StoreMeetingSettings, now: datetime) -> datetime:
    """The next time the usual meeting day and hour come round (today, if that hour is still ahead)."""
    day = now.date() + timedelta(days=(settings.weekday - now.weekday()) % 7)
    slot = datetime.combine(day, settings.start_time)
    return slot if slot > now else slot + timedelta(days=7)


# --- creating and editing ---------------------------------------------------------------

def create_meeting(*, store_id: int, created_by_id: int, attendee_ids, weekly_series=False,
                   **fields) -> Meeting:
    meeting = Meeting(store_id=store_id, created_by_id=created_by_id, **fields)
    meeting.agenda_items = [
        AgendaItem(position=i, kind=kind, duration_minutes=minutes)
        for i, (kind, minutes) in enumerate(STANDARD_AGENDA)
    ]
    _set_attendees(meeting, attendee_ids)
    if weekly_series:
        meeting.series = MeetingSeries(store_id=store_id)
    db.session.add(meeting)
    db.session.flush()
    return meeting


def update_meeting(meeting: Meeting, attendee_ids, **fields) -> Meeting:
    require_open(meeting)
    for name, value in fields.items():
        setattr(meeting, name, value)
    _set_attendees(meeting, attendee_ids)
    db.session.flush()
    return meeting


def _set_attendees(meeting: Meeting, attendee_ids) -> None:
    """Invite exactly these people (chair and minute taker always attend); keep recorded attendance."""
    wanted = set(attendee_ids) | {meeting.chair_id} | ({meeting.minute_taker_id} - {None})
    kept = [a for a in meeting.attendances if a.user_id in wanted]
    have = {a.user_id for a in kept}
    meeting.attendances = kept + [Attendance(user_id=uid, status=INVITED) for uid in sorted(wanted - have)]


def create_next_in_series(meeting: Meeting, created_by_id: int, theme: str, objective: str = "") -> Meeting:
    """One step: the next meeting of the series, a week on, same people, place and agenda; this
    week's theme and purpose are asked for, not copied from last week."""
    if meeting.series_id is None:
        raise RuleViolation(_("This meeting is not part of a series."))
    latest = db.session.scalars(
        select(Meeting).where(Meeting.series_id == meeting.series_id)
        .order_by(Meeting.meeting_date.desc(), Meeting.id.desc()).limit(1)
    ).one()
    nxt = Meeting(
        store_id=latest.store_id, series_id=latest.series_id, kind=latest.kind, theme=theme.strip(),
        objective=(objective or "").strip(), meeting_date=latest.meeting_date + timedelta(days=latest.series.interval_days),
        start_time=latest.start_time, place=latest.place, chair_id=latest.chair_id,
        minute_taker_id=latest.minute_taker_id, created_by_id=created_by_id,
    )
    nxt.agenda_items = [
        AgendaItem(position=i, kind=a.kind, title=a.title, duration_minutes=a.duration_minutes)
        for i, a in enumerate(latest.agenda_items)
    ]
    nxt.attendances = [Attendance(user_id=a.user_id, status=INVITED) for a in latest.attendances]
    db.session.add(nxt)
    db.session.flush()
    return nxt


# --- agenda -----------------------------------------------------------------------------

def add_agenda_item(meeting: Meeting, title: str, duration_minutes: int) -> AgendaItem:
    require_open(meeting)
    item = AgendaItem(kind=CUSTOM, title=title.strip(), duration_minutes=duration_minutes,
                      position=len(meeting.agenda_items))
    meeting.agenda_items.append(item)
    db.session.flush()
    return item


def update_agenda_item(item: AgendaItem, title: str, duration_minutes: int) -> None:
    require_open(item.meeting)
    if item.kind == CUSTOM and not title.strip():
        raise RuleViolation(_("An added agenda item needs a title."))
    item.title = title.strip()
    item.duration_minutes = duration_minutes
    db.session.flush()


def remove_agenda_item(item: AgendaItem) -> None:
    meeting = item.meeting
    require_open(meeting)
    if item.kind == REVIEW:
        raise RuleViolation(_("The review of the last meeting's resolutions cannot be removed."))
    meeting.agenda_items.remove(item)
    _renumber(meeting)
    db.session.flush()


def move_agenda_item(item: AgendaItem, step: int) -> None:
    meeting = item.meeting
    require_open(meeting)
    items = list(meeting.agenda_items)
    i = items.index(item)
    j = i + step
    if 0 <= j < len(items):
        items[i], items[j] = items[j], items[i]
        meeting.agenda_items[:] = items
        _renumber(meeting)
    db.session.flush()


def _renumber(meeting: Meeting) -> None:
    for i, item in enumerate(meeting.agenda_items):
        item.position = i


def agenda_schedule(meeting: Meeting) -> list[tuple[AgendaItem, datetime]]:
    """Each agenda item with the clock time it starts at, from the time boxes before it."""
    at, rows = meeting.starts_at, []
    for item in meeting.agenda_items:
        rows.append((item, at))
        at += timedelta(minutes=item.duration_minutes)
    return rows


# --- during the meeting -----------------------------------------------------------------

def set_attendance(meeting: Meeting, user_id: int, status: str) -> Attendance:
    require_open(meeting)
    attendance = next((a for a in meeting.attendances if a.user_id == user_id), None)
    if attendance is None:
        raise RuleViolation(_("This person is not invited to the meeting."))
    attendance.status = status
    db.session.flush()
    return attendance


def mark_everyone_present(meeting: Meeting) -> int:
    """Everyone not yet recorded is present; the exceptions are then marked one by one."""
    require_open(meeting)
    unrecorded = [a for a in meeting.attendances if a.status == INVITED]
    for attendance in unrecorded:
        attendance.status = PRESENT
    db.session.flush()
    return len(unrecorded)


def attendance_in_order(meeting: Meeting) -> list[Attendance]:
    """The attendance list by position (manager first), then by name in pinyin order."""
    order = {u.id: i for i, u in enumerate(by_position(a.user for a in meeting.attendances))}
    return sorted(meeting.attendances, key=lambda a: order[a.user_id])


def save_minutes(item: AgendaItem, text: str, base_version: int, user_id: int) -> AgendaItem:
    """Save the minutes of one agenda item unless someone saved a newer text since base_version.

    The check and the write are one UPDATE, so two app processes cannot both win. Minutes of a
    closed meeting stay frozen: a correction is kept as an amendment with who and when.
    """
    if text == item.minutes:
        return item
    old_text = item.minutes
    result = db.session.execute(
        update(AgendaItem)
        .where(AgendaItem.id == item.id, AgendaItem.minutes_version == base_version)
        .values(minutes=text, minutes_version=AgendaItem.minutes_version + 1,
                minutes_updated_at=utcnow(), minutes_updated_by_id=user_id)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.refresh(item)
        raise VersionConflict(item)
    audit.record_object(item, UPDATE, old={"minutes": old_text}, new={"minutes": text})
    if item.meeting.is_closed:
        db.session.add(MinutesAmendment(agenda_item_id=item.id, user_id=user_id,
                                        old_text=old_text, new_text=text))
    db.session.flush()
    db.session.refresh(item)
    return item


DECISION_NUMBER_ATTEMPTS = 20


def add_decision(meeting: Meeting, text: str, agenda_item_id, user_id: int) -> Decision:
    """Record a resolution under the store's next number (1, 2, 3 … per store, no gaps).

    The number is worked out inside the INSERT, and a number taken meanwhile skips the row instead
    of failing: on SQLite the INSERT holds the write lock while it reads the highest number, so it
    never clashes; on PostgreSQL requests at the same moment can read the same number, and each
    round one of them gets it while the others try the next.
    """
    require_open(meeting)
    next_number = (select(func.coalesce(func.max(Decision.number), 0) + 1)
                   .where(Decision.store_id == meeting.store_id).scalar_subquery())
    for _attempt in range(DECISION_NUMBER_ATTEMPTS):
        decision = db.session.scalar(insert_unless_taken(Decision).values(
            store_id=meeting.store_id, meeting_id=meeting.id, agenda_item_id=agenda_item_id, number=next_number,
            text=text.strip(), created_by_id=user_id, created_at=utcnow(),
        ).returning(Decision))
        if decision is not None:
            audit.record_object(decision, CREATE, new=audit.columns(decision))
            return decision
    raise RuleViolation(_("Many decisions are being recorded at this moment; save this one again."))


def add_action_item(meeting: Meeting, user_id: int, **fields) -> ActionItem:
    require_open(meeting)
    return actions.create_action_item(store_id=meeting.store_id, meeting_id=meeting.id,
                                      created_by_id=user_id, **fields)


# --- the review of the last meeting's resolutions ---------------------------------------

def review_items_for(meeting: Meeting) -> list[tuple[ActionItem, ReviewEntry | None]]:
    """Every promise this meeting must look at, with the disposition it has been given so far.

    While the meeting is open: every action item of the store that is not yet closed (open, in
    progress, or done but not yet verified), except those raised in this meeting or a later one,
    plus whatever this meeting already disposed of. Once closed, the list is what it reviewed.
    """
    stmt, _source = review_stmt(meeting)
    return [(item, e) for item, e in db.session.execute(stmt).all()]


def review_stmt(meeting: Meeting):
    """The SELECT behind review_items_for, (ActionItem, ReviewEntry or None), and the alias of the
    meeting each item was raised in (outer-joined), for callers that add columns of their own."""
    entry = aliased(ReviewEntry)
    source = aliased(Meeting, name="review_source")
    stmt = (
        select(ActionItem, entry)
        .outerjoin(source, source.id == ActionItem.meeting_id)
        .outerjoin(entry, and_(entry.action_item_id == ActionItem.id, entry.meeting_id == meeting.id))
        .where(ActionItem.store_id == meeting.store_id)
        .order_by(ActionItem.deadline, ActionItem.id)
    )
    if meeting.is_closed:
        stmt = stmt.where(entry.id.is_not(None))
    else:
        earlier_source = or_(
            ActionItem.meeting_id.is_(None),
            source.meeting_date < meeting.meeting_date,
            and_(source.meeting_date == meeting.meeting_date, source.id < meeting.id),
        )
        still_open = and_(ActionItem.closed_at.is_(None), ActionItem.status != CANCELLED, earlier_source)
        stmt = stmt.where(or_(entry.id.is_not(None), still_open))
    return stmt, source


def allowed_dispositions(item: ActionItem, meeting: Meeting) -> list[str]:
    """What a review may decide for this item, given its state."""
    choices = []
    if item.status == DONE:
        choices.append(VERIFIED)
    if item.status in ACTIVE_STATUSES and item.deadline >= meeting.meeting_date:
        choices.append(ON_SCHEDULE)
    return choices + [EXTENDED, ESCALATED, DISPOSITION_CANCELLED]


def record_disposition(meeting: Meeting, item: ActionItem, user_id: int, disposition: str,
                       reason: str = "", new_deadline: date | None = None) -> ReviewEntry:
    """Settle one reviewed item. One disposition per item and meeting: when another request (a
    second tab, a double click) got there first, or the item changed since it was read, raises
    VersionConflict carrying the entry stored now (None if there is none)."""
    require_open(meeting)
    listed = {i.id: e for i, e in review_items_for(meeting)}
    if item.id not in listed:
        raise RuleViolation(_("This action item is not part of this meeting's review."))
    if listed[item.id] is not None:
        raise VersionConflict(listed[item.id])
    if disposition not in allowed_dispositions(item, meeting):
        raise RuleViolation(_("That disposition does not fit the item's current status."))
    reason = (reason or "").strip()
    if disposition in (EXTENDED, ESCALATED, DISPOSITION_CANCELLED) and not reason:
        raise RuleViolation(_("Give a reason for this disposition."))
    if disposition == EXTENDED and new_deadline is None:
        raise RuleViolation(_("Give the new deadline."))
    # The entry first: of requests at the same moment, one inserts it and the others get no row.
    entry = db.session.scalar(insert_unless_taken(ReviewEntry).values(
        meeting_id=meeting.id, action_item_id=item.id, disposition=disposition, reason=reason,
        new_deadline=new_deadline, status_at_review=item.status, deadline_at_review=item.deadline,
        decided_by_id=user_id, decided_at=utcnow(),
    ).returning(ReviewEntry))
    if entry is None:
        raise VersionConflict(settled_entry(meeting, item))
    audit.record_object(entry, CREATE, new=audit.columns(entry))
    if disposition == VERIFIED:
        actions.verify_done(item, user_id)
    elif disposition == EXTENDED:
        actions.extend(item, user_id, new_deadline, reason)
    elif disposition == ESCALATED:
        actions.escalate(item, user_id, reason)
    elif disposition == DISPOSITION_CANCELLED:
        actions.cancel(item, user_id, reason)
    try:
        db.session.flush()
    except StaleDataError as e:  # the item changed since it was read (its owner reported progress)
        raise VersionConflict(None) from e
    return entry


def settled_entry(meeting: Meeting, item: ActionItem) -> ReviewEntry | None:
    return db.session.scalar(select(ReviewEntry).where(
        ReviewEntry.meeting_id == meeting.id, ReviewEntry.action_item_id == item.id))


def close_meeting(meeting: Meeting, user_id: int) -> Meeting:
    require_open(meeting)
    missing = [item for item, entry in review_items_for(meeting) if entry is None]
    if missing:
        raise RuleViolation(ngettext(
            "%(num)d reviewed action item has no disposition yet; record one before closing.",
            "%(num)d reviewed action items have no disposition yet; record one for each before closing.",
            len(missing),
        ))
    # Topics the data proposed and nobody took up do not outlive the meeting.
    db.session.execute(update(AgendaProposal).where(
        AgendaProposal.meeting_id == meeting.id, AgendaProposal.kept.is_(None)).values(kept=False)
        .execution_options(synchronize_session=False))
    meeting.status = CLOSED
    meeting.closed_at = utcnow()
    meeting.closed_by_id = user_id
    db.session.flush()
    return meeting


def next_in_series(meeting: Meeting) -> Meeting | None:
    """The meeting of the same series that follows this one, if it was created already."""
    if meeting.series_id is None:
        return None
    return db.session.scalars(
        select(Meeting).where(
            Meeting.series_id == meeting.series_id,
            or_(Meeting.meeting_date > meeting.meeting_date,
                and_(Meeting.meeting_date == meeting.meeting_date, Meeting.id > meeting.id)),
        ).order_by(Meeting.meeting_date, Meeting.id).limit(1)
    ).first()


def previous_meeting(meeting: Meeting) -> Meeting | None:
    return db.session.scalars(
        select(Meeting).where(
            Meeting.store_id == meeting.store_id,
            or_(Meeting.meeting_date < meeting.meeting_date,
                and_(Meeting.meeting_date == meeting.meeting_date, Meeting.id < meeting.id)),
        ).order_by(Meeting.meeting_date.desc(), Meeting.id.desc()).limit(1)
    ).first()


def require_open(meeting: Meeting) -> None:
    if meeting.is_closed:
        raise RuleViolation(_("This meeting is closed; its record can no longer change."))
    if meeting.is_cancelled:
        raise RuleViolation(_("This meeting was cancelled; its record can no longer change."))


# --- lists ------------------------------------------------------------------------------

def meetings_stmt(store_id: int, today: date, upcoming: bool, query: str = ""):
    stmt = select(Meeting).where(Meeting.store_id == store_id)
    if query:
        stmt = stmt.where(Meeting.theme.icontains(query, autoescape=True))  # % and _ are plain text
    if upcoming:
        return stmt.where(Meeting.status == PLANNED, Meeting.meeting_date >= today).order_by(
            Meeting.meeting_date, Meeting.start_time)
    return stmt.where(or_(Meeting.status != PLANNED, Meeting.meeting_date < today)).order_by(
        Meeting.meeting_date.desc(), Meeting.id.desc())


def decisions_stmt(store_id: int, query: str = ""):
    stmt = select(Decision).join(Decision.meeting).where(Decision.store_id == store_id)
    if query:
        stmt = stmt.where(or_(Decision.text.icontains(query, autoescape=True),
                              Meeting.theme.icontains(query, autoescape=True)))
    return stmt.options(contains_eager(Decision.meeting)).order_by(Decision.number.desc())
