"""Figures that are expensive to compute from many rows (a group's store health, the coaching effect of
a year of talks), kept per app process and used only while the data they were computed from is
unchanged.

Every store has a *stamp* (table `figure_stamp`, scope = the store's id; scope 0 = data of no store,
e.g. the KPI catalogue, which every store's figures read). Every write the audit trail records (a
flush of an audited object, or `audit.record` of a statement write) gives the stores it touched a new
random stamp, in the same transaction as the write (`touch`, then `stamp_touched` from the audit
trail's flush listener). A cached figure is stored with the stamps of the stores it read and the day it
was computed for, and used only when a request reads the same stamps again: a corrected KPI value, a
closed action item or a new talk makes the next request (the writing one included) recompute.

Why random stamps and not counters: the cache lives in the process, the database may be rolled back or
rebuilt under it (tests, a restored backup); a counter could come back to the same number with other
data, a random 62-bit stamp does not. A store without a stamp row yet (no write recorded since the
table exists) is never cached: it is computed on every request until its first write.

What is cached must be plain data (numbers, dates, ids, small dataclasses), never ORM objects, and in
no language: rendering translates per request.
"""
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date

from sqlalchemy import BigInteger, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import insert_unless_taken
from .extensions import db

NO_STORE = 0  # the scope of writes that belong to no store (the KPI catalogue): every figure reads it
MAX_ENTRIES = 512  # cached figures per process, least recently used dropped first
PENDING = "figure_scopes"  # session.info key: the scopes touched since the last stamp


class FigureStamp(db.Model):
    __tablename__ = "figure_stamp"
    scope: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stamp: Mapped[int] = mapped_column(BigInteger)


def new_stamp() -> int:
    return secrets.randbits(62) + 1


# --- writing: the audit trail tells us which stores a transaction touched ----------------------------

def touch(session: Session, store_ids: Iterable[int | None]) -> None:
    """Note that this transaction wrote data of these stores (None: of no store)."""
    session.info.setdefault(PENDING, set()).update(NO_STORE if s is None else s for s in store_ids)


def stamp_touched(session: Session) -> None:
    """Give the touched stores new stamps, on the flush's connection (called from the audit trail's
    after-flush listener). Scopes in a fixed order, so two transactions never wait on each other in a cycle."""
    scopes = sorted(session.info.pop(PENDING, ()))
    if not scopes:
        return
    table = FigureStamp.__table__
    connection = session.connection()
    stamp = new_stamp()
    done = connection.execute(update(table).where(table.c.scope.in_(scopes)).values(stamp=stamp)).rowcount
    if done < len(scopes):
        have = set(connection.execute(select(table.c.scope).where(table.c.scope.in_(scopes))).scalars())
        missing = [s for s in scopes if s not in have]
        for scope in missing:
            connection.execute(insert_unless_taken(table).values(scope=scope, stamp=stamp))
        # Another transaction may have made a row first: this one's write still needs a new stamp.
        connection.execute(update(table).where(table.c.scope.in_(missing)).values(stamp=stamp))


def seed(store_ids: Iterable[int]) -> None:
    """Stamps for stores whose data was loaded without the audit trail (bench/generate.py)."""
    for scope in sorted({NO_STORE, *store_ids}):
        db.session.execute(insert_unless_taken(FigureStamp).values(scope=scope, stamp=new_stamp()))


# --- reading ----------------------------------------------------------------------------------------

_cache: OrderedDict = OrderedDict()
_lock = threading.Lock()


def stamps(store_ids: Iterable[int]) -> tuple | None:
    """The current stamps of these stores and of NO_STORE, in scope order; None when a store has none.
    NO_STORE without a row (the catalogue as the migrations made it) counts as 0: the stores' own
    random stamps already tell one database's data from another's."""
    scopes = sorted({NO_STORE, *store_ids})
    found = dict(db.session.execute(select(FigureStamp.scope, FigureStamp.stamp)
                                    .where(FigureStamp.scope.in_(scopes))).all())
    found.setdefault(NO_STORE, 0)
    if len(found) < len(scopes):
        return None
    return tuple(found[s] for s in scopes)


def cached(kind: str, store_ids: Iterable[int], today: date, compute: Callable, *args):
    """compute() or the value it gave for the same stores, day, arguments and stamps."""
    store_ids = sorted(set(store_ids))
    current = stamps(store_ids)
    if current is None:
        return compute()
    key = (kind, str(db.engine.url), tuple(store_ids), today, args)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == current:
            _cache.move_to_end(key)
            return hit[1]
    value = compute()
    with _lock:
        _cache[key] = (current, value)
        _cache.move_to_end(key)
        while len(_cache) > MAX_ENTRIES:
            _cache.popitem(last=False)
    return value


def clear() -> None:
    with _lock:
        _cache.clear()
