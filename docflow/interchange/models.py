"""Interchange tables: the agency directory of other instances, the outbox, receipts, statuses."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class Peer(db.Model):
    """An agency served by another docflow (or QCVN 102) instance: where to post its packets.

    Agencies of the directory without a peer row are served by this instance.
    """

    __tablename__ = "interchange_peer"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: QCVN 102 code of the remote agency (the From/To OrganId of packets).
    agency_code: Mapped[str] = mapped_column(String(32), unique=True)
    #: Base URL of the remote instance; packets go to <endpoint>/interchange/v1/packets.
    endpoint: Mapped[str] = mapped_column(String(500))
    #: Name of the environment variable holding the secret shared with that instance.
    secret_env: Mapped[str] = mapped_column(String(64))
    active: Mapped[bool] = mapped_column(default=True)
    #: Refuse document packets from this agency that carry no valid seal (XML-DSig).
    #: New peers require one; rows older than migration 0011 were left off (they
    #: accepted unsealed packets before) until an operator turns it on.
    seal_required: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    #: Seal certificates of this agency: when any is pinned, only they may seal its
    #: packets (several at once during a key rotation).
    certificates: Mapped[list[PeerCertificate]] = relationship(
        back_populates="peer",
        cascade="all, delete-orphan",
        order_by="PeerCertificate.id",
    )


class PeerCertificate(db.Model):
    """A seal certificate pinned for a peer agency (identified by its SHA-256)."""

    __tablename__ = "interchange_peer_certificate"
    __table_args__ = (UniqueConstraint("peer_id", "sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    peer_id: Mapped[int] = mapped_column(ForeignKey("interchange_peer.id"), index=True)
    #: The certificate itself (DER), kept to show and export it.
    der: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 (hex, lower case) of the DER: the pin compared with the packet's seal.
    sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    not_after: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    peer: Mapped[Peer] = relationship(back_populates="certificates")


class OutboxMessage(db.Model):
    """A packet to post to another instance, kept until it is acknowledged (at-least-once)."""

    __tablename__ = "outbox_message"
    __table_args__ = (
        UniqueConstraint(
            "kind",
            "sender_code",
            "receiver_code",
            "edxml_document_id",
            "status_code",
            "change_key",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: "document", "change" (BussinessDocType 1 or 2 about a document sent before) or "status"
    kind: Mapped[str] = mapped_column(String(16))
    sender_code: Mapped[str] = mapped_column(String(32))
    receiver_code: Mapped[str] = mapped_column(String(32), index=True)
    #: The QCVN 102 DocumentId the packet is (or answers) about.
    edxml_document_id: Mapped[str] = mapped_column(String(300), index=True)
    #: "" for documents, the status code for status packets.
    status_code: Mapped[str] = mapped_column(String(2), default="")
    #: Tells apart packets sharing a DocumentId: the OutgoingChange id of a change, the
    #: change receipt's key of an answer to it; "" otherwise.
    change_key: Mapped[str] = mapped_column(String(64), default="", server_default="")
    outgoing_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_document.id"))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_recipient.id"), index=True
    )
    payload: Mapped[bytes] = mapped_column(LargeBinary)
    #: "pending" (waiting or retrying), "sent" (acknowledged), "failed" (gave up; an operator re-sends)
    state: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column()


class Receipt(db.Model):
    """A document packet accepted for one of our agencies: the idempotency key of arrivals."""

    __tablename__ = "interchange_receipt"
    __table_args__ = (
        UniqueConstraint("agency_id", "sender_code", "edxml_document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    sender_code: Mapped[str] = mapped_column(String(32))
    edxml_document_id: Mapped[str] = mapped_column(String(300))
    incoming_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), unique=True
    )
    #: "local" (same instance) or "http"
    via: Mapped[str] = mapped_column(String(16))
    #: JSON list of stored-file ids of the packet's other files (sealed attachments).
    extra_files: Mapped[str | None] = mapped_column(Text)
    #: JSON object: stored-file id -> signature report of that file (PDFs only), written
    #: by the ``interchange.validate_extra_files`` job.
    extra_reports: Mapped[str | None] = mapped_column(Text)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class ChangeReceipt(db.Model):
    """A change packet (BussinessDocType 1 or 2) applied to a received document: applied once
    however often it is delivered. ``change_key`` is the SHA-256 of the packet's content
    (the sender's trace timestamp included), so each new change of the same DocumentId
    has its own key while a re-delivered packet has the same one."""

    __tablename__ = "interchange_change_receipt"
    __table_args__ = (
        UniqueConstraint("agency_id", "sender_code", "edxml_document_id", "change_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    sender_code: Mapped[str] = mapped_column(String(32))
    edxml_document_id: Mapped[str] = mapped_column(String(300))
    change_key: Mapped[str] = mapped_column(String(64))
    business_type: Mapped[int] = mapped_column()
    #: 1 for the first change of this document from this sender, 2 for the next ...
    ordinal: Mapped[int] = mapped_column(default=1)
    #: BussinessDocReason, repeated in the answer.
    reason: Mapped[str | None] = mapped_column(String(500))
    incoming_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), index=True
    )
    received_at: Mapped[datetime] = mapped_column(default=utcnow)


class RecipientStatus(db.Model):
    """A status packet received about a document we sent (01 arrived, 03 registered ...)."""

    __tablename__ = "interchange_status"
    __table_args__ = (UniqueConstraint("recipient_id", "code", "at_text", "digest"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_recipient.id"), index=True
    )
    code: Mapped[str] = mapped_column(String(2))
    description: Mapped[str | None] = mapped_column(String(500))
    #: The packet's Timestamp as sent ("yyyy/MM/dd HH:mm:ss"), part of the duplicate check.
    at_text: Mapped[str] = mapped_column(String(32), default="")
    #: SHA-256 of the description: two answers in the same second (two updates) both count.
    digest: Mapped[str] = mapped_column(String(64), default="", server_default="")
    received_at: Mapped[datetime] = mapped_column(default=utcnow)

    recipient = relationship("Recipient")
