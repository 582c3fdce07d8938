"""Interchange operations: packets from outgoing documents, arrivals, statuses and the outbox.

Every delivery goes through an edXML packet, also between agencies of this instance (the
packet is built and received in the same transaction). Agencies with a ``Peer`` row live
on another instance: their packets wait in the outbox and are posted by the
``interchange.deliver`` job, retried with back-off until acknowledged. Arrivals are
idempotent on (receiving agency, sender, DocumentId): a packet delivered twice creates one
incoming document. Functions here never commit; views and jobs do.
"""

from __future__ import annotations

import hashlib
import io
import json
import logging
import os
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from flask import current_app
from sqlalchemy import select

from signing.errors import SigningError

from ..agencies.models import Agency
from ..audit.services import record
from ..documents.models import (
    Event,
    EventKind,
    IncomingDocument,
    IncomingStatus,
    Source,
)
from ..documents.vocab import Secrecy, Urgency
from ..extensions import db
from ..files.services import UploadRejected, open_file, store_file
from ..jobs import enqueue_after_commit
from ..outgoing.models import (
    DeliveryState,
    OutgoingDocument,
    OutgoingEvent,
    Recipient,
    RecipientKind,
)
from ..timeutil import to_local, utcnow
from . import edxml
from .edxml import (
    DocumentPacket,
    Organization,
    PacketRejected,
    ResponseFor,
    StatusPacket,
)
from .models import OutboxMessage, Peer, Receipt, RecipientStatus
from .transport import (
    Transport,
    TransportError,
    UrllibTransport,
    request_headers,
    verify_response,
)

logger = logging.getLogger(__name__)

URGENCY_PRIORITY = {
    Urgency.NORMAL: 0,
    Urgency.URGENT: 1,
    Urgency.VERY_URGENT: 2,
    Urgency.FLASH: 3,
}
PRIORITY_URGENCY = {v: k for k, v in URGENCY_PRIORITY.items()}
#: Seconds to wait before each new attempt; after the last one the message is "failed".
BACKOFF = (10, 30, 120, 600, 1800, 3600, 3 * 3600, 6 * 3600)
#: A recipient that has not registered (03) or refused (02) this long after sending is "slow".
SLOW_AFTER = timedelta(hours=4)
PACKETS_PATH, STATUS_PATH = "/interchange/v1/packets", "/interchange/v1/status"


# ------------------------------------------------------------------ directory
def peer_for(code: str | None) -> Peer | None:
    if not code:
        return None
    return db.session.scalar(
        select(Peer).where(Peer.agency_code == code, Peer.active.is_(True))
    )


def is_remote(agency: Agency | None) -> bool:
    """Agencies with an active peer row are served by another instance."""
    return agency is not None and peer_for(agency.code) is not None


def peer_secret(peer: Peer) -> str:
    secret = os.environ.get(peer.secret_env, "")
    if len(secret) < 16:
        raise TransportError(
            f"the shared secret ${peer.secret_env} is not set (or shorter than 16 characters)"
        )
    return secret


def get_transport() -> Transport:
    return (
        current_app.extensions.get("docflow.interchange.transport") or UrllibTransport()
    )


# ------------------------------------------------------------------ building packets
def _org(agency: Agency) -> Organization:
    return Organization(
        organ_id=agency.code,
        name=agency.name,
        in_charge=agency.name,
        address=getattr(agency, "address", None) or "",
    )


def _read(file_id: int | None) -> bytes:
    from ..files.models import StoredFile

    with open_file(db.session.get(StoredFile, file_id)) as stream:
        return stream.read()


def document_id_of(doc: OutgoingDocument) -> str:
    return edxml.document_id(
        doc.agency.code, to_local(doc.issued_at).date(), doc.number_notation
    )


def electronic_recipient_codes(doc: OutgoingDocument) -> list[str]:
    """Codes of the agencies ``doc`` was sent to electronically (delivered or in the outbox)."""
    return sorted(
        r.agency.code
        for r in doc.recipients
        if r.kind == RecipientKind.AGENCY
        and r.agency is not None
        and r.delivery in (DeliveryState.DELIVERED, DeliveryState.QUEUED)
    )


