import logging
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app

from app.backups import backup_name, copy_sqlite, restore_sqlite
from app.database import sqlite_file

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically; the app's own logger (request log, errors) stays on when
# migrations run inside the process (the tests' upgrade()).
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    # this callback is used to prevent an auto-migration from being generated
    # when there are no changes to the schema
    # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
    def process_revision_directives(context, revision, directives):
        if getattr(config.cmd_opts, 'autogenerate', False):
            script = directives[0]
            if script.upgrade_ops.is_empty():
                directives[:] = []
                logger.info('No changes in schema detected.')

    conf_args = current_app.extensions['migrate'].configure_args
    if conf_args.get("process_revision_directives") is None:
        conf_args["process_revision_directives"] = process_revision_directives

    connectable = get_engine()
    db_file = sqlite_file(connectable.url)

    with connectable.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            **conf_args
        )

        if db_file is None:
            with context.begin_transaction():
                context.run_migrations()
        else:
            run_sqlite_migrations(connection, db_file)


def run_sqlite_migrations(connection, db_file):
    """SQLite: copy the database first and put the copy back if any step fails, so a failed upgrade
    leaves the database as it was. The copy stays in BACKUP_DIR as the state before the upgrade.

    Why not one transaction around the upgrade instead: Alembic treats SQLite as having no
    transactional DDL (it commits after each migration, transaction_per_migration or not), and the
    sqlite3 driver sends no BEGIN before DDL, so each CREATE or ALTER commits by itself. Forcing one
    transaction would take transaction control away from the driver for this connection, and batch
    mode's table rebuilds need PRAGMA foreign_keys off, which SQLite ignores inside a transaction.
    The copy undoes every kind of failure alike, data steps included.
    """
    copy = None
    if _changes_pending() and _has_tables(connection):
        backup_dir = Path(current_app.config["BACKUP_DIR"])
        copy = copy_sqlite(db_file, backup_dir / backup_name("before-migration", ".sqlite3"))
        logger.info("Copied the database to %s before migrating.", copy)
    # Batch mode rebuilds tables (copy, drop, rename): foreign keys off meanwhile, checked after.
    connection.exec_driver_sql("PRAGMA foreign_keys = OFF")
    try:
        with context.begin_transaction():
            context.run_migrations()
        dangling = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
        if dangling:
            raise RuntimeError(f"The migration left rows whose foreign keys point nowhere: {dangling[:5]}")
    except BaseException:
        connection.rollback()
        if copy is not None:
            restore_sqlite(copy, db_file)
            logger.error("The upgrade failed; the database was put back as it was before (copy kept at %s).", copy)
        raise
    finally:
        connection.invalidate()  # its foreign keys are off: never hand it back to the pool


def _changes_pending():
    """upgrade, downgrade and stamp name a revision other than the current one; current, check and
    autogenerate name none."""
    try:
        destination = context.get_revision_argument()
    except KeyError:
        return False
    except Exception:  # a relative target such as +1: assume it changes something
        return True
    wanted = set(destination) if isinstance(destination, tuple) else {destination} - {None}
    return wanted != set(context.get_context().get_current_heads())


def _has_tables(connection):
    """An empty database has nothing to lose: no copy (the test suite builds one per run)."""
    return connection.exec_driver_sql("SELECT count(*) FROM sqlite_master WHERE type = 'table'").scalar() > 0


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
