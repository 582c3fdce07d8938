"""Outgoing documents, their versions, review steps, recipients and registers."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agencies.models import Agency, Department
from ..auth.models import User
from ..documents.vocab import Secrecy, Urgency, enum_column
from ..extensions import db
from ..files.models import StoredFile
from ..timeutil import utcnow


class OutgoingStatus(enum.StrEnum):
    DRAFT = "draft"  #: being written (dự thảo)
    IN_REVIEW = "in_review"  #: going through the review chain (trình duyệt)
    RETURNED = "returned"  #: sent back for revision (trả lại để sửa)
    APPROVED = "approved"  #: approved, waiting for the leader's signature (chờ ký)
    SIGNED = "signed"  #: signed by the leader, waiting to be issued (chờ ban hành)
    ISSUED = "issued"  #: numbered, sealed and sent (đã ban hành)


class RecipientKind(enum.StrEnum):
    AGENCY = "agency"  #: another agency in the directory
    DEPARTMENT = "department"  #: a unit of the issuing agency
    PLACE = "place"  #: free text ("Như trên", "Lưu: VT")


class DeliveryState(enum.StrEnum):
    NOT_SENT = "not_sent"
    DELIVERED = "delivered"  #: put in the receiving agency's queue on this instance
    QUEUED = "queued"  #: waiting in the outbox for the interchange
    NOT_ELECTRONIC = "not_electronic"  #: secret documents, free-text places: on paper


class OutgoingRegister(db.Model):
    """A register of outgoing documents (sổ văn bản đi); secret documents have their own."""

    __tablename__ = "outgoing_register"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    is_secret: Mapped[bool] = mapped_column(default=False)


class OutgoingCounter(db.Model):
    """Last number issued in a register for a year (numbers restart at 1 on 1 January)."""

    __tablename__ = "outgoing_counter"

    register_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_register.id"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class OutgoingDocument(db.Model):
    __tablename__ = "outgoing_document"
    __table_args__ = (
        UniqueConstraint("register_id", "year", "number"),
        Index("ix_outgoing_agency_status", "agency_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    status: Mapped[OutgoingStatus] = mapped_column(
        enum_column(OutgoingStatus), default=OutgoingStatus.DRAFT
    )
    doc_type: Mapped[str] = mapped_column(String(100))
    subject: Mapped[str] = mapped_column(String(500))
    urgency: Mapped[Urgency] = mapped_column(
        enum_column(Urgency), default=Urgency.NORMAL
    )
    secrecy: Mapped[Secrecy] = mapped_column(enum_column(Secrecy), default=Secrecy.NONE)
    #: The drafting unit: its short name ends the notation of a công văn (12/UBND-VX).
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    drafted_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    #: The leader who signs (người ký).
    signer_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    # --- signature
    #: The PDF as signed by the leader (an incremental update of the approved version).
    signed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    signed_at: Mapped[datetime | None] = mapped_column()
    # --- issue
    register_id: Mapped[int | None] = mapped_column(ForeignKey("outgoing_register.id"))
    year: Mapped[int | None] = mapped_column()
    number: Mapped[int | None] = mapped_column()
    #: Ký hiệu, e.g. "QĐ-UBND" or "UBND-VX".
    notation: Mapped[str | None] = mapped_column(String(30))
    issued_at: Mapped[datetime | None] = mapped_column()
    issued_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The issued PDF: number and date filled in, agency seal added.
    issued_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    #: JSON of the validation report of the issued file.
    signature_report: Mapped[str | None] = mapped_column(Text)
    # --- published metadata that can be corrected after issue (BussinessDocType 2)
    #: Signer as published when corrected after issue (else the signer's own name).
    signer_name: Mapped[str | None] = mapped_column(String(50))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    #: Hạn xử lý sent to the receivers (DueDate), optional.
    due_date: Mapped[date | None] = mapped_column()
    #: Số trang (PageAmount), optional.
    page_count: Mapped[int | None] = mapped_column()
    # --- revocation (thu hồi, BussinessDocType 1) and replacement (thay thế, 3)
    revoked_at: Mapped[datetime | None] = mapped_column()
    revoked_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    revoke_reason: Mapped[str | None] = mapped_column(String(500))
    #: The issued document of the same agency this one replaces (sent as type 3).
    replaces_id: Mapped[int | None] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )

    agency: Mapped[Agency] = relationship()
    department: Mapped[Department | None] = relationship()
    drafted_by: Mapped[User] = relationship(foreign_keys=[drafted_by_id])
    signer: Mapped[User | None] = relationship(foreign_keys=[signer_id])
    issued_by: Mapped[User | None] = relationship(foreign_keys=[issued_by_id])
    signed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[signed_file_id])
    issued_file: Mapped[StoredFile | None] = relationship(foreign_keys=[issued_file_id])
    register: Mapped[OutgoingRegister | None] = relationship()
    revoked_by: Mapped[User | None] = relationship(foreign_keys=[revoked_by_id])
    replaces: Mapped[OutgoingDocument | None] = relationship(
        remote_side=[id], foreign_keys=[replaces_id]
    )
    versions: Mapped[list[OutgoingVersion]] = relationship(
        back_populates="document", order_by="OutgoingVersion.number"
    )
    reviews: Mapped[list[ReviewStep]] = relationship(
        back_populates="document", order_by="ReviewStep.id"
    )
    recipients: Mapped[list[Recipient]] = relationship(
        back_populates="document", order_by="Recipient.id"
    )
    attachments: Mapped[list[OutgoingAttachment]] = relationship(
        back_populates="document", order_by="OutgoingAttachment.id"
    )
    events: Mapped[list[OutgoingEvent]] = relationship(
        back_populates="document", order_by="OutgoingEvent.id"
    )

    @property
    def is_revoked(self) -> bool:
        return self.revoked_at is not None

    @property
    def published_signer_name(self) -> str:
        return self.signer_name or (self.signer.full_name if self.signer else "")

    @property
    def published_signer_position(self) -> str:
        if self.signer_position:
            return self.signer_position
        return (self.signer.position or "") if self.signer else ""

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE

    @property
    def current_version(self) -> OutgoingVersion | None:
        return self.versions[-1] if self.versions else None

    @property
    def number_notation(self) -> str:
        """'15/QĐ-UBND' once issued (numbers below 10 are written 01 ... 09)."""
        if self.number is None:
            return ""
        return f"{self.number:02d}/{self.notation}"


class OutgoingVersion(db.Model):
    """One version of the draft: every version is kept and can be compared."""

    __tablename__ = "outgoing_version"
    __table_args__ = (UniqueConstraint("document_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    number: Mapped[int] = mapped_column()
    #: The PDF reviewed and signed (with the empty number/date fields declared).
    file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    #: The uploaded original (a DOCX converted to PDF by a job, or the PDF itself).
    source_file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    #: "ready" | "converting" | "failed"
    state: Mapped[str] = mapped_column(String(16), default="ready")
    error: Mapped[str | None] = mapped_column(String(500))
    note: Mapped[str | None] = mapped_column(String(500))
    created_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[OutgoingDocument] = relationship(back_populates="versions")
    file: Mapped[StoredFile | None] = relationship(foreign_keys=[file_id])
    source_file: Mapped[StoredFile] = relationship(foreign_keys=[source_file_id])
    created_by: Mapped[User] = relationship()


class ReviewStep(db.Model):
    """One reviewer in the chain (department head, then a leader ...)."""

    __tablename__ = "review_step"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("outgoing_version.id"))
    position: Mapped[int] = mapped_column()
    reviewer_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: "pending" | "approved" | "returned" | "cancelled"
    decision: Mapped[str] = mapped_column(String(16), default="pending")
    comment: Mapped[str | None] = mapped_column(Text)
    decided_at: Mapped[datetime | None] = mapped_column()

    document: Mapped[OutgoingDocument] = relationship(back_populates="reviews")
    reviewer: Mapped[User] = relationship()
    version: Mapped[OutgoingVersion] = relationship()


class Recipient(db.Model):
    __tablename__ = "outgoing_recipient"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    kind: Mapped[RecipientKind] = mapped_column(enum_column(RecipientKind))
    agency_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    name: Mapped[str] = mapped_column(String(255))
    delivery: Mapped[DeliveryState] = mapped_column(
        enum_column(DeliveryState), default=DeliveryState.NOT_SENT
    )
    #: The incoming document created at the receiving agency (same instance).
    incoming_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_document.id"))
    delivered_at: Mapped[datetime | None] = mapped_column()

    document: Mapped[OutgoingDocument] = relationship(back_populates="recipients")
    agency: Mapped[Agency | None] = relationship()
    department: Mapped[Department | None] = relationship()


class OutgoingAttachment(db.Model):
    """A separate attached file; at issue it gets its own invisible agency signature."""

    __tablename__ = "outgoing_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    sealed_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))

    document: Mapped[OutgoingDocument] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship(foreign_keys=[file_id])
    sealed_file: Mapped[StoredFile | None] = relationship(foreign_keys=[sealed_file_id])


class OutgoingEvent(db.Model):
    __tablename__ = "outgoing_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    #: created, version, submitted, approved, returned, signed, issued, delivered, queued
    kind: Mapped[str] = mapped_column(String(32))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[OutgoingDocument] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class OutgoingChange(db.Model):
    """A change sent after issue to the agencies that received the document electronically.

    ``recall`` is the status-13 request (lấy lại); ``revoke`` and ``update`` travel as
    BussinessDocType 1 and 2 packets with the document's DocumentId.
    """

    __tablename__ = "outgoing_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    #: "recall" | "revoke" | "update"
    kind: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str] = mapped_column(String(500))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: JSON {field: [before, after]} of an update.
    details: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[OutgoingDocument] = relationship()
    actor: Mapped[User | None] = relationship()
    deliveries: Mapped[list[ChangeDelivery]] = relationship(
        back_populates="change", order_by="ChangeDelivery.id"
    )


class ChangeDelivery(db.Model):
    """One change sent to one recipient agency, and the receiver's answer (15 or 16)."""

    __tablename__ = "outgoing_change_delivery"
    __table_args__ = (UniqueConstraint("change_id", "recipient_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    change_id: Mapped[int] = mapped_column(ForeignKey("outgoing_change.id"))
    recipient_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_recipient.id"), index=True
    )
    #: The outbox message to another instance; None when applied here at once.
    outbox_id: Mapped[int | None] = mapped_column(ForeignKey("outbox_message.id"))
    #: "15" (agreed) or "16" (refused) once the receiver answers.
    answer: Mapped[str | None] = mapped_column(String(2))
    answered_at: Mapped[datetime | None] = mapped_column()

    change: Mapped[OutgoingChange] = relationship(back_populates="deliveries")
    recipient: Mapped[Recipient] = relationship()


class SigningCredential(db.Model):
    """Where a signing key lives: a leader's key, or the agency's seal key on the HSM.

    Secrets (PIN, passphrase) are never stored: ``secret_env`` names the environment
    variable of the server process that holds them.
    """

    __tablename__ = "signing_credential"

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    #: The leader for an approval key; None for the agency's seal key.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id"), index=True
    )
    #: "approval" | "seal"
    purpose: Mapped[str] = mapped_column(String(16))
    #: "pkcs11" | "pkcs12"
    kind: Mapped[str] = mapped_column(String(16))
    module_path: Mapped[str | None] = mapped_column(String(255))
    token_label: Mapped[str | None] = mapped_column(String(64))
    key_label: Mapped[str | None] = mapped_column(String(64))
    pkcs12_path: Mapped[str | None] = mapped_column(String(255))
    secret_env: Mapped[str] = mapped_column(String(64))
    #: Image shown in the visible signature (PNG in storage), optional.
    image_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
