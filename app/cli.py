"""Command-line tasks: `flask create-user`, `flask demo`, `flask backup`."""
from pathlib import Path

import click
from flask import Flask, current_app
from flask_babel import force_locale
from sqlalchemy import select

from .auth.models import POSITIONS, ROLES, Store
from .auth.passwords import password_problem
from .auth.services import create_user, find_user
from .backups import BackupError, backup_database
from .extensions import db


def register(app: Flask) -> None:
    from .api.cli import register as register_api_cli
    from .notifications.cli import register as register_notify_cli

    register_api_cli(app)
    register_notify_cli(app)

    @app.cli.command("create-user")
    @click.option("--username", prompt=True)
    @click.option("--name", "display_name", prompt="Display name")
    @click.option("--role", type=click.Choice(list(ROLES)), prompt=True)
    @click.option("--store", "store_code", prompt="Store code",
                  help="The store's code; a new store is created when none has it.")
    @click.option("--store-name", default=None, help="Name for a new store.")
    @click.option("--position", type=click.Choice(list(POSITIONS)), default=None)
    @click.password_option()
    def create_user_command(username, display_name, role, store_code, store_name, position, password):
        """Create a login (for a real deployment without demo data)."""
        if find_user(username):
            raise click.ClickException(f"the username {username!r} is taken")
        with force_locale("en"):  # the same policy as the pages, its reason in the CLI's language
            problem = password_problem(password, username)
        if problem:
            raise click.ClickException(f"the password is too weak: {problem}")
        code = store_code.strip().upper()
        store = db.session.scalar(select(Store).where(Store.code == code))
        if store is None:
            store = Store(code=code, name=store_name or code)
            db.session.add(store)
            click.echo(f"Created store {code}.")
        create_user(username=username, password=password, display_name=display_name, role=role,
                    store=store, position=position)
        db.session.commit()
        click.echo(f"Created user {username.lower()} ({role}) in store {code}.")

    @app.cli.command("demo")
    def demo_command():
        """Load the demo store into an empty database (does nothing if it has data)."""
        from .demo import DEMO_PASSWORD, load_demo

        created = load_demo()
        db.session.commit()
        if created:
            click.echo("Loaded the demo data.")
        else:
            click.echo("The database already has data: demo data not loaded.")
        click.echo(f"Demo logins (password {DEMO_PASSWORD}): admin, gm, manager, staff1 … staff6")

    @app.cli.command("backup")
    @click.option("--output", type=click.Path(dir_okay=False, path_type=Path), default=None,
                  help="Where to write the copy (default: a dated file in BACKUP_DIR, instance/backups/).")
    def backup_command(output):
        """A consistent copy of the database while the app serves (SQLite: a database file;
        PostgreSQL: pg_dump's custom format, for pg_restore)."""
        try:
            path = backup_database(current_app.config["SQLALCHEMY_DATABASE_URI"], output,
                                   Path(current_app.config["BACKUP_DIR"]))
        except BackupError as e:
            raise click.ClickException(str(e)) from e
        click.echo(f"Backup written to {path}")
