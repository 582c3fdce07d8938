"""Operator commands: ``docflow edxml parse|export`` and ``docflow interchange peer|flush``."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from ..extensions import db
from . import edxml


@click.group(
    "interchange", help="Document interchange between agencies (QCVN 102:2016 edXML)."
)
def interchange_cli() -> None:
    pass


@click.group(
    "edxml",
    help="Look at edXML packets (QCVN 102:2016): parse other systems' packets, export ours.",
)
def edxml_cli() -> None:
    pass


@edxml_cli.command("parse")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--json", "as_json", is_flag=True, help="The whole packet as JSON.")
@click.option("--headers-only", is_flag=True, help="Do not decode attachments.")
def parse_command(file: Path, as_json: bool, headers_only: bool) -> None:
    """Print a packet's header, attachments or status; exit 1 with the reason if it is refused."""
    try:
        packet = edxml.parse_packet(
            file.read_bytes(), decode_attachments=not headers_only
        )
    except edxml.PacketRejected as exc:
        click.echo(f"rejected: {exc.reason}", err=True)
        sys.exit(1)
    data = packet.to_dict()
    if as_json:
        click.echo(json.dumps(data, ensure_ascii=False, indent=2))
        return
    if data["kind"] == "status":
        rf = data["response_for"]
        click.echo(
            f"status {data['status_code']} ({data['status_name']}) from {data['sender']['organ_id']} "
            f"about {rf['document_id']}: {data['description']}"
        )
    else:
        click.echo(
            f"document {data['document_id']} (BussinessDocType {data['business_type']})"
        )
        click.echo(f"  from {data['sender']['organ_id']} {data['sender']['name']}")
        for receiver in data["receivers"]:
            click.echo(f"  to   {receiver['organ_id']} {receiver['name']}")
        click.echo(
            f"  {data['code_number']}/{data['code_notation']} {data['promulgation_date']}: {data['subject']}"
        )
        for att in data["attachments"]:
            click.echo(
                f"  file {att['content_id']}: {att['name']} ({att['size']} bytes)"
            )
    for warning in data["warnings"]:
        click.echo(f"  warning: {warning}")


@edxml_cli.command("export")
@click.argument("document_id", type=int)
@click.option(
    "--to",
    "agency_code",
    help="QCVN 102 code of the receiving agency (default: the first recipient).",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
@with_appcontext
def export_command(
    document_id: int, agency_code: str | None, output: Path | None
) -> None:
    """Write the packet docflow sends for an issued outgoing document."""
    from ..agencies.models import Agency
    from ..outgoing.models import OutgoingDocument, RecipientKind
    from .services import packet_for

    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None or doc.issued_at is None:
        raise click.ClickException("no issued outgoing document with this id")
    if agency_code:
        agency = db.session.scalar(db.select(Agency).where(Agency.code == agency_code))
    else:
        agency = next(
            (r.agency for r in doc.recipients if r.kind == RecipientKind.AGENCY), None
        )
    if agency is None:
        raise click.ClickException("no receiving agency: give --to CODE")
    data = edxml.build_document(packet_for(doc, [agency]))
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"written {output}")


@interchange_cli.command("peer")
@click.argument("agency_code")
@click.argument("endpoint")
@click.argument("secret_env")
@click.option(
    "--inactive", is_flag=True, help="Keep the row but serve the agency here again."
)
@with_appcontext
def peer_command(
    agency_code: str, endpoint: str, secret_env: str, inactive: bool
) -> None:
    """Add or change an agency served by another instance: its base URL and the secret's variable."""
    from .models import Peer

    if not endpoint.startswith(("https://", "http://")):
        raise click.ClickException(
            "the endpoint is a base URL: https://docflow.example.gov.vn"
        )
    peer = db.session.scalar(
        db.select(Peer).where(Peer.agency_code == agency_code)
    ) or Peer(agency_code=agency_code)
    peer.endpoint, peer.secret_env, peer.active = endpoint, secret_env, not inactive
    db.session.add(peer)
    db.session.commit()
    click.echo(f"{agency_code} -> {endpoint} ({'inactive' if inactive else 'active'})")


@interchange_cli.command("flush")
@with_appcontext
def flush_command() -> None:
    """Queue the outbox messages whose next attempt is due (run every minute from cron)."""
    from .jobs import retry_due

    click.echo(f"{retry_due()} message(s) queued")
