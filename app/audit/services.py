"""Writing the audit trail: one flush listener records every insert, update and delete of the
audited models; `record` adds what happens outside the ORM's unit of work (logins, statements that
write rows directly). Both write in the transaction of the change, so neither exists without the other.
"""
import math
from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal
from functools import cache
from zoneinfo import ZoneInfo

from flask import current_app, g, has_request_context
from sqlalchemy import and_, event, insert, inspect, or_, select
from sqlalchemy.orm import Session, configure_mappers

from .. import freshness
from ..extensions import db
from ..request_log import request_id
from .models import CREATE, DELETE, UPDATE, AuditEntry

# Changed on every write, or by reading: noise in a history.
NOISE = {"updated_at", "version", "last_used_at"}
# Secrets: the trail says they changed, never what they are.
MASKED = {"password_hash", "token_hash", "webhook_url", "webhook_secret"}
MASK = "changed"


def init_app(app) -> None:
    if not event.contains(db.session, "after_flush", _record_flush):
        event.listen(db.session, "before_flush", _refuse_rewriting_the_trail)
        event.listen(db.session, "after_flush", _record_flush)
        freshness.listen()
        _keep_old_values()


def _keep_old_values() -> None:
    """Setting a column that was expired (after a commit) loads its old value first, as the trail
    needs it; otherwise SQLAlchemy would only know the new one."""
    configure_mappers()
    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__audited__", False):
            for attr in mapper.column_attrs:
                mapper.class_manager[attr.key].impl.active_history = True


def record(action: str, *, user_id: int | None = None, object_type: str | None = None,
           object_id: int | None = None, store_id: int | None = None, old: dict | None = None,
           new: dict | None = None) -> None:
    """An entry for what the listener can't see (logins; rows written by a statement)."""
    db.session.add(AuditEntry(**_context(user_id), action=action, object_type=object_type, object_id=object_id,
                              subject_type=object_type, subject_id=object_id, store_id=store_id,
                              old_values=old, new_values=new))
    if action in (CREATE, UPDATE, DELETE):  # rows written by a statement: the store's figures change
        freshness.touch(db.session, [store_id])


def record_object(obj, action: str, old: dict | None = None, new: dict | None = None) -> None:
    """An entry for an audited object written by a statement (INSERT … RETURNING), not by a flush."""
    entry = _entry(db.session, obj, action, old, new)
    db.session.add(AuditEntry(**entry))
    freshness.touch(db.session, [entry["store_id"]])


def columns(obj) -> dict:
    """An object's audited values (noise left out, secrets masked), as the trail stores them; a link
    table behind a relationship (a person's extra stores, a talk's KPIs) as the sorted ids it holds."""
    mapper = inspect(obj).mapper
    values = {attr.key: _stored(attr.key, getattr(obj, attr.key)) for attr in mapper.column_attrs
              if attr.key not in NOISE}
    for rel in _links(mapper):
        values[rel.key] = _ids(getattr(obj, rel.key))
    return values


def _links(mapper):
    """The many-to-many relationships of a model: their rows are no objects the flush would see."""
    return [rel for rel in mapper.relationships if rel.secondary is not None and not rel.viewonly]


def _ids(objects) -> list:
    return sorted(o.id for o in objects)


def _refuse_rewriting_the_trail(session: Session, flush_context, instances) -> None:
    if any(isinstance(obj, AuditEntry) for obj in (*session.dirty, *session.deleted)):
        raise RuntimeError("the audit trail is append-only")


def _record_flush(session: Session, flush_context) -> None:
    # After the flush's statements, before it ends: new rows have their ids, and the objects still
    # hold their history (old and new values). Written by one INSERT on the flush's connection.
    rows, everywhere = [], False
    with session.no_autoflush:
        for obj in session.new:
            if _audited(obj):
                rows.append(_entry(session, obj, CREATE, None, columns(obj)))
        for obj in session.dirty:
            if _audited(obj) and (changes := _changes(obj)):
                rows.append(_entry(session, obj, UPDATE, *changes))
                everywhere |= not set(changes[1]).isdisjoint(getattr(type(obj), "__shown_everywhere__", ()))
        for obj in session.deleted:
            if _audited(obj):
                rows.append(_entry(session, obj, DELETE, columns(obj), None))
    if rows:
        session.connection().execute(insert(AuditEntry), rows)
        # Figures kept from these stores' data (app/freshness.py) get new stamps as this transaction commits.
        # A change shown in every store's pages (a person's name) renews them all (None: every store).
        freshness.touch(session, [row["store_id"] for row in rows] + ([None] if everywhere else []))


def _audited(obj) -> bool:
    return bool(getattr(type(obj), "__audited__", False))