def _replacement(doc: OutgoingDocument) -> tuple[int, str, list[edxml.Replacement]]:
    """BussinessDocType, reason and ReplacementInfoList of an issued document."""
    old = doc.replaces
    if old is None or old.issued_at is None or old.is_secret:
        # A secret document never travelled: its replacement is news to the receivers.
        return edxml.NEW, "", []
    return (
        edxml.REPLACE,
        f"Thay thế văn bản {old.number_notation}",
        [edxml.Replacement(document_id_of(old), electronic_recipient_codes(old))],
    )


def packet_for(
    doc: OutgoingDocument, receivers: list[Agency], files: bool = True
) -> DocumentPacket:
    """The edXML packet of an issued outgoing document for ``receivers``.

    A document replacing another one is BussinessDocType 3 with ReplacementInfoList;
    ``files=False`` leaves the files out (revocation and update packets: the header is
    what changes).
    """
    place = (
        (doc.agency.address or "").split(",")[-1].strip() if doc.agency.address else ""
    )
    attachments = []
    if files:
        attachments.append(
            edxml.Attachment(
                content_id=f"{doc.id}-main",
                name=f"{doc.number:02d}-{doc.notation}.pdf",
                data=_read(doc.issued_file_id),
            )
        )
        for att in doc.attachments:
            attachments.append(
                edxml.Attachment(
                    content_id=f"{doc.id}-a{att.id}",
                    name=att.file.original_name,
                    data=_read(att.sealed_file_id or att.file_id),
                )
            )
    issued_by = doc.issued_by
    business_type, reason, replacements = _replacement(doc)
    return DocumentPacket(
        sender=_org(doc.agency),
        receivers=[_org(a) for a in receivers],
        code_number=f"{doc.number:02d}",
        code_notation=doc.notation or "",
        promulgation_date=to_local(doc.issued_at).date(),
        subject=doc.subject,
        document_id=document_id_of(doc),
        place=place,
        type_name=doc.doc_type,
        signer_position=doc.published_signer_position,
        signer_name=doc.published_signer_name,
        due_date=doc.due_date,
        page_amount=doc.page_count,
        to_places=[r.name for r in doc.recipients],
        priority=URGENCY_PRIORITY.get(doc.urgency, 0),
        sphere="Liên thông văn bản",
        traces=[(doc.agency.code, edxml.format_timestamp(to_local(utcnow())))],
        business_type=business_type,
        business_reason=reason,
        replacements=replacements,
        staff=edxml.Staff(staff=issued_by.full_name) if issued_by else None,
        attachments=attachments,
    )


# ------------------------------------------------------------------ sending documents
def deliver_local(doc: OutgoingDocument, agency: Agency) -> IncomingDocument:
    """Deliver to an agency of this instance through the packet path (no commit)."""
    packet = edxml.parse_packet(edxml.build_document(packet_for(doc, [agency])))
    assert isinstance(packet, DocumentPacket)  # noqa: S101 - we built it
    return accept_document(packet, via="local", only=agency)[0]


def queue_remote(doc: OutgoingDocument, recipient: Recipient) -> OutboxMessage:
    """Put the packet for a remote recipient in the outbox; posted after commit (no commit here)."""
    doc_id = document_id_of(doc)
    msg = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "document",
            OutboxMessage.sender_code == doc.agency.code,
            OutboxMessage.receiver_code == recipient.agency.code,
            OutboxMessage.edxml_document_id == doc_id,
        )
    )
    if msg is None:
        msg = OutboxMessage(
            kind="document",
            sender_code=doc.agency.code,
            receiver_code=recipient.agency.code,
            edxml_document_id=doc_id,
            status_code="",
            outgoing_id=doc.id,
            recipient_id=recipient.id,
            payload=_sealed(
                doc, edxml.build_document(packet_for(doc, [recipient.agency]))
            ),
        )
        db.session.add(msg)
        db.session.flush()
    elif msg.state == "failed":  # an operator sends again: a fresh round of attempts
        msg.state, msg.attempts, msg.next_attempt_at = "pending", 0, utcnow()
        # Changes that gave up because the document did not get through follow it again.
        for change in _same_thread(msg, after=msg.id, states=("failed",)):
            change.state, change.attempts, change.next_attempt_at = (
                "pending",
                0,
                utcnow(),
            )
    if msg.state == "pending":
        enqueue_after_commit("interchange.deliver", msg.id)
    return msg


