"""Rules of the typical-case archive: proposing, publishing, meetings, improvements, search.

Search (app/textsearch.py): each word typed must occur in the case's normalised text (a substring,
so 异响 or 漏油 is found inside a sentence). Relevance, when chosen: cases whose title holds every
word come first, then the others; within each, the newest first (by the case's date, then id).
"""
from dataclasses import dataclass
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import Select, and_, case, or_, select

from ..actions.services import create_action_item
from ..common import RuleViolation, check_version
from ..extensions import db
from ..meetings.models import PLANNED, SHARING, THEME, Meeting
from ..problems.models import CLOSED as PROBLEM_CLOSED
from ..problems.models import Problem
from ..textsearch import contains, normalise, words
from ..timeutils import utcnow
from .models import PROPOSED, PUBLISHED, TAGS_MAX, CaseImprovement, CaseMeeting, TypicalCase

FIELDS = ("title", "customer_problem", "plate", "vin", "vehicle_model", "mileage", "repair_order", "advisor_id",
          "technician_id", "case_date", "what_happened", "handling", "satisfaction", "example", "lessons", "tags",
          "category", "training")
MAX_TAGS = 10


def clean_tags(text: str) -> str:
    """"异响, 底盘，Noise" → ",异响,底盘,noise,": split at commas (either width) and 、, normalised,
    without repeats, at most MAX_TAGS, within the column."""
    raw = normalise((text or "").replace("，", ",").replace("、", ",")).split(",")
    tags = []
    for tag in (t.strip() for t in raw):
        if tag and tag not in tags:
            tags.append(tag[:30])
    tags = tags[:MAX_TAGS]
    joined = ",".join(tags)[:TAGS_MAX]
    return f",{joined}," if joined else ""


def _index(c: TypicalCase) -> None:
    c.search_title = normalise(c.title)
    c.search_text = normalise(c.title, c.customer_problem, c.plate, c.vin, c.vehicle_model, c.repair_order,
                              c.what_happened, c.handling, c.lessons, c.tags.replace(",", " "))


def _apply(c: TypicalCase, fields: dict) -> None:
    for name in FIELDS:
        if name in fields:
            value = fields[name]
            if isinstance(value, str):
                value = value.strip()
            setattr(c, name, value)
    c.plate, c.vin = (c.plate or "").upper(), (c.vin or "").upper()
    c.tags = clean_tags(fields.get("tags", c.tags))
    _index(c)


def propose(*, store_id: int, created_by_id: int, problem_id: int | None = None, **fields) -> TypicalCase:
    c = TypicalCase(store_id=store_id, created_by_id=created_by_id, status=PROPOSED, problem_id=problem_id)
    _apply(c, fields)
    db.session.add(c)
    db.session.flush()
    return c


def update(c: TypicalCase, base_version: int | None, **fields) -> TypicalCase:
    check_version(c, base_version)
    _apply(c, fields)
    c.updated_at = utcnow()
    db.session.flush()
    return c


def publish(c: TypicalCase, user_id: int, base_version: int | None) -> TypicalCase:
    check_version(c, base_version)
    if c.is_published:
        raise RuleViolation(_("This case is already in the archive."))
    c.status, c.published_at, c.published_by_id = PUBLISHED, utcnow(), user_id
    db.session.flush()
    return c


def unpublish(c: TypicalCase, base_version: int | None) -> TypicalCase:
    check_version(c, base_version)
    if not c.is_published:
        raise RuleViolation(_("This case is not in the archive."))
    c.status, c.published_at, c.published_by_id = PROPOSED, None, None
    db.session.flush()
    return c


def facts_from_problem(problem: Problem) -> dict:
    """A case made from a closed problem starts with its facts."""
    if problem.status != PROBLEM_CLOSED:
        raise RuleViolation(_("A case is made from a closed problem: close it with its effectiveness check first."))
    handling = [m.kind_label + "：" + m.action_item.title for m in problem.measures]
    lessons = problem.cause_analysis
    if problem.cause:
        lessons = f"{problem.cause_label} · {problem.cause_origin_label}\n{lessons}".strip()
    return dict(title=problem.title, customer_problem=problem.description, plate=problem.plate, vin=problem.vin,
                vehicle_model=problem.vehicle_model, repair_order=problem.return_ro or problem.original_ro,
                technician_id=problem.technician_id, what_happened=problem.description,
                handling="\n".join(handling), lessons=lessons,
                category=problem.type if problem.type in ("technical", "process", "parts") else
                ("communication" if problem.type == "customer" else "other"),
                example="bad", satisfaction="dissatisfied" if problem.is_comeback else "neutral",
                tags=problem.kind_label)


def cases_of_problem(problem) -> list[TypicalCase]:
    return db.session.scalars(select(TypicalCase).where(TypicalCase.problem_id == problem.id)).all()


# --- meetings and improvements -------------------------------------------------------------

def agenda_target(meeting: Meeting, where: str = THEME):
    """The agenda item a case goes into: the one asked for (theme discussion or experience sharing),
    else the other one."""
    other = SHARING if where == THEME else THEME
    return meeting.agenda_item(where) or meeting.agenda_item(other)


def take_onto_agenda(c: TypicalCase, meeting: Meeting, user_id: int, where: str = THEME) -> CaseMeeting:
    if meeting.store_id != c.store_id:
        raise RuleViolation(_("Choose a meeting of the case's store."))
    if meeting.is_closed:
        raise RuleViolation(_("This meeting is closed; take the case onto the next one."))
    if db.session.scalar(select(CaseMeeting.id).where(CaseMeeting.case_id == c.id,
                                                      CaseMeeting.meeting_id == meeting.id)):
        raise RuleViolation(_("This case is already on that meeting's agenda."))
    item = agenda_target(meeting, where)
    link = CaseMeeting(case_id=c.id, meeting_id=meeting.id, agenda_item_id=item.id if item else None,
                       added_by_id=user_id)
    db.session.add(link)
    db.session.flush()
    return link


