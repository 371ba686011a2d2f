"""Rules for action items: creating, reporting progress, and what a review does to them."""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, select
from sqlalchemy.orm import selectinload

from ..common import RuleViolation, check_version
from ..extensions import db
from ..timeutils import utcnow
from . import notices
from .models import (
    ACTIVE_STATUSES,
    CANCELLED,
    DONE,
    IN_PROGRESS,
    OPEN,
    OWNER_STATUSES,
    ActionItem,
    ActionItemUpdate,
)


def _log(item: ActionItem, author_id: int, event: str, note: str = "", old=None, new=None) -> None:
    # By id, not through item.history: loading that collection would flush (and version) the item twice.
    db.session.add(ActionItemUpdate(action_item_id=item.id, author_id=author_id, event=event, note=note,
                                    old_status=old, new_status=new))


def create_action_item(*, store_id, title, owner_id, deadline, created_by_id, description="",
                       priority="normal", meeting_id=None, agenda_item_id=None) -> ActionItem:
    item = ActionItem(
        store_id=store_id, title=title.strip(), description=(description or "").strip(),
        owner_id=owner_id, deadline=deadline, original_deadline=deadline, priority=priority,
        meeting_id=meeting_id, agenda_item_id=agenda_item_id, created_by_id=created_by_id,
        status=OPEN,
    )
    db.session.add(item)
    db.session.flush()
    _log(item, created_by_id, "created", new=OPEN)
    db.session.flush()
    notices.assigned(item, created_by_id)
    return item


def report_progress(item: ActionItem, author_id: int, status: str, note: str,
                    base_version: int | None, allowed=OWNER_STATUSES) -> ActionItem:
    """The owner (or manager) moves the status on and/or adds a progress note.

    A note on an item still open means work has begun: it moves to in progress, so the status
    never says "not started" beside a note that says half is done."""
    check_version(item, base_version)
    if item.closed_at is not None:
        raise RuleViolation(_("This item was closed in a meeting review and can no longer change."))
    if status not in allowed:
        raise RuleViolation(_("Choose one of the offered statuses."))
    note = (note or "").strip()
    if note and status == OPEN == item.status:
        status = IN_PROGRESS
    if status == item.status and not note:
        raise RuleViolation(_("Change the status or write a progress note."))
    old = item.status
    if status != old:
        item.status = status
        item.done_at = utcnow() if status == DONE else None
    if note:
        item.progress_note = note
    if status != old:
        _log(item, author_id, "status", note, old=old, new=status)
    else:
        _log(item, author_id, "note", note)
    item.updated_at = utcnow()
    db.session.flush()
    return item


def edit_action_item(item: ActionItem, author_id: int, base_version: int | None, **fields) -> ActionItem:
    """The manager corrects title, description, owner, priority or deadline."""
    check_version(item, base_version)
    changed = [name for name, value in fields.items() if getattr(item, name) != value]
    old_owner_id = item.owner_id
    note = ""
    if "deadline" in changed:
        note = f"{item.deadline.isoformat()} → {fields['deadline'].isoformat()}"
    for name in changed:
        setattr(item, name, fields[name])
    if changed:
        _log(item, author_id, "edited", note)
        item.updated_at = utcnow()
    db.session.flush()
    notices.changed(item, author_id, changed, old_owner_id)
    return item


# --- what a meeting review does to an item ---------------------------------------------

def verify_done(item: ActionItem, author_id: int) -> None:
    if item.status != DONE:
        raise RuleViolation(_("Only an item marked done can be verified as done."))
    item.closed_at = utcnow()
    _log(item, author_id, "verified")


def extend(item: ActionItem, author_id: int, new_deadline: date, reason: str) -> None:
    """A new deadline; the original one is kept and the extensions are counted."""
    if new_deadline <= item.deadline:
        raise RuleViolation(_("The new deadline must be later than the current one."))
    old_deadline = item.deadline
    item.deadline = new_deadline
    item.extension_count += 1
    if item.status == DONE:  # done but not accepted: back to work
        item.status, item.done_at = IN_PROGRESS, None
    _log(item, author_id, "extended", f"{old_deadline.isoformat()} → {new_deadline.isoformat()}: {reason}")
    notices.extended(item, author_id, old_deadline, reason)



def escalate(item: ActionItem, author_id: int, reason: str) -> None:
    item.escalated = True
    _log(item, author_id, "escalated", reason)
    notices.escalated(item, author_id, reason)


def cancel(item: ActionItem, author_id: int, reason: str) -> None:
    old = item.status
    item.status = CANCELLED
    item.closed_at = utcnow()
    _log(item, author_id, "cancelled", reason, old=old, new=CANCELLED)


def undo_review(item: ActionItem, author_id: int, disposition: str, status_at_review: str,
                deadline_at_review: date, escalated_before: bool) -> None:
    """Take back what a review disposition did (reopened before its meeting closes)."""
    if disposition == "verified":
        item.closed_at = None
    elif disposition == "extended":
        item.deadline = deadline_at_review
        item.extension_count = max(item.extension_count - 1, 0)
        item.status = status_at_review
    elif disposition == "escalated":
        item.escalated = escalated_before
    elif disposition == "cancelled":
        item.status, item.closed_at = status_at_review, None
    _log(item, author_id, "reopened", old=None, new=None)