def queue_change(
    doc: OutgoingDocument, recipient: Recipient, change_id: int, data: bytes
) -> OutboxMessage:
    """Put a revocation or update packet for a remote recipient in the outbox (no commit).

    It shares the DocumentId of the document packet, so ``change_key`` (the change's id)
    keeps it apart from the original and from the other changes. It is posted only after
    every earlier packet about the document to that recipient is acknowledged.
    """
    doc_id, key = document_id_of(doc), str(change_id)
    msg = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "change",
            OutboxMessage.sender_code == doc.agency.code,
            OutboxMessage.receiver_code == recipient.agency.code,
            OutboxMessage.edxml_document_id == doc_id,
            OutboxMessage.change_key == key,
        )
    )
    if msg is None:
        msg = OutboxMessage(
            kind="change",
            sender_code=doc.agency.code,
            receiver_code=recipient.agency.code,
            edxml_document_id=doc_id,
            status_code="",
            change_key=key,
            outgoing_id=doc.id,
            recipient_id=recipient.id,
            payload=_sealed(doc, data),
        )
        db.session.add(msg)
        db.session.flush()
        enqueue_after_commit("interchange.deliver", msg.id)
    return msg


def _same_thread(
    msg: OutboxMessage,
    *,
    before: int | None = None,
    after: int | None = None,
    states: tuple[str, ...] = ("pending", "failed"),
) -> list[OutboxMessage]:
    """Document and change packets about the same document to the same receiver."""
    query = select(OutboxMessage).where(
        OutboxMessage.kind.in_(("document", "change")),
        OutboxMessage.sender_code == msg.sender_code,
        OutboxMessage.receiver_code == msg.receiver_code,
        OutboxMessage.edxml_document_id == msg.edxml_document_id,
        OutboxMessage.state.in_(states),
    )
    if before is not None:
        query = query.where(OutboxMessage.id < before)
    if after is not None:
        query = query.where(OutboxMessage.id > after, OutboxMessage.kind == "change")
    return list(db.session.scalars(query.order_by(OutboxMessage.id)))


def _sealed(doc: OutgoingDocument, data: bytes) -> bytes:
    """The packet signed (XML-DSig) with the agency seal when the agency has a seal key."""
    from ..documents.services import ActionRefused
    from ..outgoing.models import SigningCredential
    from ..outgoing.services import credential
    from ..outgoing.signatures import CredentialMissing
    from .seal import sign_packet

    has_seal = db.session.scalar(
        select(SigningCredential.id).where(
            SigningCredential.agency_id == doc.agency_id,
            SigningCredential.purpose == "seal",
            SigningCredential.user_id.is_(None),
            SigningCredential.active.is_(True),
        )
    )
    if has_seal is None:
        return data
    try:
        return sign_packet(data, credential(doc.agency_id, "seal").open())
    except (CredentialMissing, SigningError) as exc:
        raise ActionRefused(
            "The packet could not be sealed: %(reason)s", reason=str(exc)
        ) from exc


# ------------------------------------------------------------------ arrivals
def accept_document(
    packet: DocumentPacket,
    via: str,
    only: Agency | None = None,
    sealed_by: str | None = None,
) -> list[IncomingDocument]:
    """Put the packet in the queue of each addressed agency served here (idempotent; no commit)."""
    if only is not None:
        targets = [only]
    else:
        codes = {r.organ_id for r in packet.receivers}
        targets = [
            a
            for a in db.session.scalars(select(Agency).where(Agency.code.in_(codes)))
            if a.active and not is_remote(a)
        ]
    if not targets:
        raise PacketRejected("no recipient of this packet is served by this system")
    from .changes import apply_change, mark_replaced

    if packet.business_type in (edxml.REVOKE, edxml.UPDATE):
        return [apply_change(agency, packet) for agency in targets]
    sender = packet.sender.organ_id
    # A type-3 packet delivered again must not note the replacement twice.
    fresh = [_receipt(a.id, sender, packet.document_id) is None for a in targets]
    accepted = [_accept_for(agency, packet, via, sealed_by) for agency in targets]
    if packet.business_type == edxml.REPLACE:
        for agency, incoming, new in zip(targets, accepted, fresh, strict=True):
            if new:
                mark_replaced(agency, packet, incoming)
    return accepted


