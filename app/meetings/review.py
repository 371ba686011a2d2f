"""The review at a real store's size: every row with where it came from, grouped by origin, settled
one tap at a time, the rows not yet due in one step, and reopened until the meeting closes."""
from dataclasses import dataclass
from datetime import date

from flask_babel import get_locale, ngettext
from flask_babel import lazy_gettext as _l
from sqlalchemy import column, func, select, table

from ..actions import services as actions
from ..actions.models import ACTIVE_STATUSES, ActionItem
from ..audit import services as audit
from ..audit.models import CREATE
from ..auth.models import User
from ..common import VersionConflict
from ..database import insert_unless_taken
from ..extensions import db
from ..goals.models import Goal, PlanStep
from ..kpis.models import Kpi
from ..timeutils import utcnow
from . import services
from .models import (
    CANCELLED,
    ESCALATED,
    EXTENDED,
    ON_SCHEDULE,
    VERIFIED,
    Meeting,
    ReviewEntry,
)

SERIES, GOAL, COACHING, OTHER = "series", "goal", "coaching", "other"
ORIGINS = {
    SERIES: _l("From this series' meetings"),
    GOAL: _l("From PDCA goals (plan steps)"),
    COACHING: _l("From coaching talks (measures)"),
    OTHER: _l("Other action items"),
}
# What each choice asks for besides the tap (DispositionForm checks them).
NEEDS_DETAILS = {EXTENDED: ("new_deadline", "reason"), ESCALATED: ("reason",), CANCELLED: ("reason",)}

# The one-tap buttons: short words; those that need a date or reason end in "…".
CHOICE_LABELS = {
    VERIFIED: _l("Verified done"),
    ON_SCHEDULE: _l("On schedule"),
    EXTENDED: _l("Extend…"),
    ESCALATED: _l("Escalate…"),
    CANCELLED: _l("Cancel…"),
}

# Coaching sits above meetings (imports run one way), so its two tables are named here as plain
# columns: the review only needs which talk a measure belongs to and who was coached.
_measure = table("coaching_measure", column("action_item_id"), column("session_id"))
_session = table("coaching_session", column("id"), column("person_id"))


@dataclass
class ReviewRow:
    item: ActionItem
    entry: ReviewEntry | None
    origin: str
    source_id: int | None = None  # the meeting, goal or coaching talk it came from
    source_label: str = ""
    source_date: date | None = None

    @property
    def settled(self) -> bool:
        return self.entry is not None

    def not_yet_due(self, meeting: Meeting) -> bool:
        return self.item.status in ACTIVE_STATUSES and self.item.deadline >= meeting.meeting_date


def review_rows(meeting: Meeting) -> list[ReviewRow]:
    """The review's rows with their origins, in three statements however many there are: the rows,
    then the goals and the coaching talks their items came from, looked up by the items' ids (an
    outer join to those tables made SQLite scan both on every request)."""
    stmt, source = services.review_stmt(meeting)
    stmt = stmt.add_columns(source.id, source.series_id, source.theme, source.meeting_date)
    found = db.session.execute(stmt).all()
    ids = [row[0].id for row in found]
    person = User.__table__.alias("coached_person")
    kpi_name = Kpi.name_zh if (get_locale() and get_locale().language == "zh") else Kpi.name_en
    goals = {item_id: (goal_id, title) for item_id, goal_id, title in db.session.execute(
        select(PlanStep.action_item_id, Goal.id, func.coalesce(func.nullif(Goal.title, ""), kpi_name))
        .join(Goal, Goal.id == PlanStep.goal_id).join(Kpi, Kpi.id == Goal.kpi_id)
        .where(PlanStep.action_item_id.in_(ids)).order_by(PlanStep.id))}
    talks = {item_id: (session_id, name) for item_id, session_id, name in db.session.execute(
        select(_measure.c.action_item_id, _session.c.id, person.c.display_name)
        .join(_session, _session.c.id == _measure.c.session_id)
        .join(person, person.c.id == _session.c.person_id)
        .where(_measure.c.action_item_id.in_(ids)))}
    rows = []
    for item, entry, m_id, m_series, m_theme, m_date in found:
        goal_id, goal_title = goals.get(item.id, (None, None))
        session_id, person_name = talks.get(item.id, (None, None))
        if m_id is not None and (meeting.series_id is None or m_series == meeting.series_id):
            rows.append(ReviewRow(item, entry, SERIES, m_id, m_theme, m_date))
        elif goal_id is not None:
            rows.append(ReviewRow(item, entry, GOAL, goal_id, goal_title))
        elif session_id is not None:
            rows.append(ReviewRow(item, entry, COACHING, session_id, person_name))
        elif m_id is not None:
            rows.append(ReviewRow(item, entry, OTHER, m_id, m_theme, m_date))
        else:
            rows.append(ReviewRow(item, entry, OTHER))
    return rows


