"""The sender's side of BussinessDocType 1 (thu hồi) and 2 (cập nhật) for issued documents.

A records officer of the issuing agency revokes a document or corrects its published
metadata, with a reason. The change is an ``OutgoingChange``; it travels as an edXML packet
with the document's own DocumentId to every agency that received the document
electronically: applied at once for agencies of this instance (the same packet path as
between instances), through the outbox for the others, where it waits for the document
packet and earlier changes to that agency (see ``services._wait_for_earlier``). Each
receiver answers 15; ``ChangeDelivery`` keeps per recipient where the change is and the
answer. Secret documents never leave electronically: the change is recorded, not sent.
Type 3 (thay thế) needs no action here: a document drafted as replacing another one is
issued as a type-3 packet (``services.packet_for``).
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from typing import Any

from ..audit.services import record
from ..auth.models import Role, User
from ..documents.services import ActionRefused
from ..documents.vocab import DOCUMENT_TYPES
from ..extensions import db
from ..outgoing.models import (
    ChangeDelivery,
    DeliveryState,
    OutgoingChange,
    OutgoingDocument,
    OutgoingEvent,
    Recipient,
    RecipientKind,
)
from ..timeutil import utcnow
from . import edxml
from .edxml import DocumentPacket, PacketRejected
from .services import accept_document, is_remote, packet_for, queue_change

logger = logging.getLogger(__name__)

#: What an update may correct: what the receivers' ``apply_change`` takes from the header.
UPDATABLE = (
    "subject",
    "doc_type",
    "signer_name",
    "signer_position",
    "due_date",
    "page_count",
)


@dataclass
class UpdateValues:
    """The published metadata after the correction (every field, changed or not)."""

    subject: str
    doc_type: str
    signer_name: str
    signer_position: str
    due_date: date | None
    page_count: int | None


def current_values(doc: OutgoingDocument) -> UpdateValues:
    return UpdateValues(
        subject=doc.subject,
        doc_type=doc.doc_type,
        signer_name=doc.published_signer_name,
        signer_position=doc.published_signer_position,
        due_date=doc.due_date,
        page_count=doc.page_count,
    )


def _check(actor: User, doc: OutgoingDocument, reason: str) -> str:
    if actor.role != Role.RECORDS_OFFICER or actor.agency_id != doc.agency_id:
        raise ActionRefused(
            "Only the agency's records officers revoke or update documents."
        )
    if doc.issued_at is None:
        raise ActionRefused("Only issued documents can be revoked or updated.")
    if doc.is_revoked:
        raise ActionRefused("This document has been revoked.")
    reason = (reason or "").strip()
    if not reason:
        raise ActionRefused("Give the reason.")
    return reason[:500]


def revoke(actor: User, doc: OutgoingDocument, reason: str) -> OutgoingChange:
    """Revoke an issued document and tell its receivers (type 1); commits."""
    reason = _check(actor, doc, reason)
    doc.revoked_at, doc.revoked_by_id, doc.revoke_reason = utcnow(), actor.id, reason
    change = OutgoingChange(
        document_id=doc.id, kind="revoke", reason=reason, actor_id=actor.id
    )
    sent = _send(doc, change, edxml.REVOKE)
    db.session.add(
        OutgoingEvent(
            document_id=doc.id, kind="revoked", actor_id=actor.id, text=reason
        )
    )
    record(
        "outgoing.revoke",
        actor=actor,
        agency_id=doc.agency_id,
        obj=doc,
        reason=reason,
        recipients=sent,
    )
    db.session.commit()
    return change


def _validated(values: UpdateValues) -> dict[str, Any]:
    subject = " ".join((values.subject or "").split())
    if not subject:
        raise ActionRefused("The subject is required.")
    if len(subject) > 500:
        raise ActionRefused("The subject is too long (500 characters at most).")
    if values.doc_type not in dict(DOCUMENT_TYPES):
        raise ActionRefused("Unknown document type.")
    name, position = (
        (values.signer_name or "").strip(),
        (values.signer_position or "").strip(),
    )
    if not name:
        raise ActionRefused("The signer's name is required.")
    if len(name) > 50 or len(position) > 100:
        raise ActionRefused(
            "The signer's name (50 characters) or position (100) is too long."
        )
    if values.page_count is not None and not 0 < values.page_count <= 10000:
        raise ActionRefused("The page count is a number from 1 to 10000.")
    return {
        "subject": subject,
        "doc_type": values.doc_type,
        "signer_name": name,
        "signer_position": position,
        "due_date": values.due_date,
        "page_count": values.page_count,
    }


def update(
    actor: User, doc: OutgoingDocument, values: UpdateValues, reason: str
) -> OutgoingChange:
    """Correct the published metadata of an issued document and send it (type 2); commits."""
    reason = _check(actor, doc, reason)
    after = _validated(values)
    before = vars(current_values(doc))
    changed = {k: (before[k], v) for k, v in after.items() if before[k] != v}
    if not changed:
        raise ActionRefused("Nothing to update: change at least one field.")
    removed = [
        k for k in ("due_date", "page_count") if k in changed and after[k] is None
    ]
    if removed:
        # The receivers keep a value the packet leaves out: it cannot be taken back.
        raise ActionRefused("A due date or page count already sent cannot be removed.")
    for key, (_old, new) in changed.items():
        setattr(doc, key, new)
    details = {k: [_plain(a), _plain(b)] for k, (a, b) in changed.items()}
    change = OutgoingChange(
        document_id=doc.id,
        kind="update",
        reason=reason,
        actor_id=actor.id,
        details=json.dumps(details, ensure_ascii=False),
    )
    sent = _send(doc, change, edxml.UPDATE)
    db.session.add(
        OutgoingEvent(
            document_id=doc.id,
            kind="updated",
            actor_id=actor.id,
            text=f"{reason} ({', '.join(sorted(changed))})",
        )
    )
    record(
        "outgoing.update",
        actor=actor,
        agency_id=doc.agency_id,
        obj=doc,
        reason=reason,
        changed=details,
        recipients=sent,
    )
    db.session.commit()
    return change


def _plain(value: Any) -> Any:
    return value.isoformat() if isinstance(value, date) else value


def change_packet(
    doc: OutgoingDocument, change: OutgoingChange, business_type: int, receiver: Any
) -> DocumentPacket:
    """The type-1 or type-2 packet: the current header, the reason, no files."""
    packet = packet_for(doc, [receiver], files=False)
    packet.business_type, packet.business_reason = business_type, change.reason
    packet.replacements = []
    return packet


def _targets(doc: OutgoingDocument) -> list[Recipient]:
    """Recipient agencies that have the document, or will (waiting in the outbox)."""
    return [
        r
        for r in doc.recipients
        if r.kind == RecipientKind.AGENCY
        and r.agency is not None
        and (
            r.delivery == DeliveryState.DELIVERED
            or (r.delivery == DeliveryState.QUEUED and is_remote(r.agency))
        )
    ]


def _send(doc: OutgoingDocument, change: OutgoingChange, business_type: int) -> int:
    """Send ``change`` to every electronic recipient; returns how many (no commit)."""
    db.session.add(change)
    db.session.flush()
    if doc.is_secret:  # never electronically, whatever the recipients' states say
        return 0
    count = 0
    for recipient in _targets(doc):
        packet = change_packet(doc, change, business_type, recipient.agency)
        data = edxml.build_document(packet)
        delivery = ChangeDelivery(change_id=change.id, recipient_id=recipient.id)
        if is_remote(recipient.agency):
            delivery.outbox_id = queue_change(doc, recipient, change.id, data).id
        else:
            parsed = edxml.parse_packet(data)
            try:
                accept_document(parsed, via="local", only=recipient.agency)
            except PacketRejected as exc:  # e.g. the agency no longer has it
                logger.warning(
                    "change %s of outgoing %s not applied at %s: %s",
                    change.id,
                    doc.id,
                    recipient.agency.code,
                    exc.reason,
                )
                continue
        db.session.add(delivery)
        count += 1
    db.session.flush()
    return count
