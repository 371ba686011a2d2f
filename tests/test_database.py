"""The database underneath: SQLite's settings, upgrades that fail leave it as it was, backups and restores.

The SQLite tests build their own file database in a temporary directory, whichever database the rest
of the suite runs on; the PostgreSQL backup runs when the suite does (TEST_DATABASE_URL) and pg_dump exists.
"""
import os
import shutil
import sqlite3
import subprocess
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from alembic.script import ScriptDirectory
from flask_migrate import upgrade
from sqlalchemy import text
from sqlalchemy.exc import IntegrityError

from app import create_app
from app.backups import copy_sqlite, restore_sqlite
from app.config import TestingConfig
from app.database import sqlite_file
from app.extensions import db

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"


@pytest.fixture
def sqlite_app(tmp_path):
    """An app on a SQLite file of its own, upgraded to the latest revision."""
    class Config(TestingConfig):
        SQLALCHEMY_DATABASE_URI = f"sqlite:///{tmp_path / 'pitwall.db'}"
        BACKUP_DIR = tmp_path / "backups"

    app = create_app(Config)
    with app.app_context():
        upgrade(directory=str(MIGRATIONS))
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def sql(app, statement, **params):
    """One statement on the app's database, in a transaction of its own; the rows it returns."""
    with app.app_context(), db.engine.begin() as conn:
        result = conn.execute(text(statement), params)
        return result.all() if result.returns_rows else None