def _receipt(agency_id: int, sender: str, doc_id: str) -> Receipt | None:
    return db.session.scalar(
        select(Receipt).where(
            Receipt.agency_id == agency_id,
            Receipt.sender_code == sender,
            Receipt.edxml_document_id == doc_id,
        )
    )


def _accept_for(
    agency: Agency, packet: DocumentPacket, via: str, sealed_by: str | None = None
) -> IncomingDocument:
    sender = packet.sender.organ_id
    existing = _receipt(agency.id, sender, packet.document_id)
    if existing is not None:
        logger.info(
            "packet %s from %s already received for %s",
            packet.document_id,
            sender,
            agency.code,
        )
        incoming = db.session.get(IncomingDocument, existing.incoming_id)
        if via != "local":
            _resume_arrival(incoming, existing)
        return incoming
    # No savepoint here: SQLAlchemy fires "after_commit" when a savepoint is released, which
    # would run the jobs queued so far before the real commit. A concurrent twin fails on
    # the receipt's unique constraint at commit instead; the sender retries and gets the twin.
    incoming = _create_incoming(agency, packet, via, sealed_by)
    enqueue_after_commit("incoming.validate_signatures", incoming.id)
    enqueue_after_commit("interchange.validate_extra_files", incoming.id)
    enqueue_after_commit("interchange.status", incoming.id, "01")
    return incoming


def _resume_arrival(incoming: IncomingDocument, receipt: Receipt) -> None:
    """Queue again the arrival's follow-up jobs whose result is missing (no commit).

    They run after the arrival's commit: a receiver killed in between (inline jobs die
    with the web process) keeps the document but loses its signature reports, its index
    entry and status 01, and the sender, having had no answer, sends the packet again.
    The jobs are idempotent; a status 01 already in the outbox is left to the flush.
    """
    if incoming.signature_report is None:
        enqueue_after_commit("incoming.validate_signatures", incoming.id)
    if receipt.extra_files and receipt.extra_reports is None:
        enqueue_after_commit("interchange.validate_extra_files", incoming.id)
    enqueue_after_commit("search.index_incoming", incoming.id)
    queued = db.session.scalar(
        select(OutboxMessage.id).where(
            OutboxMessage.kind == "status",
            OutboxMessage.sender_code == incoming.agency.code,
            OutboxMessage.receiver_code == receipt.sender_code,
            OutboxMessage.edxml_document_id == receipt.edxml_document_id,
            OutboxMessage.status_code == "01",
        )
    )
    if queued is None:
        enqueue_after_commit("interchange.status", incoming.id, "01")


def _store(agency: Agency, att: edxml.Attachment) -> int:
    try:
        stored = store_file(
            io.BytesIO(att.data),
            original_name=att.name,
            agency_id=agency.id,
            uploaded_by_id=None,
        )
    except UploadRejected as exc:
        raise PacketRejected(f"attachment {att.name}: {exc}") from None
    return stored.id


def _create_incoming(
    agency: Agency, packet: DocumentPacket, via: str, sealed_by: str | None
) -> IncomingDocument:
    files = sorted(
        packet.attachments, key=lambda a: not a.data.startswith(b"%PDF")
    )  # the first PDF is the main file
    file_ids = [_store(agency, att) for att in files if att.data]
    sender = packet.sender
    incoming = IncomingDocument(
        agency_id=agency.id,
        status=IncomingStatus.PENDING,
        source=Source.INTERCHANGE,
        main_file_id=file_ids[0] if file_ids else None,
        issuer_name=(sender.name or sender.in_charge or sender.organ_id)[:200],
        issuer_code=sender.organ_id[:13],
        code_number=packet.code_number[:11],
        code_notation=packet.code_notation[:30],
        issued_date=packet.promulgation_date,
        doc_type=(packet.type_name or "Công văn")[:100],
        subject=packet.subject[:500],
        signer_name=packet.signer_name[:50] or None,
        signer_position=packet.signer_position[:100] or None,
        page_count=packet.page_amount,
        urgency=PRIORITY_URGENCY.get(packet.priority or 0, Urgency.NORMAL),
        secrecy=Secrecy.NONE,
        due_date=packet.due_date,
    )
    db.session.add(incoming)
    db.session.flush()
    sealed = f" — gói tin ký số bởi {sealed_by}" if sealed_by else ""
    db.session.add(
        Event(
            document_id=incoming.id,
            kind=EventKind.RECEIVED,
            text=f"{incoming.issuer_name}: {incoming.number_notation}{sealed}"[:4000],
        )
    )
    db.session.add(
        Receipt(
            agency_id=agency.id,
            sender_code=sender.organ_id,
            edxml_document_id=packet.document_id,
            incoming_id=incoming.id,
            via=via,
            extra_files=json.dumps(file_ids[1:]) if file_ids[1:] else None,
        )
    )
    db.session.flush()
    record(
        "incoming.receive",
        agency_id=agency.id,
        obj=incoming,
        source=via,
        sender=sender.organ_id,
        document_id=packet.document_id,
        sealed_by=sealed_by,
    )
    logger.info(
        "packet %s from %s received for %s as incoming %s",
        packet.document_id,
        sender.organ_id,
        agency.code,
        incoming.id,
    )
    return incoming


