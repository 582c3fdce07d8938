"""Changes after delivery: recall (status 13 answered 15/16) and BussinessDocType 1 revoke,
2 update, 3 replace, applied to the document received before with the same DocumentId.

A document not yet registered is given back (returned: it leaves the queue); a registered
one keeps its place in the register and its timeline records the change. A revocation
or update is applied once however often its packet is delivered (``ChangeReceipt``).
The sender's side of revocations and updates is in ``sender_changes``.
"""

from __future__ import annotations

import hashlib
import json
import logging
from typing import Any

from sqlalchemy import select

from ..agencies.models import Agency
from ..audit.services import record
from ..documents.models import Event, EventKind, IncomingDocument, IncomingStatus
from ..extensions import db
from ..jobs import enqueue_after_commit
from ..outgoing.models import (
    ChangeDelivery,
    OutgoingChange,
    OutgoingDocument,
    OutgoingEvent,
    RecipientKind,
)
from ..timeutil import to_local, utcnow
from . import edxml
from .edxml import DocumentPacket, PacketRejected, ResponseFor, StatusPacket
from .models import ChangeReceipt
from .services import _org, _receipt, document_id_of, is_remote, queue_status

logger = logging.getLogger(__name__)


# ------------------------------------------------------------------ recall (lấy lại: 13 -> 15 / 16)
def recall(actor: Any, doc: OutgoingDocument, reason: str) -> int:
    """Ask every agency that received ``doc`` electronically to give it back (commits).

    Each receiver answers 15 (agreed: it had not registered the document, which is now
    returned) or 16 (refused: already registered). Returns the number of requests sent.
    """
    from ..auth.models import Role
    from ..documents.services import ActionRefused

    if actor.role != Role.RECORDS_OFFICER or actor.agency_id != doc.agency_id:
        raise ActionRefused("Only the agency's records officers recall documents.")
    if doc.issued_at is None:
        raise ActionRefused("Only issued documents can be recalled.")
    if doc.revoked_at is not None:
        raise ActionRefused("This document has been revoked.")
    if not (reason and reason.strip()):
        raise ActionRefused("Give the reason for recalling the document.")
    reason = reason.strip()[:500]
    change = OutgoingChange(
        document_id=doc.id, kind="recall", reason=reason, actor_id=actor.id
    )
    db.session.add(change)
    db.session.flush()
    count = 0
    for recipient in doc.recipients:
        if recipient.kind != RecipientKind.AGENCY or recipient.delivery.value not in (
            "delivered",
            "queued",
        ):
            continue
        packet = StatusPacket(
            sender=_org(doc.agency),
            status_code="13",
            description=reason,
            response_for=ResponseFor(
                organ_id=recipient.agency.code,
                code=doc.number_notation,
                promulgation_date=f"{to_local(doc.issued_at):%Y/%m/%d}",
                document_id=document_id_of(doc),
            ),
            timestamp=edxml.format_timestamp(to_local(utcnow())),
        )
        data = edxml.build_status(packet)
        delivery = ChangeDelivery(change_id=change.id, recipient_id=recipient.id)
        if is_remote(recipient.agency):
            delivery.outbox_id = queue_status(
                doc.agency.code,
                recipient.agency.code,
                packet.response_for.document_id,
                "13",
                data,
            ).id
        else:
            parsed = edxml.parse_packet(data)
            try:
                accept_recall(parsed)
            except (
                PacketRejected
            ) as exc:  # it never arrived there: nothing to take back
                logger.info(
                    "recall of %s at %s: %s", doc.id, recipient.agency.code, exc.reason
                )
                continue
        db.session.add(delivery)
        count += 1
    db.session.add(
        OutgoingEvent(
            document_id=doc.id, kind="recall_requested", actor_id=actor.id, text=reason
        )
    )
    record(
        "outgoing.recall",
        actor=actor,
        agency_id=doc.agency_id,
        obj=doc,
        reason=reason,
        recipients=count,
    )
    db.session.commit()
    return count


def accept_recall(status: StatusPacket) -> IncomingDocument:
    agency = db.session.scalar(
        select(Agency).where(Agency.code == status.response_for.organ_id)
    )
    receipt = (
        _receipt(agency.id, status.sender.organ_id, status.response_for.document_id)
        if agency
        else None
    )
    if receipt is None:
        raise PacketRejected(
            "no document received from this sender with this DocumentId"
        )
    incoming = db.session.get(IncomingDocument, receipt.incoming_id)
    reason = (status.description or "")[:400]
    if incoming.status == IncomingStatus.PENDING:
        incoming.status = IncomingStatus.RETURNED
        incoming.return_reason = f"Lấy lại theo yêu cầu của cơ quan gửi: {reason}"[:500]
        db.session.add(
            Event(
                document_id=incoming.id,
                kind=EventKind.RETURNED,
                text=incoming.return_reason,
            )
        )
        answer = "15"
    elif incoming.status == IncomingStatus.RETURNED:
        answer = "15"  # already given back (a repeated request)
    else:
        db.session.add(
            Event(
                document_id=incoming.id,
                kind=EventKind.COMMENTED,
                text=f"Cơ quan gửi yêu cầu lấy lại ({reason}): từ chối, văn bản đã vào sổ.",
            )
        )
        answer = "16"
    record(
        "incoming.recall",
        agency_id=incoming.agency_id,
        obj=incoming,
        sender=status.sender.organ_id,
        answer=answer,
    )
    db.session.flush()
    enqueue_after_commit("interchange.status", incoming.id, answer)
    return incoming