def run_cli(app, *args):
    """`flask …` for this app (its own context: the suite's app context is open around every test)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def db_file(app) -> Path:
    return sqlite_file(app.config["SQLALCHEMY_DATABASE_URI"])


# --- SQLite settings ---------------------------------------------------------------------

def test_sqlite_connections_have_foreign_keys_and_wal(sqlite_app):
    assert sql(sqlite_app, "PRAGMA foreign_keys") == [(1,)]
    assert sql(sqlite_app, "PRAGMA journal_mode") == [("wal",)]
    with pytest.raises(IntegrityError):  # a value of a store that does not exist
        sql(sqlite_app, "INSERT INTO kpi_value (kpi_id, store_id, subject_key, month, value, source, updated_at) "
                        "VALUES (1, 999, 0, '2026-01-01', 1, 'grid', '2026-01-01')")


# --- a failing upgrade -------------------------------------------------------------------

BROKEN_REVISION = '''"""a migration that fails halfway"""
from alembic import op
import sqlalchemy as sa

revision = "9999"
down_revision = {head!r}
branch_labels = None
depends_on = None


def upgrade():
    op.create_table("half_done", sa.Column("id", sa.Integer(), primary_key=True))
    with op.batch_alter_table("store") as batch_op:
        batch_op.add_column(sa.Column("note", sa.String(20), nullable=True))
    op.execute("UPDATE store SET name = 'overwritten'")
    op.execute("SELECT no_such_column FROM no_such_table")


def downgrade():
    pass
'''


def test_failed_upgrade_leaves_the_sqlite_database_as_it_was(sqlite_app, tmp_path):
    broken = tmp_path / "migrations"
    shutil.copytree(MIGRATIONS, broken, ignore=shutil.ignore_patterns("__pycache__"))
    head = ScriptDirectory(str(broken)).get_current_head()
    (broken / "versions" / "9999_broken.py").write_text(BROKEN_REVISION.format(head=head))
    sql(sqlite_app, "INSERT INTO store (code, name, created_at) VALUES ('S1', 'First store', '2026-01-01')")
    schema_before = sql(sqlite_app, "SELECT type, name, sql FROM sqlite_master ORDER BY name")

    result = run_cli(sqlite_app, "db", "upgrade", "--directory", str(broken))

    assert result.exit_code != 0
    assert "no_such_table" in str(result.exception)
    assert "The upgrade failed; the database was put back as it was before" in result.output
    assert sql(sqlite_app, "SELECT type, name, sql FROM sqlite_master ORDER BY name") == schema_before
    assert sql(sqlite_app, "SELECT code, name FROM store") == [("S1", "First store")]
    assert sql(sqlite_app, "SELECT version_num FROM alembic_version") == [(head,)]
    copies = list((tmp_path / "backups").glob("before-migration-*.sqlite3"))
    assert len(copies) == 1  # the state before the upgrade stays on disk
    assert sql(sqlite_app, "PRAGMA foreign_keys") == [(1,)]  # the migration's connection did not return to the pool


def test_upgrade_with_nothing_to_do_makes_no_copy(sqlite_app, tmp_path):
    with sqlite_app.app_context():
        upgrade(directory=str(MIGRATIONS))
    assert not (tmp_path / "backups").exists()


# --- flask backup ------------------------------------------------------------------------

def test_sqlite_backup_while_another_connection_writes_then_restore(sqlite_app, tmp_path):
    path = db_file(sqlite_app)
    sql(sqlite_app, "INSERT INTO store (code, name, created_at) VALUES ('S0', 'Before', '2026-01-01')")
    stop, written = threading.Event(), []

    def keep_writing():
        with closing(sqlite3.connect(path, timeout=10)) as conn:
            while not stop.is_set():
                with conn:
                    conn.execute("INSERT INTO store (code, name, created_at) VALUES (?, 'During', '2026-01-01')",
                                 (f"W{len(written)}",))
                written.append(1)

    writer = threading.Thread(target=keep_writing)
    writer.start()
    try:
        while len(written) < 20 and writer.is_alive():  # the writer is well under way
            time.sleep(0.01)
        result = run_cli(sqlite_app, "backup", "--output", str(tmp_path / "copy.sqlite3"))
        assert writer.is_alive()  # it was still writing when the copy was taken
    finally:
        stop.set()
        writer.join()
    assert result.exit_code == 0, result.output
    assert "Backup written to" in result.output

    with closing(sqlite3.connect(tmp_path / "copy.sqlite3")) as copy:
        assert copy.execute("PRAGMA integrity_check").fetchone() == ("ok",)
        in_copy = copy.execute("SELECT count(*) FROM store").fetchone()[0]
    assert 21 <= in_copy <= len(written) + 1  # a snapshot from the middle of the writing
    assert not Path(f"{tmp_path / 'copy.sqlite3'}-wal").exists()

    # Restore as the README says: the app stopped, the copy put in place of the file and its -wal/-shm.
    with sqlite_app.app_context():
        db.engine.dispose()
    for leftover in (Path(f"{path}-wal"), Path(f"{path}-shm")):
        leftover.unlink(missing_ok=True)
    shutil.copyfile(tmp_path / "copy.sqlite3", path)
    assert sql(sqlite_app, "SELECT count(*) FROM store") == [(in_copy,)]
    assert sql(sqlite_app, "SELECT name FROM store WHERE code = 'S0'") == [("Before",)]


def test_restore_into_a_live_sqlite_database(sqlite_app, tmp_path):
    path = db_file(sqlite_app)
    sql(sqlite_app, "INSERT INTO store (code, name, created_at) VALUES ('S1', 'Kept', '2026-01-01')")
    copy = copy_sqlite(path, tmp_path / "copy.sqlite3")
    sql(sqlite_app, "UPDATE store SET name = 'Changed later'")
    restore_sqlite(copy, path)
    assert sql(sqlite_app, "SELECT name FROM store") == [("Kept",)]


def test_backup_default_goes_to_the_backup_dir(sqlite_app, tmp_path):
    result = run_cli(sqlite_app, "backup")
    assert result.exit_code == 0, result.output
    assert len(list((tmp_path / "backups").glob("pitwall-*.sqlite3"))) == 1


PG_URL = os.environ.get("TEST_DATABASE_URL", "")


@pytest.mark.skipif(not PG_URL.startswith("postgresql"), reason="the suite runs on SQLite (set TEST_DATABASE_URL "
                                                                "to a PostgreSQL database to test pg_dump)")
@pytest.mark.skipif(shutil.which("pg_dump") is None or shutil.which("pg_restore") is None,
                    reason="pg_dump/pg_restore not installed (Debian: postgresql-client)")
def test_postgres_backup_with_pg_dump_then_restore(app, make_store, tmp_path):
    make_store("PG1", "Dumped name")
    result = run_cli(app, "backup", "--output", str(tmp_path / "pitwall.dump"))
    assert result.exit_code == 0, result.output
    listing = subprocess.run(["pg_restore", "--list", str(tmp_path / "pitwall.dump")],
                             capture_output=True, text=True, check=True).stdout
    assert "TABLE public store" in listing and "TABLE public kpi_value" in listing

    db.session.execute(text("UPDATE store SET name = 'Changed later' WHERE code = 'PG1'"))
    db.session.commit()
    db.session.remove()
    db.engine.dispose()  # no connection of ours holds a lock while pg_restore replaces the tables
    libpq_url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    subprocess.run(["pg_restore", "--clean", "--if-exists", "--no-owner", "--single-transaction",
                    "--dbname", libpq_url, str(tmp_path / "pitwall.dump")], capture_output=True, text=True, check=True)
    assert db.session.execute(text("SELECT name FROM store WHERE code = 'PG1'")).all() == [("Dumped name",)]
