"""What the app needs from its database beyond Flask-SQLAlchemy: SQLite's settings, the database file,
and an INSERT that reports a clash with a unique key instead of failing.

On SQLite every connection gets foreign keys (off by default there) and WAL, where readers and one
writer work at once and writers queue on the busy timeout (5 s, the driver's default).
We keep the driver's own transaction handling (it sends BEGIN only before the first
INSERT/UPDATE/DELETE): a transaction that had read first could not wait for a busy writer in WAL and
would fail with "database is locked" at once. The price: a SAVEPOINT opened before any write begins
the transaction itself and its release commits it, so the code here avoids savepoints and lets
statements report clashes (`insert_unless_taken`, `UPDATE … WHERE version = …`).
"""
from pathlib import Path

from flask import Flask
from sqlalchemy import event
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import URL, make_url

from .extensions import db


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    if engine.dialect.name == "sqlite":
        event.listen(engine, "connect", _sqlite_settings)


def _sqlite_settings(dbapi_connection, connection_record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys = ON")
    cursor.execute("PRAGMA journal_mode = WAL")  # stays "memory" for an in-memory database
    cursor.close()


def sqlite_file(url: str | URL) -> Path | None:
    """The database file of a SQLite URL; None for other databases and in-memory SQLite."""
    url = make_url(url)
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return None
    if url.database.startswith("file:") or url.query.get("mode") == "memory":
        return None  # URI filenames: rare here, and possibly in memory
    return Path(url.database)


def insert_unless_taken(model):
    """INSERT … ON CONFLICT DO NOTHING: a row whose unique key is taken is skipped, not an error.

    Add `.returning(Model)`; no row back means another request got there first. A unique violation
    would abort a PostgreSQL transaction and need a savepoint; this reports the clash without one.
    """
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    return dialect.insert(model).on_conflict_do_nothing()
