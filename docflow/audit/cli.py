"""``docflow audit ...``"""

from __future__ import annotations

import sys

import click
from flask.cli import with_appcontext


@click.group("audit")
def audit() -> None:
    """The audit trail."""


@audit.command("verify")
@with_appcontext
def verify() -> None:
    """Check the hash chain; report the first entry that was altered or removed."""
    from .services import verify_chain

    result = verify_chain()
    if result.ok:
        click.echo(f"Audit trail intact: {result.checked} entries verified.")
        return
    click.echo(
        f"Audit trail BROKEN at entry #{result.first_bad_seq}: {result.reason} "
        f"({result.checked} entries before it verified).",
        err=True,
    )
    sys.exit(1)
