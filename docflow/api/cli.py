"""``docflow api create-token USERNAME --name NAME``: a token for a script or another system."""

from __future__ import annotations

from datetime import timedelta

import click
from flask.cli import with_appcontext


@click.group("api")
def api_cli() -> None:
    """REST API tokens."""


@api_cli.command("create-token")
@click.argument("username")
@click.option(
    "--name",
    required=True,
    help="What the token is for, shown on the user's tokens page.",
)
@click.option(
    "--expires-days",
    type=click.IntRange(min=1),
    default=None,
    help="Valid for this many days (default: until revoked).",
)
@with_appcontext
def create_token_command(username: str, name: str, expires_days: int | None) -> None:
    """Create an API token for USERNAME and print it (it is shown only this once)."""
    from sqlalchemy import select

    from ..auth.models import User
    from ..extensions import db
    from ..timeutil import to_local, utcnow
    from .tokens import create_token, end_of_day_utc

    user = db.session.scalar(
        select(User).where(User.username == username.strip().lower())
    )
    if user is None or not user.active:
        raise click.ClickException(f"No active user named {username!r}.")
    expires_at = None
    if expires_days:
        expires_at = end_of_day_utc(
            to_local(utcnow()).date() + timedelta(days=expires_days)
        )
    row, token = create_token(user, name, expires_at)
    click.echo(token)
    until = (
        f"valid until {expires_at:%Y-%m-%d %H:%M} UTC"
        if expires_at
        else "valid until revoked"
    )
    click.echo(
        f"Token {row.id} {name!r} for {user.username}, {until}. Store it now: it is not shown again.",
        err=True,
    )
