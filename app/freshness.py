"""Figures that are expensive to compute from many rows (a group's store health, the coaching effect of
a year of talks), kept per app process and used only while the data they were computed from is
unchanged.

Every store has a *stamp* (table `figure_stamp`, scope = the store's id; scope 0 = data of no store,
e.g. the KPI catalogue, which every store's figures read). Every write the audit trail records (a
flush of an audited object, or `audit.record` of a statement write) gives the stores it touched a new
random stamp, in the same transaction as the write: the audit trail's flush listener notes the stores
(`touch`), and the new stamps are written as the transaction commits (`stamp_touched`, the last
statement before COMMIT, so a stamp row is locked only for that moment and never before a row of data:
two transactions cannot wait on each other through it). A cached figure is stored with the stamps of the
stores it read and the day it was computed for, and used only when a request reads the same stamps
again; until its commit, a transaction that touched one of the stores computes afresh (it must see its
own writes). A corrected KPI value, a closed action item or a new talk makes the writing request and
every later one recompute.

Why random stamps and not counters: the cache lives in the process, the database may be rolled back or
rebuilt under it (tests, a restored backup); a counter could come back to the same number with other
data, a random 62-bit stamp does not. A store without a stamp row yet (no write recorded since the
table exists) is never cached: it is computed on every request until its first write.

What is cached must be plain data (numbers, dates, ids, small dataclasses), never ORM objects, and in
no language: rendering translates per request. `cached_html` keeps rendered HTML instead, keyed also by
the reader's language and the app's URL root: the dashboards' sections, whose rendering costs more than
their queries. What such HTML shows may depend on the reader only through the arguments it is keyed by
(e.g. whether the reader may open a goal), and it never holds a CSRF token or anything else of a session.
"""
import dataclasses
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterable
from datetime import date

from flask import request
from flask_babel import get_locale
from markupsafe import Markup
from sqlalchemy import BigInteger, event, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from .database import insert_unless_taken
from .extensions import db

NO_STORE = 0  # the scope of writes that belong to no store (the KPI catalogue): every figure reads it
MAX_ENTRIES = 512  # cached figures per process, least recently used dropped first
MAX_HTML_CHARS = 32_000_000  # and at most this much kept HTML (about 64 MB): a group's dashboards fit
PENDING = "figure_scopes"  # session.info key: the scopes touched since the last stamp
READ = "figure_stamps"  # session.info key: (transaction, {scope: stamp}) of the stamps it has read


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


def listen() -> None:
    """Stamp at commit; forget at rollback. Called once (the audit trail's init_app)."""
    if not event.contains(db.session, "before_commit", _before_commit):
        event.listen(db.session, "before_commit", _before_commit)
        event.listen(db.session, "after_rollback", _forget)


def _before_commit(session: Session) -> None:
    if session.info.get(PENDING) is not None or session.new or session.dirty or session.deleted:
        session.flush()  # the last flush first: its writes are touched too
    stamp_touched(session)
    session.info.pop(READ, None)  # other transactions may have stamped since: read them again


def _forget(session: Session) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(READ, None)


def stamp_touched(session: Session) -> None:
    """Give the touched stores new stamps, in scope order (two transactions never wait on each other
    in a cycle)."""
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
_html_chars = 0  # the text the kept values hold (rendered HTML): see _chars


def stamps(store_ids: Iterable[int]) -> tuple | None:
    """The current stamps of these stores and of NO_STORE, in scope order; None when a store has none.
    NO_STORE without a row (the catalogue as the migrations made it) counts as 0: the stores' own
    random stamps already tell one database's data from another's.

    Read once per transaction: a page with several kept sections asks for the stamps of all its stores
    first (one statement), the sections then find theirs among them. A commit stamps anew and forgets."""
    scopes = sorted({NO_STORE, *store_ids})
    session = db.session()
    if session.get_transaction() is None:
        session.connection()  # begins the transaction the stamps read belong to
    transaction = session.get_transaction()
    memo = session.info.get(READ)
    if memo is None or memo[0] is not transaction:
        memo = session.info[READ] = (transaction, {})
    known = memo[1]
    missing = [s for s in scopes if s not in known]
    if missing:
        found = dict(db.session.execute(select(FigureStamp.scope, FigureStamp.stamp)
                                        .where(FigureStamp.scope.in_(missing))).all())
        if NO_STORE in missing:
            found.setdefault(NO_STORE, 0)
        known.update({s: found.get(s) for s in missing})
    if any(known[s] is None for s in scopes):
        return None
    return tuple(known[s] for s in scopes)


def cached(kind: str, store_ids: Iterable[int], today: date, compute: Callable, *args):
    """compute() or the value it gave for the same stores, day, arguments and stamps."""
    store_ids = sorted(set(store_ids))
    db.session.flush()  # this transaction's own writes are touched by now
    current = stamps(store_ids)
    if current is None or not db.session.info.get(PENDING, set()).isdisjoint({NO_STORE, *store_ids}):
        return compute()
    key = (kind, str(db.engine.url), tuple(store_ids), today, args)
    with _lock:
        hit = _cache.get(key)
        if hit is not None and hit[0] == current:
            _cache.move_to_end(key)
            return hit[1]
    value = compute()
    with _lock:
        _drop(key)
        _cache[key] = (current, value)
        _account(value, +1)
        while len(_cache) > MAX_ENTRIES or _html_chars > MAX_HTML_CHARS:
            _drop(next(iter(_cache)))
    return value


def cached_html(kind: str, store_ids: Iterable[int], today: date, render: Callable[[], str], *args) -> Markup:
    """render() (a template rendered to a string) or the HTML it gave for the same stores, day, arguments,
    stamps, language and URL root."""
    return Markup(cached(kind, store_ids, today, lambda: str(render()), str(get_locale()), request.script_root, *args))


def _account(value, sign: int) -> None:
    global _html_chars
    _html_chars += sign * _chars(value)


def _chars(value) -> int:
    """The text a kept value holds: a string, or the strings among a dataclass's or a tuple's parts (the
    meeting page keeps its agenda's HTML in a dataclass)."""
    if isinstance(value, str):
        return len(value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return sum(_chars(getattr(value, f.name)) for f in dataclasses.fields(value))
    if isinstance(value, tuple):
        return sum(_chars(part) for part in value)
    return 0


def _drop(key) -> None:
    old = _cache.pop(key, None)
    if old is not None:
        _account(old[1], -1)


def clear() -> None:
    global _html_chars
    with _lock:
        _cache.clear()
        _html_chars = 0
