"""What the trail page shows of a stored entry: field names people read, ids as the names of what
they point to, values in the user's locale. The entries keep raw columns (they must outlive renamed
labels); this turns them into words when the page is drawn.

Features name their coded values (an action item's status, a goal's stage) with `register_values`
from their models module, so this package needs none of them.
"""
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, datetime, time
from functools import cache

from flask_babel import get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Date, DateTime, Float, Time, select
from sqlalchemy.orm import configure_mappers

from ..auth.models import POSITIONS, ROLES
from ..extensions import db
from ..formatting import fdate, fdatetime, flist, fnumber, ftime
from .labels import OBJECT_TYPES
from .services import MASK

FIELDS = {
    "acknowledged_at": _l("Acknowledged"), "action_item_id": _l("Action item"), "active": _l("Active"),
    "actual": _l("Actual"), "agenda_item_id": _l("Agenda item"), "agenda_kind": _l("Agenda section"),
    "aggregation": _l("Aggregation"), "agreed": _l("Agreed"), "analysis": _l("Analysis"), "at": _l("Time"),
    "attainment": _l("Attainment"), "author_id": _l("Author"), "band_high": _l("Upper band"),
    "band_low": _l("Lower band"), "baseline": _l("Baseline"), "builtin": _l("Built in"), "cause": _l("Cause"),
    "chair_id": _l("Chair"), "checked_on": _l("Checked on"), "closed_at": _l("Closed"),
    "closed_by_id": _l("Closed by"), "code": _l("Code"), "created_at": _l("Created"),
    "created_by_id": _l("Created by"), "deadline": _l("Deadline"), "deadline_at_review": _l("Deadline at the review"),
    "decided_at": _l("Decided"), "decided_by_id": _l("Decided by"), "default_target": _l("Default target"),
    "definition_en": _l("Definition (English)"), "definition_zh": _l("Definition (Chinese)"),
    "description": _l("Description"), "deviation": _l("Deviation"), "deviation_source": _l("Source of the deviation"),
    "direction": _l("Better when"), "display_name": _l("Full name"), "disposition": _l("Disposition"),
    "done_at": _l("Done"), "due": _l("Due"), "duration_minutes": _l("Minutes allotted"), "duty": _l("Duty"),
    "email": _l("Email"), "escalated": _l("Escalated"), "event": _l("Event"),
    "extension_count": _l("Extensions"), "extra_stores": _l("Other stores overseen"),
    "follow_up_conclusion": _l("Follow-up conclusion"), "follow_up_on": _l("Follow-up date"),
    "followed_up_at": _l("Followed up"), "gap_from": _l("Gap from"), "gap_remarks": _l("Remarks on the gap"),
    "deactivated_at": _l("Deactivated at"), "gap_to": _l("Gap to"), "goal_id": _l("Goal"),
    "goals": _l("Goals discussed"), "held_on": _l("Held on"),
    "interval_days": _l("Every (days)"), "kept": _l("Kept"), "kind": _l("Kind"), "kpi_id": _l("KPI"),
    "kpis": _l("KPIs"), "manager_id": _l("Manager"), "meeting_date": _l("Date"), "meeting_id": _l("Meeting"),
    "meetings": _l("Meetings"), "met": _l("Met"), "minute_taker_id": _l("Minute taker"), "minutes": _l("Minutes"),
    "minutes_updated_at": _l("Minutes saved"), "minutes_updated_by_id": _l("Minutes saved by"),
    "minutes_version": _l("Minutes version"), "monitoring": _l("Monitoring"), "month": _l("Month"),
    "must_change_password": _l("Must change password"), "name": _l("Name"), "name_en": _l("Name (English)"),
    "name_zh": _l("Name (Chinese)"), "new_deadline": _l("New deadline"), "new_status": _l("New status"),
    "new_text": _l("New text"), "next_goal_id": _l("Next goal"), "note": _l("Note"), "number": _l("Number"),
    "objective": _l("Purpose"), "old_status": _l("Previous status"), "old_text": _l("Previous text"),
    "original_deadline": _l("Original deadline"), "owner_id": _l("Owner"), "parent_id": _l("Parent goal"),
    "password_hash": _l("Password"), "password_expires_at": _l("Temporary password valid until"),
    "period_end": _l("Period end"), "period_kind": _l("Period"), "period_start": _l("Period start"),
    "person_id": _l("Person"), "phone": _l("Phone"), "place": _l("Place"), "plan_notes": _l("Plan"),
    "plan_step_id": _l("Plan step"), "position": _l("Position"), "positions": _l("Positions"),
    "prefix": _l("Token prefix"), "previous_id": _l("Previous goal"), "priority": _l("Priority"),
    "progress_note": _l("Progress note"), "purpose": _l("Purpose"), "questions": _l("Questions"),
    "reason": _l("Reason"), "recognition": _l("Recognition"), "remark": _l("Remark"), "review_id": _l("Assessment"),
    "reviewed_on": _l("Assessed on"), "reviewer_id": _l("Assessed by"), "revoked_at": _l("Revoked"),
    "role": _l("Role"), "scope": _l("Scope"), "series_id": _l("Series"), "session_id": _l("Coaching talk"),
    "source": _l("Source"), "stage": _l("Stage"), "standard": _l("Standard"), "start_time": _l("Start time"),
    "status": _l("Status"), "status_at_review": _l("Status at the review"), "steps_done": _l("Steps done"),
    "store_id": _l("Store"), "subject_key": _l("Subject"), "support": _l("Support"), "target": _l("Target"),
    "text": _l("Text"), "theme": _l("Theme"), "title": _l("Title"), "token_hash": _l("Token"), "unit": _l("Unit"),
    "updated_by_id": _l("Changed by"), "user_id": _l("Person"), "username": _l("Username"), "value": _l("Value"),
    "verbal_confirmation": _l("Confirmed aloud"), "verdict": _l("Verdict"), "weekday": _l("Weekday"),
    "what": _l("What"), "who_id": _l("Who"),
}

