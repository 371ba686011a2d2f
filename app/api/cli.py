"""`flask api-token create|revoke|list`."""
import click
from flask import Flask
from flask.cli import AppGroup
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..auth.models import Store
from ..extensions import db
from . import services
from .models import ApiToken

api_token = AppGroup("api-token", help="Create, revoke and list API tokens.")


@api_token.command("create")
@click.option("--store", "store_code", required=True, help="The store's code.")
@click.option("--name", required=True, help="Who or what uses the token.")
def create_command(store_code, name):
    """Create a token and print it (the only time it is shown)."""
    store = db.session.scalar(select(Store).where(Store.code == store_code.strip().upper()))
    if store is None:
        raise click.ClickException(f"no store has the code {store_code!r}")
    if not name.strip():
        raise click.ClickException("the name cannot be empty")
    token, plaintext = services.create_token(store, name[:120], created_by_id=None)
    db.session.commit()
    click.echo(f"Created token {token.id} ({token.prefix}…) for store {store.code}: {token.name}")
    click.echo("Copy it now; it is not shown again:")
    click.echo(plaintext)


@api_token.command("revoke")
@click.argument("ident")
def revoke_command(ident):
    """Revoke a token by its id or the prefix shown in `list`."""
    token = services.find_token(ident.rstrip("…"))
    if token is None:
        raise click.ClickException(f"no single token has the id or prefix {ident!r}")
    if services.revoke_token(token):
        db.session.commit()
        click.echo(f"Revoked token {token.id} ({token.prefix}…).")
    else:
        click.echo(f"Token {token.id} ({token.prefix}…) was already revoked.")


@api_token.command("list")
def list_command():
    """List the tokens: id, store, prefix, state, last use, name."""
    tokens = db.session.scalars(services.tokens_stmt().options(contains_eager(ApiToken.store))).all()
    if not tokens:
        click.echo("No API tokens.")
    for t in tokens:
        state = f"revoked {t.revoked_at:%Y-%m-%d}" if t.revoked_at else "active"
        used = f"{t.last_used_at:%Y-%m-%d %H:%M}" if t.last_used_at else "never used"
        click.echo(f"{t.id}\t{t.store.code}\t{t.prefix}…\t{state}\t{used}\t{t.name}")


def register(app: Flask) -> None:
    app.cli.add_command(api_token)
