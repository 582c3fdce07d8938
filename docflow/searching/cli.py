"""``docflow search ...`` and ``docflow import``: operator commands over the search index."""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext
from tqdm import tqdm


@click.group("search")
def search_cli() -> None:
    """Full-text search index: incoming and issued outgoing documents, dossiers."""


def _bar(total: int, quiet: bool, unit: str = "doc") -> tqdm:
    return tqdm(total=total, unit=unit, disable=quiet, file=sys.stderr)


@search_cli.command("reindex")
@click.option(
    "--full",
    is_flag=True,
    help="Clear the index first (e.g. after changing SEARCH_BACKEND).",
)
@click.option(
    "--extract",
    is_flag=True,
    help="Also extract text that is missing (committed per batch).",
)
@click.option(
    "--ocr/--no-ocr",
    default=None,
    help="With --extract: OCR pages without text (default: SEARCH_OCR); "
    "--ocr also retries files that gave no text without OCR.",
)
@click.option("--batch-size", default=200, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def reindex(
    full: bool, extract: bool, ocr: bool | None, batch_size: int, quiet: bool
) -> None:
    """Rebuild the index from the database. Resumable: entries already current are skipped."""
    from .services import reindex as run
    from .services import total_documents

    with _bar(total_documents(), quiet) as bar:
        written = run(
            batch_size=batch_size,
            extract=extract,
            ocr=ocr,
            full=full,
            progress=bar.update,
        )
    click.echo(f"{written} entries written.")


@search_cli.command("check")
@click.option(
    "--repair",
    is_flag=True,
    help="Re-index missing and stale documents, delete orphaned entries.",
)
@with_appcontext
def check(repair: bool) -> None:
    """Compare the database with the index: missing, stale and orphaned entries.

    Entry ids: "42" incoming document, "o42" outgoing document, "d42" dossier.
    """
    from .services import check as run
    from .services import repair as fix

    drift = run()
    for kind in ("missing", "stale", "orphaned"):
        ids = getattr(drift, kind)
        click.echo(
            f"{kind}: {len(ids)}"
            + (
                f" ({', '.join(ids[:20])}{' …' if len(ids) > 20 else ''})"
                if ids
                else ""
            )
        )
    if drift.clean:
        click.echo("The index matches the database.")
        return
    if not repair:
        sys.exit(1)
    fix(drift)
    after = run()
    click.echo(
        "Repaired." if after.clean else "Still out of step after repair: run it again."
    )
    if not after.clean:
        sys.exit(1)


@search_cli.command("query")
@click.argument("text")
@click.option(
    "--agency", "agency_code", help="QCVN 102 code: search within this agency only."
)
@click.option(
    "--kind",
    type=click.Choice(["incoming", "outgoing", "dossier"]),
    help="Only this kind of entry.",
)
@click.option("--page", default=1, show_default=True)
@click.option("--per-page", default=20, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="JSON output.")
@with_appcontext
def query(
    text: str,
    agency_code: str | None,
    kind: str | None,
    page: int,
    per_page: int,
    as_json: bool,
) -> None:
    """Ranked results (operators: unrestricted within the agency, or across agencies)."""
    from sqlalchemy import select

    from search.index import FACETS, QueryError, SearchQuery, Viewer

    from ..agencies.models import Agency
    from ..extensions import db
    from . import get_index
    from .services import as_dict

    common = {
        "text": text,
        "page": page,
        "per_page": per_page,
        "filters": {"kind": [kind]} if kind else {},
        "facets": (*FACETS, "kind"),
    }
    if agency_code:
        agency = db.session.scalar(
            select(Agency).where(Agency.code == agency_code.strip().upper())
        )
        if agency is None:
            raise click.ClickException(f"no agency with code {agency_code!r}")
        q = SearchQuery(
            viewer=Viewer(str(agency.id), "operator", all_in_agency=True), **common
        )
    else:
        q = SearchQuery(unrestricted=True, **common)
    try:
        results = get_index().search(q)
    except QueryError as exc:
        raise click.ClickException(str(exc)) from exc
    if as_json:
        click.echo(json.dumps(as_dict(results), ensure_ascii=False, indent=2))
        return
    click.echo(f"{results.total} results (page {results.page}/{results.pages})")
    for hit in results.hits:
        click.echo(
            f"{hit.id:>8}  {hit.kind or 'incoming':<8}  {hit.score:7.2f}  "
            f"{hit.number or '-'}  {hit.subject}"
        )
        if hit.snippet:
            click.echo(f"{'':>18}{hit.snippet}")


@click.command("import")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option(
    "--agency",
    "agency_code",
    required=True,
    help="QCVN 102 code of the agency whose archive receives the files.",
)
@click.option(
    "--metadata",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="JSON Lines or CSV file; default: metadata.jsonl or metadata.csv in FOLDER.",
)
@click.option(
    "--report",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Write rejected rows to this CSV file.",
)
@click.option(
    "--ocr/--no-ocr", default=None, help="OCR pages without text (default: SEARCH_OCR)."
)
@click.option("--batch-size", default=50, show_default=True)
@click.option("--quiet", is_flag=True, help="No progress bar.")
@with_appcontext
def import_cli(
    folder: Path,
    agency_code: str,
    metadata: Path | None,
    report: Path | None,
    ocr: bool | None,
    batch_size: int,
    quiet: bool,
) -> None:
    """Import a legacy archive as registered, completed incoming documents (resumable)."""
    from sqlalchemy import select

    from ..agencies.models import Agency
    from ..extensions import db
    from .importer import MetadataError, import_folder, read_metadata

    agency = db.session.scalar(
        select(Agency).where(Agency.code == agency_code.strip().upper())
    )
    if agency is None:
        raise click.ClickException(f"no agency with code {agency_code!r}")
    if metadata is None:
        found = [
            folder / n
            for n in ("metadata.jsonl", "metadata.csv")
            if (folder / n).is_file()
        ]
        if not found:
            raise click.ClickException(
                "no metadata.jsonl or metadata.csv in the folder (or give --metadata)"
            )
        metadata = found[0]
    try:
        total = sum(1 for _ in read_metadata(metadata))
        with _bar(total, quiet, "row") as bar:
            result = import_folder(
                folder,
                metadata,
                agency.id,
                batch_size=batch_size,
                ocr=ocr,
                progress=bar.update,
            )
    except MetadataError as exc:
        raise click.ClickException(str(exc)) from exc
    for r in result.rejected:
        click.echo(f"REJECTED line {r.line} ({r.file or '?'}): {r.reason}")
    if report is not None:
        with report.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh)
            writer.writerow(["line", "file", "reason"])
            writer.writerows([r.line, r.file, r.reason] for r in result.rejected)
    click.echo(
        f"{len(result.imported)} imported, {result.skipped} already imported, "
        f"{len(result.rejected)} rejected."
    )