# Coded values by field (any table) or by (table, field); filled by the features' models.
_VALUES: dict = {"role": ROLES, "position": POSITIONS}
# The column that names a row of a table, in order of preference.
_NAMING = ("display_name", "title", "theme", "name", "text", "code")


def register_values(field: str, labels: Mapping, table: str | None = None) -> None:
    """Show a coded value of `field` (of `table`, or of any table) by its label."""
    _VALUES[(table, field) if table else field] = labels


class Reader:
    """Reads the entries of one page: every id they name is looked up by one query per table."""

    def __init__(self, entries: Iterable):
        wanted = defaultdict(set)
        for entry in entries:
            if entry.object_type and entry.object_id is not None:
                wanted[entry.object_type].add(entry.object_id)
            if entry.subject_type and entry.subject_id is not None:
                wanted[entry.subject_type].add(entry.subject_id)
            for values in (entry.old_values, entry.new_values):
                for key, value in (values or {}).items():
                    if (target := _target(entry.object_type, key)) is not None:
                        ids = value if isinstance(value, list) else [value]
                        wanted[target].update(i for i in ids if isinstance(i, int))
        self.names = {}
        for table, ids in wanted.items():
            self.names.update({(table, i): name for i, name in _names(table, ids)})

    @staticmethod
    def keys(entry) -> list[str]:
        """The fields an entry names, new values' order first; the row's own id says nothing."""
        new, old = entry.new_values or {}, entry.old_values or {}
        return [k for k in (*new, *(k for k in old if k not in new)) if k != "id"]

    def field(self, table: str | None, key: str) -> str:
        return str(FIELDS.get(key, key.replace("_", " ")))

    def record(self, table: str | None, row_id: int | None) -> str:
        kind = str(OBJECT_TYPES.get(table, table or ""))
        name = self.names.get((table, row_id))
        return _("%(kind)s “%(name)s”", kind=kind, name=name) if name else f"{kind} #{row_id}"

    def value(self, table: str | None, key: str, raw) -> str:
        if raw is None or raw == "":
            return "—"
        if raw == MASK and key in ("password_hash", "token_hash"):
            return _("changed")
        if (target := _target(table, key)) is not None:
            ids = raw if isinstance(raw, list) else [raw]
            return flist(self._name(target, i) for i in ids) if ids else "—"
        if isinstance(raw, bool):
            return _("Yes") if raw else _("No")
        labels = _VALUES.get((table, key)) or _VALUES.get(key)
        if labels is not None and isinstance(raw, str) and raw in labels:
            return str(labels[raw])
        return _typed(table, key, raw)

    def _name(self, table: str, row_id) -> str:
        return self.names.get((table, row_id)) or f"#{row_id}"


def _typed(table: str | None, key: str, raw) -> str:
    """A stored date, time or number as the user's locale writes it."""
    column_type = _column_types().get((table, key))
    try:
        if isinstance(column_type, DateTime):
            return fdatetime(datetime.fromisoformat(raw))
        if isinstance(column_type, Date):
            return fdate(date.fromisoformat(raw))
        if isinstance(column_type, Time):
            return ftime(time.fromisoformat(raw))
        if isinstance(column_type, Float) and isinstance(raw, (int, float)):
            return fnumber(raw)
    except (TypeError, ValueError):
        pass
    return str(raw)


@cache
def _column_types() -> dict:
    configure_mappers()
    return {(m.local_table.name, a.key): a.columns[0].type
            for m in db.Model.registry.mappers for a in m.column_attrs}


@cache
def _targets() -> dict:
    """(table, field) -> the table a foreign key or a link table points to."""
    configure_mappers()
    targets = {}
    for mapper in db.Model.registry.mappers:
        table = mapper.local_table.name
        for attr in mapper.column_attrs:
            keys = list(attr.columns[0].foreign_keys)
            if len(keys) == 1:
                targets[(table, attr.key)] = keys[0].column.table.name
        for rel in mapper.relationships:
            if rel.secondary is not None:
                targets[(table, rel.key)] = rel.mapper.local_table.name
    targets[("meeting", "goals")] = "goal"  # the links a meeting records itself (meetings.proposals)
    return targets


def _target(table: str | None, key: str) -> str | None:
    return _targets().get((table, key))


@cache
def _model_of(table: str):
    configure_mappers()
    return next((m for m in db.Model.registry.mappers if m.local_table.name == table), None)


def _names(table: str, ids: set) -> list[tuple[int, str]]:
    mapper = _model_of(table)
    if mapper is None or len(mapper.primary_key) != 1:
        return []
    columns = mapper.local_table.c
    zh = (locale := get_locale()) is not None and locale.language == "zh"
    if "name_zh" in columns:
        naming = columns["name_zh" if zh else "name_en"]
    elif (key := next((k for k in _NAMING if k in columns), None)) is not None:
        naming = columns[key]
    else:
        return []
    key_column = mapper.primary_key[0]
    rows = db.session.execute(select(key_column, naming).where(key_column.in_(sorted(ids))))
    return [(i, _short(name)) for i, name in rows if name]


def _short(name) -> str:
    text = str(name)
    return text if len(text) <= 40 else text[:39] + "…"
