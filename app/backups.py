"""Consistent copies of the database while the app serves: `flask backup`, and the copy taken before
`flask db upgrade` changes a SQLite database (restored when the upgrade fails).

SQLite uses its online backup API, which copies one consistent snapshot while other connections go
on reading and writing. PostgreSQL is copied by `pg_dump` in its custom format (one consistent
snapshot too), restored with `pg_restore`; see README "Backups and restores".
"""
import os
import shutil
import sqlite3
import subprocess
from contextlib import closing
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy.engine import make_url

from .database import sqlite_file


class BackupError(Exception):
    """The copy could not be made; the message says why."""


def backup_name(prefix: str, suffix: str) -> str:
    return f"{prefix}-{datetime.now(timezone.utc):%Y%m%d-%H%M%S-%f}{suffix}"


def backup_database(url: str, output: Path | None, backup_dir: Path) -> Path:
    """Copy the database at `url` to `output` (default: a dated file in backup_dir); return the path."""
    db_file = sqlite_file(url)
    if db_file is not None:
        return copy_sqlite(db_file, output or backup_dir / backup_name("pitwall", ".sqlite3"))
    if make_url(url).get_backend_name() == "postgresql":
        return dump_postgres(url, output or backup_dir / backup_name("pitwall", ".dump"))
    raise BackupError(f"no backup for this database: {make_url(url).render_as_string()}")


def copy_sqlite(db_file: Path, output: Path) -> Path:
    """One consistent copy of a live SQLite database, as a single self-contained file."""
    if not db_file.exists():
        raise BackupError(f"no database file at {db_file}")
    output.parent.mkdir(parents=True, exist_ok=True)
    with closing(sqlite3.connect(db_file)) as source, closing(sqlite3.connect(output)) as copy:
        source.backup(copy)  # all pages in one step: a snapshot, writers carry on meanwhile
        copy.execute("PRAGMA journal_mode = DELETE")  # no -wal file beside the copy
    return output


def restore_sqlite(copy: Path, db_file: Path) -> None:
    """Put a copy back into the database file, through SQLite, so open connections see it whole."""
    with closing(sqlite3.connect(copy)) as source, closing(sqlite3.connect(db_file)) as target:
        source.backup(target)


def dump_postgres(url: str, output: Path) -> Path:
    """`pg_dump --format=custom` of the database; the password goes by environment, not the command line."""
    pg_dump = shutil.which("pg_dump")
    if pg_dump is None:
        raise BackupError("pg_dump is not installed (Debian: apt-get install postgresql-client)")
    parsed = make_url(url)
    libpq_url = parsed.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    env = {**os.environ, **({"PGPASSWORD": parsed.password} if parsed.password else {})}
    output.parent.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([pg_dump, "--format=custom", "--file", str(output), "--dbname", libpq_url],
                          env=env, capture_output=True, text=True)
    if done.returncode != 0:
        output.unlink(missing_ok=True)
        raise BackupError(f"pg_dump failed: {done.stderr.strip()}")
    return output