def grouped(rows: list[ReviewRow], meeting: Meeting) -> list[tuple[str, str, list[ReviewRow]]]:
    """(origin, heading, rows) for each origin that has rows, in the order of ORIGINS."""
    labels = dict(ORIGINS, **({} if meeting.series_id else {SERIES: _l("From earlier meetings")}))
    return [(key, str(labels[key]), [r for r in rows if r.origin == key])
            for key in ORIGINS if any(r.origin == key for r in rows)]


def unsettled(rows: list[ReviewRow]) -> list[ReviewRow]:
    return [r for r in rows if not r.settled]


def not_yet_due(rows: list[ReviewRow], meeting: Meeting) -> list[ReviewRow]:
    """The unsettled rows "all not yet due: on schedule" settles."""
    return [r for r in unsettled(rows) if r.not_yet_due(meeting)]


@dataclass(frozen=True)
class ReviewCount:
    """What the close bar says of the review; plain data, kept beside the rendered review."""
    total: int
    left: int
    first_left_id: int | None = None  # the row the bar's count links to
    left_titles: tuple[str, ...] = ()  # the first rows left, for a refusal to name them


LEFT_NAMED = 5  # a refusal to close names this many of the rows left


def count(rows: list[ReviewRow]) -> ReviewCount:
    left = unsettled(rows)
    return ReviewCount(len(rows), len(left), left[0].item.id if left else None,
                       tuple(r.item.title for r in left[:LEFT_NAMED]))


def left_message(review: ReviewCount) -> str:
    """What keeps the meeting from closing, naming the first rows left."""
    titles = "、".join(review.left_titles) + ("…" if review.left > LEFT_NAMED else "")
    return ngettext("%(num)d row still needs a disposition: %(titles)s",
                    "%(num)d rows still need a disposition: %(titles)s", review.left, titles=titles)


def settle_not_yet_due(meeting: Meeting, user_id: int) -> int:
    """"All not yet due: on schedule" in one step; returns how many rows it settled."""
    services.require_open(meeting)
    settled = 0
    for row in not_yet_due(review_rows(meeting), meeting):
        entry = db.session.scalar(insert_unless_taken(ReviewEntry).values(
            meeting_id=meeting.id, action_item_id=row.item.id, disposition=ON_SCHEDULE, reason="",
            status_at_review=row.item.status, deadline_at_review=row.item.deadline,
            decided_by_id=user_id, decided_at=utcnow(),
        ).returning(ReviewEntry))
        if entry is not None:  # else another tab settled it meanwhile: that one stands
            # In the trail like a single disposition; it also renews the store's stamp, so the
            # meeting page kept from before (page_parts) is rendered again.
            audit.record_object(entry, CREATE, new=audit.columns(entry))
            settled += 1
    return settled


def reopen(meeting: Meeting, item: ActionItem, user_id: int) -> None:
    """Undo this meeting's disposition of the item, and what it did to the item; only while the
    meeting is open."""
    services.require_open(meeting)
    entry = services.settled_entry(meeting, item)
    if entry is None:
        raise VersionConflict(None)
    escalated_before = db.session.scalar(select(func.count()).select_from(ReviewEntry).where(
        ReviewEntry.action_item_id == item.id, ReviewEntry.disposition == ESCALATED,
        ReviewEntry.meeting_id != meeting.id)) > 0
    actions.undo_review(item, user_id, entry.disposition, entry.status_at_review, entry.deadline_at_review,
                        escalated_before)
    db.session.delete(entry)
    db.session.flush()