def packet_files(incoming: IncomingDocument) -> list[tuple[Any, dict | None]]:
    """The packet's other files of a received document, each with its signature report.

    The report is None until ``interchange.validate_extra_files`` has run (or for files
    that are not PDFs). Callers check that the user may see the document's content.
    """
    from ..files.models import StoredFile

    receipt = db.session.scalar(
        select(Receipt).where(Receipt.incoming_id == incoming.id)
    )
    if receipt is None or not receipt.extra_files:
        return []
    ids = [int(i) for i in json.loads(receipt.extra_files)]
    reports = json.loads(receipt.extra_reports) if receipt.extra_reports else {}
    files = {
        f.id: f
        for f in db.session.scalars(
            select(StoredFile).where(
                StoredFile.id.in_(ids), StoredFile.agency_id == incoming.agency_id
            )
        )
    }
    return [(files[i], reports.get(str(i))) for i in ids if i in files]


def validate_extra_files(incoming_id: int) -> None:
    """Validate the signatures of the packet's other PDF files and keep the reports (commits)."""
    from signing.validate import validate_pdf

    incoming = db.session.get(IncomingDocument, incoming_id)
    if incoming is None:
        return
    config = current_app.config
    reports = {}
    for stored, _report in packet_files(incoming):
        if stored.media_type != "application/pdf":
            continue
        report = validate_pdf(
            _read(stored.id),
            trust_roots=config["TRUST_ROOTS"],
            allow_fetching=config["REVOCATION_FETCHING"],
            crls=config["REVOCATION_FILES"],
        )
        reports[str(stored.id)] = report.to_dict()
    if not reports:
        return
    receipt = db.session.scalar(
        select(Receipt).where(Receipt.incoming_id == incoming_id)
    )
    receipt.extra_reports = json.dumps(reports, ensure_ascii=False)
    db.session.commit()
    logger.info(
        "signatures of %s packet file(s) of incoming %s", len(reports), incoming_id
    )


# ------------------------------------------------------------------ statuses
def status_for(
    incoming: IncomingDocument, code: str, description: str | None = None
) -> tuple[StatusPacket, Receipt] | None:
    """The status packet telling the sender about ``incoming``; None if it did not come by interchange."""
    receipt = db.session.scalar(
        select(Receipt).where(Receipt.incoming_id == incoming.id)
    )
    if receipt is None:
        return None
    if description is None and code == "02":
        description = incoming.return_reason
    packet = StatusPacket(
        sender=_org(incoming.agency),
        response_for=ResponseFor(
            organ_id=receipt.sender_code,
            code=incoming.number_notation,
            promulgation_date=f"{incoming.issued_date:%Y/%m/%d}"
            if incoming.issued_date
            else "",
            document_id=receipt.edxml_document_id,
        ),
        status_code=code,
        description=description or edxml.STATUS_CODES[code],
        timestamp=edxml.format_timestamp(to_local(utcnow())),
    )
    return packet, receipt


