"""``docflow dossiers``: export a dossier, send the archive-due reminders."""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

import click
from flask.cli import with_appcontext


@click.group("dossiers")
def dossiers_cli() -> None:
    """Work dossiers (hồ sơ công việc)."""


@dossiers_cli.command("export")
@click.argument("dossier_id", type=int)
@click.argument("out", type=click.Path(dir_okay=False, writable=True, path_type=Path))
@click.option(
    "--as",
    "username",
    default=None,
    help="Export with this user's permissions. Without it: every document's metadata, no secret content.",
)
@with_appcontext
def export_command(dossier_id: int, out: Path, username: str | None) -> None:
    """Write dossier DOSSIER_ID as a ZIP (documents, metadata.json/xml, manifest-sha256.txt) to OUT."""
    from sqlalchemy import select

    from ..auth.models import User
    from ..extensions import db
    from .access import can_view
    from .export import write_export
    from .models import Dossier
    from .services import record_export

    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        raise click.ClickException(f"No dossier {dossier_id}.")
    user = None
    if username:
        user = db.session.scalar(select(User).where(User.username == username.lower()))
        if user is None or not can_view(user, dossier):
            raise click.ClickException(
                f"User {username!r} does not exist or may not see dossier {dossier_id}."
            )
    # Written next to OUT, then renamed: OUT is never left half-written.
    fd, tmp_name = tempfile.mkstemp(
        prefix=".dossier-", suffix=".zip", dir=out.resolve().parent
    )
    try:
        with os.fdopen(fd, "wb") as fh:
            meta = write_export(dossier, user, fh)
        shutil.move(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    record_export(
        user,
        dossier,
        documents=meta["DocTotal"],
        cli=True,
        with_content=sum(1 for d in meta["Documents"] if d["ContentIncluded"]),
    )
    click.echo(f"{out}: {meta['DocTotal']} documents, {meta['PageTotal']} pages.")


@dossiers_cli.command("remind")
@with_appcontext
def remind_command() -> None:
    """Notify keepers and records officers of dossiers due for the archive within 30 days (run daily)."""
    from .jobs import remind_archive_due

    click.echo(f"{remind_archive_due()} reminders sent.")