def meetings_of(c: TypicalCase) -> list[CaseMeeting]:
    return db.session.scalars(select(CaseMeeting).where(CaseMeeting.case_id == c.id).join(Meeting)
                              .order_by(Meeting.meeting_date)).all()


def upcoming_meetings(store_id: int, today: date, limit: int = 5) -> list[Meeting]:
    return db.session.scalars(select(Meeting).where(Meeting.store_id == store_id, Meeting.status == PLANNED,
                                                    Meeting.meeting_date >= today)
                              .order_by(Meeting.meeting_date, Meeting.start_time).limit(limit)).all()


def cases_for_meeting(meeting) -> dict:
    """What the meeting page and minutes show of cases (app/meetings/extras.py)."""
    links = db.session.scalars(select(CaseMeeting).where(CaseMeeting.meeting_id == meeting.id)
                               .order_by(CaseMeeting.id)).all()
    candidates = []
    if not meeting.is_closed:
        on = select(CaseMeeting.case_id).where(CaseMeeting.meeting_id == meeting.id)
        candidates = db.session.scalars(select(TypicalCase).where(
            TypicalCase.store_id == meeting.store_id, TypicalCase.status == PUBLISHED, TypicalCase.id.not_in(on))
            .order_by(TypicalCase.case_date.desc(), TypicalCase.id.desc()).limit(50)).all()
    improvements = db.session.execute(select(CaseImprovement, TypicalCase.title).join(TypicalCase).where(
        CaseImprovement.case_id.in_([link.case_id for link in links]))).all() if links else []
    return {"links": links, "candidates": candidates, "improvements": improvements,
            "items": {THEME: meeting.agenda_item(THEME), SHARING: meeting.agenda_item(SHARING)}}


def add_improvement(c: TypicalCase, user_id: int, *, title: str, owner_id: int, deadline: date,
                    meeting_id: int | None = None) -> CaseImprovement:
    item = create_action_item(store_id=c.store_id, title=title, owner_id=owner_id, deadline=deadline,
                              created_by_id=user_id, meeting_id=meeting_id)
    improvement = CaseImprovement(case_id=c.id, action_item_id=item.id)
    db.session.add(improvement)
    db.session.flush()
    return improvement


# --- the archive --------------------------------------------------------------------------

@dataclass
class Filters:
    q: str = ""
    tag: str = ""
    category: str = ""
    person_id: int | None = None
    vehicle: str = ""
    date_from: date | None = None
    date_to: date | None = None
    satisfaction: str = ""
    example: str = ""
    training: bool = False
    status: str = PUBLISHED  # "proposed": the manager's queue; "mine": the user's own proposals
    sort: str = "newest"  # or "relevance"


def archive_stmt(store_id: int, f: Filters, user_id: int | None = None) -> Select:
    stmt = select(TypicalCase).where(TypicalCase.store_id == store_id)
    if f.status == "mine":
        stmt = stmt.where(TypicalCase.created_by_id == user_id, TypicalCase.status == PROPOSED)
    else:
        stmt = stmt.where(TypicalCase.status == (PROPOSED if f.status == PROPOSED else PUBLISHED))
    if f.tag:
        tag = normalise(f.tag).replace(",", "")
        if tag:
            stmt = stmt.where(contains(TypicalCase.tags, f",{tag},"))
    for column, value in ((TypicalCase.category, f.category), (TypicalCase.satisfaction, f.satisfaction),
                          (TypicalCase.example, f.example)):
        if value:
            stmt = stmt.where(column == value)
    if f.training:
        stmt = stmt.where(TypicalCase.training.is_(True))
    if f.person_id:
        stmt = stmt.where(or_(TypicalCase.advisor_id == f.person_id, TypicalCase.technician_id == f.person_id,
                              TypicalCase.created_by_id == f.person_id))
    if f.vehicle:
        vehicle = normalise(f.vehicle)
        stmt = stmt.where(or_(contains(TypicalCase.plate, vehicle.upper()), contains(TypicalCase.vin, vehicle.upper()),
                              contains(TypicalCase.search_text, vehicle)))
    if f.date_from:
        stmt = stmt.where(TypicalCase.case_date >= f.date_from)
    if f.date_to:
        stmt = stmt.where(TypicalCase.case_date <= f.date_to)
    typed = words(f.q)
    for word in typed:
        stmt = stmt.where(contains(TypicalCase.search_text, word))
    newest = (TypicalCase.case_date.desc(), TypicalCase.id.desc())
    if f.sort == "relevance" and typed:
        in_title = case((_all(TypicalCase.search_title, typed), 0), else_=1)
        return stmt.order_by(in_title, *newest)
    return stmt.order_by(*newest)


def _all(column, typed):
    return and_(*(contains(column, word) for word in typed))


def popular_tags(store_id: int, limit: int = 20) -> list[str]:
    """The archive's tags, most used first (counted in Python: a few hundred cases at most)."""
    counts: dict[str, int] = {}
    for tags in db.session.scalars(select(TypicalCase.tags).where(TypicalCase.store_id == store_id,
                                                                   TypicalCase.status == PUBLISHED)):
        for tag in filter(None, tags.split(",")):
            counts[tag] = counts.get(tag, 0) + 1
    return sorted(counts, key=lambda t: (-counts[t], t))[:limit]