# --- lists ------------------------------------------------------------------------------

def latest_extensions(item_ids) -> dict:
    """The latest extension of each item: who decided it, when, why and the new deadline, from the
    meeting reviews (read from the table: meetings sit above actions, README "Layout")."""
    entry, user = db.metadata.tables["review_entry"], db.metadata.tables["user"]
    rows = db.session.execute(
        select(entry.c.action_item_id, entry.c.reason, entry.c.new_deadline, entry.c.deadline_at_review,
               entry.c.decided_at, user.c.display_name.label("decided_by"))
        .join(user, user.c.id == entry.c.decided_by_id)
        .where(entry.c.action_item_id.in_(list(item_ids)), entry.c.disposition == "extended")
        .order_by(entry.c.decided_at, entry.c.id)
    ).all()
    return {row.action_item_id: row for row in rows}  # the later one wins


def unclosed_items(owner_id: int) -> list[ActionItem]:
    """The person's items not yet closed (done but unverified included), earliest deadline first."""
    return db.session.scalars(select(ActionItem).where(
        ActionItem.owner_id == owner_id, ActionItem.closed_at.is_(None)).order_by(ActionItem.deadline)).all()


def my_items_stmt(user_id: int) -> Select:
    """The user's items: unfinished first (earliest deadline first), then the finished ones."""
    active_first = case((ActionItem.status.in_(ACTIVE_STATUSES), 0), else_=1)
    return (
        select(ActionItem)
        .options(selectinload(ActionItem.meeting))
        .where(ActionItem.owner_id == user_id)
        .order_by(active_first, ActionItem.deadline, ActionItem.id)
    )


def open_count_stmt(user_id: int) -> Select:
    """The user's unfinished items: the count beside "My action items"."""
    return (select(func.count()).select_from(ActionItem)
            .where(ActionItem.owner_id == user_id, ActionItem.status.in_(ACTIVE_STATUSES)))


def open_count(user_id: int) -> int:
    return db.session.scalar(open_count_stmt(user_id))


EXTENDED_TIMES = 2  # "extended twice": the board's ?extended=1 filter and the group overview


def board_stmt(store_id: int, today: date, owner_id=None, status=None, overdue=False,
               meeting_id=None, extended=False) -> Select:
    stmt = select(ActionItem).where(ActionItem.store_id == store_id)
    if owner_id:
        stmt = stmt.where(ActionItem.owner_id == owner_id)
    if status:
        stmt = stmt.where(ActionItem.status == status)
    if overdue:
        stmt = stmt.where(ActionItem.status.in_(ACTIVE_STATUSES), ActionItem.deadline < today)
    if meeting_id:
        stmt = stmt.where(ActionItem.meeting_id == meeting_id)
    if extended:  # open items whose deadline was moved twice or more
        stmt = stmt.where(ActionItem.status.in_(ACTIVE_STATUSES), ActionItem.extension_count >= EXTENDED_TIMES)
    active_first = case((ActionItem.status.in_(ACTIVE_STATUSES), 0), else_=1)
    return stmt.order_by(active_first, ActionItem.deadline, ActionItem.id)


def board_ids_stmt(store_id: int, today: date, **filters) -> Select:
    """board_stmt's item ids, in its order. A page of the board is read as ids first, then those items
    (items_in_order): sorted as whole rows, with the owner and store joined to each, a store's thousands
    of items took some 15 ms to sort on SQLite; their ids sort from an index."""
    return board_stmt(store_id, today, **filters).with_only_columns(ActionItem.id)


def items_in_order(ids) -> list[ActionItem]:
    """The items of these ids, in the order of the ids: one query."""
    ids = list(ids)
    found = {i.id: i for i in db.session.scalars(select(ActionItem).where(ActionItem.id.in_(ids)))}
    return [found[i] for i in ids if i in found]


def board_meetings(store_id: int, limit: int = 50):
    """The store's latest meetings (id, theme, date), for the board's filter. Read from the table:
    meetings sit above actions in the layering (README, "Layout"), so actions import nothing of them."""
    meeting = db.metadata.tables["meeting"]
    return db.session.execute(
        select(meeting.c.id, meeting.c.theme, meeting.c.meeting_date).where(meeting.c.store_id == store_id)
        .order_by(meeting.c.meeting_date.desc()).limit(limit)
    ).all()


def board_counts(store_id: int, today: date) -> dict[str, int]:
    """Items per status, plus the overdue ones, in one query."""
    overdue = case((ActionItem.status.in_(ACTIVE_STATUSES) & (ActionItem.deadline < today), 1), else_=0)
    rows = db.session.execute(
        select(ActionItem.status, func.count(), func.sum(overdue))
        .where(ActionItem.store_id == store_id)
        .group_by(ActionItem.status)
    ).all()
    counts = {status: n for status, n, _ in rows}
    counts["overdue"] = sum(int(o or 0) for _, _, o in rows)
    counts["all"] = sum(n for _, n, _ in rows)
    return counts