def send_status(
    incoming_id: int, code: str, change_receipt_id: int | None = None
) -> None:
    """Tell the sender what happened to a received document (commits).

    With ``change_receipt_id`` it is the answer to that revocation or update: each change
    has its own answer (its own outbox key and description), even several in one second.
    """
    from .changes import answer_text
    from .models import ChangeReceipt

    incoming = db.session.get(IncomingDocument, incoming_id)
    change = (
        db.session.get(ChangeReceipt, change_receipt_id) if change_receipt_id else None
    )
    description = answer_text(change) if change is not None else None
    built = status_for(incoming, code, description) if incoming is not None else None
    if built is None or (code == "05" and not _first_processing(incoming)):
        return
    packet, receipt = built
    data = edxml.build_status(packet)
    if peer_for(receipt.sender_code) is None:
        parsed = edxml.parse_packet(data)
        assert isinstance(parsed, StatusPacket)  # noqa: S101 - we built it
        try:
            accept_status(parsed)
        except (
            PacketRejected
        ) as exc:  # e.g. the sender's document is gone: nothing to tell
            logger.warning(
                "status %s for incoming %s not recorded: %s",
                code,
                incoming_id,
                exc.reason,
            )
        db.session.commit()
        return
    queue_status(
        incoming.agency.code,
        receipt.sender_code,
        receipt.edxml_document_id,
        code,
        data,
        change_key=change.change_key if change is not None else "",
    )
    db.session.commit()


def _first_processing(incoming: IncomingDocument) -> bool:
    """05 is sent once: for the first handler's event on the timeline."""
    from sqlalchemy import func

    from .listeners import PROCESSING

    count = db.session.scalar(
        select(func.count(Event.id)).where(
            Event.document_id == incoming.id,
            Event.kind.in_(PROCESSING),
            Event.actor_id.is_not(None),
        )
    )
    return count == 1


def _find_recipient(status: StatusPacket) -> Recipient:
    doc_id = status.response_for.document_id
    match = edxml.DOCUMENT_ID_RE.match(doc_id)
    if match is None:
        raise PacketRejected(
            f"ResponseFor/DocumentId is not a document of this system: {doc_id[:80]!r}"
        )
    number, _sep, notation = match["code"].partition("/")
    agency = db.session.scalar(select(Agency).where(Agency.code == match["organ"]))
    if agency is None or is_remote(agency) or not number.isdigit():
        raise PacketRejected(
            f"ResponseFor/DocumentId is not a document of this system: {doc_id[:80]!r}"
        )
    year = int(match["date"][:4])
    doc = db.session.scalar(
        select(OutgoingDocument).where(
            OutgoingDocument.agency_id == agency.id,
            OutgoingDocument.year == year,
            OutgoingDocument.number == int(number),
            OutgoingDocument.notation == notation,
        )
    )
    recipient = None
    if doc is not None:
        recipient = next(
            (
                r
                for r in doc.recipients
                if r.kind == RecipientKind.AGENCY
                and r.agency is not None
                and r.agency.code == status.sender.organ_id
            ),
            None,
        )
    if recipient is None:
        raise PacketRejected(
            f"{status.sender.organ_id} is not a recipient of {doc_id[:80]}"
        )
    return recipient


def accept_status(status: StatusPacket) -> RecipientStatus | IncomingDocument:
    """Record a recipient's status about one of our documents (idempotent; no commit).

    Status 13 goes the other way: the sender asks to take back a document we received.
    """
    if status.status_code == "13":
        from .changes import accept_recall

        return accept_recall(status)
    recipient = _find_recipient(status)
    description = (status.description or "")[:500] or None
    digest = hashlib.sha256((description or "").encode()).hexdigest()
    existing = db.session.scalar(
        select(RecipientStatus).where(
            RecipientStatus.recipient_id == recipient.id,
            RecipientStatus.code == status.status_code,
            RecipientStatus.at_text == status.timestamp[:32],
            RecipientStatus.digest == digest,
        )
    )
    if existing is not None:
        return existing
    row = RecipientStatus(
        recipient_id=recipient.id,
        code=status.status_code,
        description=description,
        at_text=status.timestamp[:32],
        digest=digest,
    )
    db.session.add(row)
    if status.status_code in ("15", "16"):
        _answer_change(recipient, status.status_code)
    text = f"{recipient.name}: {status.status_code} {edxml.STATUS_CODES[status.status_code]}"
    if status.status_code in ("02", "15", "16") and status.description:
        text += f" — {status.description[:300]}"
    db.session.add(
        OutgoingEvent(
            document_id=recipient.document_id,
            kind=f"status_{status.status_code}",
            text=text,
        )
    )
    db.session.flush()
    record(
        "outgoing.status",
        agency_id=recipient.document.agency_id,
        obj=recipient.document,
        recipient=status.sender.organ_id,
        code=status.status_code,
    )
    return row


