"""Operator commands: ``docflow edxml parse|export`` and ``docflow interchange peer|flush``."""

from __future__ import annotations

import json
import logging
import signal
import sys
import threading
from pathlib import Path

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from ..extensions import db
from . import edxml

logger = logging.getLogger(__name__)


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
    "--change",
    "change_id",
    type=int,
    help="Id of a revocation or update of the document: its type-1/2 packet instead.",
)
@click.option(
    "-o",
    "--output",
    type=click.Path(dir_okay=False, path_type=Path),
    help="File (default: stdout).",
)
@with_appcontext
def export_command(
    document_id: int,
    agency_code: str | None,
    change_id: int | None,
    output: Path | None,
) -> None:
    """Write the packet docflow sends for an issued outgoing document (or one of its changes)."""
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
    if change_id is not None:
        data = _change_packet(doc, change_id, agency)
    else:
        data = edxml.build_document(packet_for(doc, [agency]))
    if output is None:
        click.get_binary_stream("stdout").write(data)
    else:
        output.write_bytes(data)
        click.echo(f"written {output}")


def _change_packet(doc, change_id: int, agency) -> bytes:  # noqa: ANN001 - models
    """The bytes posted to another instance (outbox), else the packet rebuilt now."""
    from ..outgoing.models import ChangeDelivery, OutgoingChange
    from .models import OutboxMessage
    from .sender_changes import change_packet

    change = db.session.get(OutgoingChange, change_id)
    if change is None or change.document_id != doc.id or change.kind == "recall":
        known = db.session.scalars(
            db.select(OutgoingChange).where(
                OutgoingChange.document_id == doc.id, OutgoingChange.kind != "recall"
            )
        ).all()
        listed = ", ".join(f"{c.id} ({c.kind} {c.at:%Y-%m-%d %H:%M})" for c in known)
        raise click.ClickException(
            f"no revocation or update {change_id} of this document"
            f" (its changes: {listed or 'none'})"
        )
    sent = db.session.scalar(
        db.select(OutboxMessage)
        .join(ChangeDelivery, ChangeDelivery.outbox_id == OutboxMessage.id)
        .where(
            ChangeDelivery.change_id == change.id,
            OutboxMessage.receiver_code == agency.code,
        )
    )
    if sent is not None:
        return sent.payload
    click.echo(
        "note: rebuilt with the document's current header (not kept for local delivery)",
        err=True,
    )
    business_type = edxml.REVOKE if change.kind == "revoke" else edxml.UPDATE
    return edxml.build_document(change_packet(doc, change, business_type, agency))


@interchange_cli.command("peer")
@click.argument("agency_code")
@click.argument("endpoint", required=False)
@click.argument("secret_env", required=False)
@click.option(
    "--active/--inactive",
    default=None,
    help="--inactive keeps the row but serves the agency here again; --active undoes it "
    "(default: new peers active, an existing peer keeps its state).",
)
@click.option(
    "--require-seal/--no-require-seal",
    default=None,
    help="Refuse document packets without a valid seal (default for new peers: on; "
    "an existing peer keeps its setting).",
)
@click.option(
    "--certificate",
    "certificates",
    multiple=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="Pin a seal certificate (PEM or DER) of that agency; repeat for key rotation.",
)
@click.option(
    "--unpin",
    multiple=True,
    metavar="SHA256",
    help="Remove the pinned certificate with this SHA-256 fingerprint.",
)
@with_appcontext
def peer_command(
    agency_code: str,
    endpoint: str | None,
    secret_env: str | None,
    active: bool | None,
    require_seal: bool | None,
    certificates: tuple[Path, ...],
    unpin: tuple[str, ...],
) -> None:
    """Add or change an agency served by another instance, or show it (code alone).

    ENDPOINT is the base URL of the other instance, SECRET_ENV the *name* of the
    environment variable holding the secret shared with it. Both are needed for a new
    peer; for an existing one they may be left out to change only its seal settings.
    """
    from .models import Peer
    from .operations import PeerInvalid, save_peer, secret_is_set
    from .trust import CertificateInvalid, pin_certificate, unpin_certificate

    peer = db.session.scalar(select(Peer).where(Peer.agency_code == agency_code))
    if peer is None and not (endpoint and secret_env):
        raise click.ClickException(
            f"{agency_code} is not in the peer directory: give ENDPOINT and SECRET_ENV"
        )
    values: dict = {"agency_code": agency_code}
    if active is not None:
        values["active"] = active
    values["endpoint"] = endpoint or peer.endpoint
    values["secret_env"] = secret_env or peer.secret_env
    if require_seal is not None:
        values["seal_required"] = require_seal
    try:
        peer = save_peer(peer, values)
        for path in certificates:
            pin_certificate(peer, path.read_bytes())
        for sha256 in unpin:
            if not unpin_certificate(peer, sha256):
                raise click.ClickException(f"no pinned certificate {sha256}")
    except PeerInvalid as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    except CertificateInvalid as exc:
        db.session.rollback()
        raise click.ClickException(f"{exc}") from None
    except click.ClickException:
        db.session.rollback()
        raise
    db.session.commit()
    click.echo(
        f"{agency_code} -> {peer.endpoint} ({'active' if peer.active else 'inactive'}); "
        f"seal {'required' if peer.seal_required else 'optional'}; "
        f"secret ${peer.secret_env} {'set' if secret_is_set(peer) else 'NOT SET'}"
    )
    for cert in peer.certificates:
        click.echo(
            f"  pinned {cert.sha256} {cert.subject} (until {cert.not_after:%Y-%m-%d})"
        )


@interchange_cli.command("flush")
@click.option(
    "--every",
    type=click.FloatRange(min=0.05),
    default=None,
    metavar="SECONDS",
    help="Keep running: queue the due messages every SECONDS until SIGTERM or Ctrl-C "
    "(e.g. --every 60 under systemd). Without it, run once (from cron).",
)
@click.option(
    "--now",
    is_flag=True,
    help="First make every pending message due at once (skip the back-off), e.g. "
    "after the other instance is back up.",
)
@with_appcontext
def flush_command(every: float | None, now: bool) -> None:
    """Queue the outbox messages whose next attempt is due (once, or in a loop)."""
    from .jobs import retry_due
    from .services import make_pending_due

    if now:
        click.echo(f"{make_pending_due()} pending message(s) made due now")
    if every is None:
        click.echo(f"{retry_due()} message(s) queued")
        return
    stop = threading.Event()

    def _stop(signum: int, _frame: object) -> None:
        logger.info("interchange flush: signal %s, stopping", signum)
        stop.set()

    previous = {
        sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)
    }
    click.echo(f"queueing due outbox messages every {every:g} s (SIGTERM stops)")
    runs = 0
    try:
        while not stop.is_set():
            runs += 1
            try:
                count = retry_due()
            except Exception:  # a database hiccup must not end the loop
                db.session.rollback()
                logger.exception("interchange flush: run %s failed", runs)
            else:
                if count:
                    click.echo(f"{count} message(s) queued")
            finally:
                db.session.remove()  # a fresh session (and connection) per run
            stop.wait(every)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    click.echo(f"stopped after {runs} run(s)")
