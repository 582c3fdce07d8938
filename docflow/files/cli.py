"""``docflow storage ...``: operator commands over stored files."""

from __future__ import annotations

import sys
from datetime import timedelta

import click
from flask.cli import with_appcontext
from tqdm import tqdm

from storage.errors import StorageUnavailable


@click.group("storage")
def storage_cli() -> None:
    """Stored files (local folder or S3)."""


@storage_cli.command("verify")
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def verify(quiet: bool) -> None:
    """Re-read every referenced object and report missing or corrupted ones."""
    from .services import verify_objects

    def progress(keys, total):  # type: ignore[no-untyped-def]
        return tqdm(keys, total=total, unit="file", disable=quiet, file=sys.stderr)

    try:
        checked, problems = verify_objects(progress)
    except StorageUnavailable as exc:
        raise click.ClickException(f"storage unreachable: {exc}") from exc
    for p in problems:
        click.echo(
            f"{p.problem.upper()}: object {p.key} (file records {', '.join(map(str, p.file_ids))})"
        )
    click.echo(f"{checked} objects checked, {len(problems)} problems.")
    if problems:
        sys.exit(1)


@storage_cli.command("gc")
@click.option(
    "--grace-minutes",
    default=60,
    show_default=True,
    help="Delete an orphan only after it stayed an orphan this long.",
)
@click.option("--dry-run", is_flag=True)
@with_appcontext
def gc(grace_minutes: int, dry_run: bool) -> None:
    """Delete stored objects that no file record refers to (left by failed commits)."""
    from .services import collect_garbage

    try:
        result = collect_garbage(timedelta(minutes=grace_minutes), dry_run=dry_run)
    except StorageUnavailable as exc:
        raise click.ClickException(f"storage unreachable: {exc}") from exc
    verb = "would delete" if dry_run else "deleted"
    click.echo(
        f"{verb} {len(result.deleted)} orphan objects; {result.pending} orphans within the grace period."
    )