def _answer_change(recipient: Recipient, code: str) -> None:
    """Match a 15/16 answer with the oldest request to that recipient still unanswered.

    Receivers answer recalls and changes in the order they get them (packets to one
    receiver are posted in order, see ``_wait_for_earlier``).
    """
    from ..outgoing.models import ChangeDelivery

    pending = db.session.scalar(
        select(ChangeDelivery)
        .where(
            ChangeDelivery.recipient_id == recipient.id,
            ChangeDelivery.answer.is_(None),
        )
        .order_by(ChangeDelivery.id)
        .limit(1)
    )
    if pending is not None:
        pending.answer, pending.answered_at = code, utcnow()


def queue_status(
    sender: str,
    receiver: str,
    doc_id: str,
    code: str,
    data: bytes,
    change_key: str = "",
) -> OutboxMessage:
    msg = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.kind == "status",
            OutboxMessage.sender_code == sender,
            OutboxMessage.receiver_code == receiver,
            OutboxMessage.edxml_document_id == doc_id,
            OutboxMessage.status_code == code,
            OutboxMessage.change_key == change_key,
        )
    )
    if msg is None:
        msg = OutboxMessage(
            kind="status",
            sender_code=sender,
            receiver_code=receiver,
            edxml_document_id=doc_id,
            status_code=code,
            change_key=change_key,
            payload=data,
        )
        db.session.add(msg)
        db.session.flush()
        enqueue_after_commit("interchange.deliver", msg.id)
    return msg


# ------------------------------------------------------------------ the outbox
def deliver_message(message_id: int) -> None:
    """Post one outbox message; on failure schedule the next attempt (commits)."""
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None or msg.state != "pending":
        return
    if msg.kind == "change" and _wait_for_earlier(msg):
        return
    path = STATUS_PATH if msg.kind == "status" else PACKETS_PATH
    body, sender = msg.payload, msg.sender_code
    peer = peer_for(msg.receiver_code)
    # Hold no transaction while waiting on the network (SQLite writers, long requests).
    db.session.commit()
    try:
        if peer is None:
            raise TransportError(
                f"no endpoint for {msg.receiver_code} in the agency directory"
            )
        secret = peer_secret(peer)
        headers = request_headers(secret, sender, path, body)
        reply = get_transport().post(peer.endpoint.rstrip("/") + path, body, headers)
        if not verify_response(secret, headers["X-Edxml-Signature"], reply):
            raise TransportError(
                f"HTTP {reply.status}: the reply is not authenticated by the peer"
            )
        answer = _json(reply.body)
        if (
            reply.status == 422
        ):  # the peer refused the packet itself: sending it again will not help
            _fail(
                message_id,
                f"rejected by the receiver: {answer.get('reason', '')}",
                final=True,
            )
            return
        if reply.status != 200:
            raise TransportError(f"HTTP {reply.status}: {answer.get('reason', '')}")
    except TransportError as exc:
        _fail(message_id, str(exc))
        return
    msg = db.session.get(OutboxMessage, message_id)
    msg.state, msg.sent_at, msg.last_error = "sent", utcnow(), None
    msg.attempts += 1
    recipient = (
        db.session.get(Recipient, msg.recipient_id) if msg.recipient_id else None
    )
    if recipient is not None and msg.kind == "document":  # in the other's queue
        recipient.delivery, recipient.delivered_at = (
            DeliveryState.DELIVERED,
            msg.sent_at,
        )
        db.session.add(
            OutgoingEvent(
                document_id=recipient.document_id, kind="delivered", text=recipient.name
            )
        )
    following = _same_thread(msg, after=msg.id, states=("pending",))
    if following:  # the next change about this document may go now
        enqueue_after_commit("interchange.deliver", following[0].id)
    db.session.commit()
    logger.info(
        "outbox %s (%s %s) delivered to %s",
        message_id,
        msg.kind,
        msg.edxml_document_id,
        msg.receiver_code,
    )