def _changes(obj) -> tuple[dict, dict] | None:
    old, new = {}, {}
    state = inspect(obj)
    for attr in state.mapper.column_attrs:
        if attr.key in NOISE:
            continue
        history = state.attrs[attr.key].history
        if history.added and history.deleted != history.added:
            old[attr.key] = _stored(attr.key, history.deleted[0] if history.deleted else None)
            new[attr.key] = _stored(attr.key, history.added[0])
    for rel in _links(state.mapper):
        history = state.attrs[rel.key].history
        if history.added or history.deleted:
            old[rel.key] = _ids([*history.unchanged, *history.deleted])
            new[rel.key] = _ids([*history.unchanged, *history.added])
    return (old, new) if new else None


def _entry(session: Session, obj, action: str, old: dict | None, new: dict | None) -> dict:
    named = getattr(obj, "audit_subject", None)
    if named is not None:
        # An object that belongs to another without a foreign key (an attachment's owner, any type)
        # names the history it joins as (type, id); its own store_id is the entry's store.
        subject_type, subject_id = named
        return {**_context(), "action": action, "object_type": obj.__tablename__, "object_id": obj.id,
                "subject_type": subject_type, "subject_id": subject_id, "store_id": _store_id(obj),
                "old_values": old, "new_values": new}
    subject = _subject(session, obj)
    return {**_context(), "action": action, "object_type": obj.__tablename__, "object_id": _id(obj),
            "subject_type": subject.__tablename__ if subject is not None else obj.__tablename__,
            "subject_id": _id(subject if subject is not None else obj),
            "store_id": _store_id(subject if subject is not None else obj), "old_values": old, "new_values": new}


def _id(obj) -> int | None:
    """The row's id; a row keyed by another table's id (a store's meeting settings) is named by that."""
    key = inspect(obj).mapper.primary_key_from_instance(obj)
    return key[0] if len(key) == 1 else None


def _subject(session: Session, obj):
    """The object whose history `obj` belongs to, following `__audited__ = "<parent>"` (the column
    `<parent>_id`) upwards."""
    while isinstance(parent := type(obj).__audited__, str):
        parent_id = getattr(obj, f"{parent}_id")
        obj = session.get(_parent_class(type(obj), parent), parent_id) if parent_id is not None else None
        if obj is None:
            return None
    return obj


@cache
def _parent_class(cls, parent: str):
    (key,) = cls.__table__.c[f"{parent}_id"].foreign_keys
    return next(m.class_ for m in db.Model.registry.mappers if m.local_table is key.column.table)


def _store_id(obj) -> int | None:
    if obj is None:
        return None
    if obj.__tablename__ == "store":
        return obj.id
    return getattr(obj, "store_id", None)


def _context(user_id: int | None = None) -> dict:
    """Who (the logged-in user this request loaded, if any) and the request's id."""
    if not has_request_context():
        return {"user_id": user_id, "request_id": None}
    if user_id is None:
        user_id = getattr(g.get("_login_user"), "id", None)  # never loads one: no query inside a flush
    return {"user_id": user_id, "request_id": request_id()}


def _stored(key: str, value):
    if key in MASKED:
        return MASK
    if isinstance(value, (datetime, date, time)):
        return value.isoformat()
    if isinstance(value, (Decimal, timedelta)):
        return str(value)
    if isinstance(value, float) and not math.isfinite(value):
        return str(value)  # JSON has no NaN or Infinity (PostgreSQL refuses them): "nan", "inf"
    return value


# --- reading -----------------------------------------------------------------------------------

def entries_query(*, store_id: int | None, user_id: int | None = None, object_type: str | None = None,
                  object_id: int | None = None, since: date | None = None, until: date | None = None):
    """Newest first. `store_id` None: the whole group (administrators). An object's history holds its
    own entries and those of what belongs to it (a meeting's agenda items, a goal's checks)."""
    stmt = select(AuditEntry).order_by(AuditEntry.at.desc(), AuditEntry.id.desc())
    if store_id is not None:
        stmt = stmt.where(AuditEntry.store_id == store_id)
    if user_id is not None:
        stmt = stmt.where(AuditEntry.user_id == user_id)
    if object_type:
        own = [AuditEntry.object_type == object_type]
        belonging = [AuditEntry.subject_type == object_type]
        if object_id is not None:
            own.append(AuditEntry.object_id == object_id)
            belonging.append(AuditEntry.subject_id == object_id)
        stmt = stmt.where(or_(and_(*own), and_(*belonging)))
    if since:
        stmt = stmt.where(AuditEntry.at >= _utc_start_of(since))
    if until:
        stmt = stmt.where(AuditEntry.at < _utc_start_of(until + timedelta(days=1)))
    return stmt


def _utc_start_of(day: date) -> datetime:
    """Midnight where the department works, as the naive UTC the trail stores."""
    local = datetime.combine(day, time.min, tzinfo=ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))
    return local.astimezone(UTC).replace(tzinfo=None)