# ------------------------------------------------------------------ revoke, update, replace
def _received(agency: Agency, sender: str, doc_id: str) -> IncomingDocument:
    receipt = _receipt(agency.id, sender, doc_id)
    if receipt is None:
        raise PacketRejected(
            f"no document {doc_id[:80]} from {sender} was received by {agency.code}"
        )
    return db.session.get(IncomingDocument, receipt.incoming_id)


def _give_back_or_note(incoming: IncomingDocument, text: str) -> None:
    """Not yet registered: returned (it leaves the queue). Registered: the timeline says so."""
    if incoming.status == IncomingStatus.PENDING:
        incoming.status, incoming.return_reason = IncomingStatus.RETURNED, text[:500]
        db.session.add(
            Event(
                document_id=incoming.id,
                kind=EventKind.RETURNED,
                text=incoming.return_reason,
            )
        )
    else:
        db.session.add(
            Event(document_id=incoming.id, kind=EventKind.COMMENTED, text=text[:4000])
        )


def change_key(packet: DocumentPacket) -> str:
    """The idempotency key of a change packet: SHA-256 of its content.

    A change shares the DocumentId of the original document, so that id alone cannot
    tell a new change from a re-delivery. Each change is built once by the sender (the
    outbox keeps the bytes it retries), with its own trace timestamp, reason and header.
    """
    data = packet.to_dict()
    data.pop("warnings", None)
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def answer_text(receipt: ChangeReceipt) -> str:
    """The description of the 15 answering a change (its number tells two apart)."""
    what = "thu hồi" if receipt.business_type == edxml.REVOKE else "cập nhật"
    return f"Đã nhận {what} (lần {receipt.ordinal}): {receipt.reason or ''}"[:500]


def apply_change(agency: Agency, packet: DocumentPacket) -> IncomingDocument:
    """Revocation (1) or update (2) of a document received before, with the same DocumentId.

    Applied once per change: a packet delivered again finds its ``ChangeReceipt`` and
    changes nothing (its answer was queued the first time).
    """
    sender = packet.sender.organ_id
    incoming = _received(agency, sender, packet.document_id)
    this_key = change_key(packet)
    thread = select(ChangeReceipt).where(
        ChangeReceipt.agency_id == agency.id,
        ChangeReceipt.sender_code == sender,
        ChangeReceipt.edxml_document_id == packet.document_id,
    )
    earlier = list(db.session.scalars(thread))
    if any(r.change_key == this_key for r in earlier):
        logger.info(
            "change %s of %s from %s already applied for %s",
            this_key[:12],
            packet.document_id,
            sender,
            agency.code,
        )
        return incoming
    reason = packet.business_reason or edxml.BUSINESS_TYPES[packet.business_type]
    if packet.business_type == edxml.REVOKE:
        _give_back_or_note(incoming, f"Cơ quan gửi thu hồi văn bản: {reason}")
    else:
        changed = {
            "subject": packet.subject[:500],
            "signer_name": packet.signer_name[:50] or None,
            "signer_position": packet.signer_position[:100] or None,
            "due_date": packet.due_date,
            "doc_type": (packet.type_name or incoming.doc_type)[:100],
            "page_count": packet.page_amount,
        }
        changed = {
            k: v
            for k, v in changed.items()
            if v is not None and getattr(incoming, k) != v
        }
        for key, value in changed.items():
            setattr(incoming, key, value)
        db.session.add(
            Event(
                document_id=incoming.id,
                kind=EventKind.COMMENTED,
                text=f"Cơ quan gửi cập nhật văn bản ({reason}): {', '.join(sorted(changed)) or '—'}",
            )
        )
    receipt = ChangeReceipt(
        agency_id=agency.id,
        sender_code=sender,
        edxml_document_id=packet.document_id,
        change_key=this_key,
        business_type=packet.business_type,
        ordinal=len(earlier) + 1,
        reason=reason[:500],
        incoming_id=incoming.id,
    )
    db.session.add(receipt)
    record(
        "incoming.sender_change",
        agency_id=agency.id,
        obj=incoming,
        sender=sender,
        business_type=packet.business_type,
        change=this_key,
    )
    db.session.flush()
    enqueue_after_commit("interchange.status", incoming.id, "15", receipt.id)
    return incoming


def mark_replaced(
    agency: Agency, packet: DocumentPacket, new: IncomingDocument
) -> None:
    for info in packet.replacements:
        if info.organ_ids and agency.code not in info.organ_ids:
            continue
        receipt = _receipt(agency.id, packet.sender.organ_id, info.document_id)
        if receipt is not None and receipt.incoming_id != new.id:
            old = db.session.get(IncomingDocument, receipt.incoming_id)
            _give_back_or_note(
                old,
                f"Được thay thế bởi văn bản {new.number_notation} ({packet.document_id})",
            )