def _wait_for_earlier(msg: OutboxMessage) -> bool:
    """A change waits until the document and earlier changes reached the receiver (commits).

    The receiver applies a change to the document it received, so a change overtaking
    its document would be refused; once an earlier packet gave up, so does the change.
    """
    earlier = _same_thread(msg, before=msg.id)
    if not earlier:
        return False
    if earlier[0].state == "failed":
        _fail(
            msg.id,
            f"outbox {earlier[0].id} about the same document was not delivered",
            final=True,
        )
        return True
    # Sent as soon as the earlier one is acknowledged; the cron flush is the fallback.
    msg.next_attempt_at = utcnow() + timedelta(seconds=BACKOFF[1])
    db.session.commit()
    return True


def _json(body: bytes) -> dict[str, Any]:
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def _fail(message_id: int, error: str, final: bool = False) -> None:
    msg = db.session.get(OutboxMessage, message_id)
    msg.attempts += 1
    msg.last_error = error[:500]
    if final or msg.attempts > len(BACKOFF):
        msg.state = "failed"
    else:
        msg.next_attempt_at = utcnow() + timedelta(seconds=BACKOFF[msg.attempts - 1])
    db.session.commit()
    logger.warning("outbox %s attempt %s failed: %s", message_id, msg.attempts, error)


def make_pending_due() -> int:
    """Operator override of the back-off: every pending message becomes due now (commits)."""
    from sqlalchemy import update

    result = db.session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.state == "pending")
        .values(next_attempt_at=utcnow())
    )
    db.session.commit()
    return result.rowcount


def due_messages() -> list[int]:
    return list(
        db.session.scalars(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.state == "pending",
                OutboxMessage.next_attempt_at <= utcnow(),
            )
            .order_by(OutboxMessage.id)
        )
    )


# ------------------------------------------------------------------ what the sender sees
@dataclass
class Delivery:
    """One recipient's interchange state: not_sent, sent, failed, returned, recalled or slow.

    ``changes`` are the recalls, revocations and updates sent to it (ChangeDelivery rows).
    """

    state: str
    error: str | None = None
    statuses: list[RecipientStatus] = field(default_factory=list)
    changes: list[Any] = field(default_factory=list)

    @property
    def last(self) -> RecipientStatus | None:
        return self.statuses[-1] if self.statuses else None


def delivery_of(recipient: Recipient) -> Delivery | None:
    if (
        recipient.kind != RecipientKind.AGENCY
        or recipient.delivery.value == "not_electronic"
    ):
        return None
    statuses = list(
        db.session.scalars(
            select(RecipientStatus)
            .where(RecipientStatus.recipient_id == recipient.id)
            .order_by(RecipientStatus.id)
        )
    )
    from ..outgoing.models import ChangeDelivery

    codes = {s.code for s in statuses}
    changes = list(
        db.session.scalars(
            select(ChangeDelivery)
            .where(ChangeDelivery.recipient_id == recipient.id)
            .order_by(ChangeDelivery.id)
        )
    )
    msg = db.session.scalar(
        select(OutboxMessage).where(
            OutboxMessage.recipient_id == recipient.id, OutboxMessage.kind == "document"
        )
    )
    # A 15 also answers revocations and updates: "recalled" only when it answers a recall
    # (recalls from before changes were recorded: any 15).
    recalled = (
        any(c.change.kind == "recall" and c.answer == "15" for c in changes)
        if changes
        else "15" in codes
    )
    state, error = "sent", None
    if recalled:
        state = "recalled"
    elif "02" in codes:
        state = "returned"
    elif msg is not None and msg.state == "failed":
        state, error = "failed", msg.last_error
    else:
        sent_at = msg.sent_at if msg is not None else recipient.delivered_at
        if sent_at is None:
            state, error = "not_sent", msg.last_error if msg is not None else None
        elif not codes & {"03", "04", "05", "06"} and utcnow() - sent_at > SLOW_AFTER:
            state = "slow"
    return Delivery(state, error, statuses, changes)


def change_state(delivery: Any) -> tuple[str, str | None]:
    """Where one change to one recipient is: "applied" (same instance), "sent", "waiting"
    or "failed" (with the error)."""
    if delivery.outbox_id is None:
        return "applied", None
    msg = db.session.get(OutboxMessage, delivery.outbox_id)
    if msg.state == "sent":
        return "sent", None
    if msg.state == "failed":
        return "failed", msg.last_error
    return "waiting", msg.last_error
