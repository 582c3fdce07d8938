"""Incoming documents, their registers, assignments and timeline.

Field names follow NĐ 30/2020 Phụ lục VI (CodeNumber, CodeNotation, ArrivalNumber ...)
where one exists, in snake case.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agencies.models import Agency, Department
from ..auth.models import User
from ..extensions import db
from ..files.models import StoredFile
from ..timeutil import utcnow
from .vocab import Secrecy, Urgency, enum_column


class IncomingStatus(enum.StrEnum):
    PENDING = "pending"  #: received, waiting to be registered (chờ vào sổ)
    REGISTERED = (
        "registered"  #: registered, waiting for a leader's assignment (chờ phân công)
    )
    IN_PROGRESS = "in_progress"  #: assigned, being processed (đang xử lý)
    COMPLETED = "completed"  #: processed (hoàn thành)
    RETURNED = "returned"  #: returned to the sender / refused (trả lại)


class Source(enum.StrEnum):
    UPLOAD = "upload"  #: paper scanned or a file received by other means, uploaded by the records officer
    INTERCHANGE = "interchange"  #: an edXML packet from another agency


class AssignmentRole(enum.StrEnum):
    LEAD = "lead"  #: chủ trì
    COORDINATE = "coordinate"  #: phối hợp
    INFORM = "inform"  #: để biết


class IncomingRegister(db.Model):
    """A register of incoming documents (sổ văn bản đến). Secret documents have their own."""

    __tablename__ = "incoming_register"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(128))
    is_secret: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)


class RegisterCounter(db.Model):
    """The last number given in a register for a year; numbers restart at 1 on 1 January."""

    __tablename__ = "register_counter"

    register_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_register.id"), primary_key=True
    )
    year: Mapped[int] = mapped_column(primary_key=True)
    last_number: Mapped[int] = mapped_column(default=0)


class IncomingDocument(db.Model):
    __tablename__ = "incoming_document"
    __table_args__ = (
        UniqueConstraint("register_id", "arrival_year", "arrival_number"),
        # Inbox lists and counts (measured with bench/inbox.py on 100k documents).
        Index("ix_incoming_agency_status_due", "agency_id", "status", "due_date"),
        Index("ix_incoming_agency_received", "agency_id", "received_at"),
        Index(
            "ix_incoming_agency_status_received", "agency_id", "status", "received_at"
        ),
        Index(
            "ix_incoming_dup",
            "agency_id",
            "issuer_name",
            "code_number",
            "code_notation",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: The receiving agency.
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    status: Mapped[IncomingStatus] = mapped_column(
        enum_column(IncomingStatus), default=IncomingStatus.PENDING
    )
    source: Mapped[Source] = mapped_column(enum_column(Source), default=Source.UPLOAD)
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
    # --- registration (vào sổ)
    register_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_register.id"))
    arrival_year: Mapped[int | None] = mapped_column()
    #: Số đến: 1, 2, 3 ... per register and year.
    arrival_number: Mapped[int | None] = mapped_column()
    arrival_date: Mapped[datetime | None] = mapped_column()
    registered_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: The leader the document is presented to (trình lãnh đạo).
    presented_to_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    # --- metadata (NĐ 30 Phụ lục VI)
    issuer_name: Mapped[str] = mapped_column(String(200), default="")
    #: QCVN 102 identifier of the issuing agency when known.
    issuer_code: Mapped[str | None] = mapped_column(String(13))
    #: Số (CodeNumber), e.g. "15".
    code_number: Mapped[str] = mapped_column(String(11), default="")
    #: Ký hiệu (CodeNotation), e.g. "QĐ-UBND".
    code_notation: Mapped[str] = mapped_column(String(30), default="")
    issued_date: Mapped[date | None] = mapped_column()
    doc_type: Mapped[str] = mapped_column(String(100), default="Công văn")
    #: Trích yếu.
    subject: Mapped[str] = mapped_column(String(500), default="")
    signer_name: Mapped[str | None] = mapped_column(String(50))
    signer_position: Mapped[str | None] = mapped_column(String(100))
    page_count: Mapped[int | None] = mapped_column()
    urgency: Mapped[Urgency] = mapped_column(
        enum_column(Urgency), default=Urgency.NORMAL
    )
    secrecy: Mapped[Secrecy] = mapped_column(enum_column(Secrecy), default=Secrecy.NONE)
    #: Processing deadline (hạn xử lý).
    due_date: Mapped[date | None] = mapped_column(index=True)
    # --- content
    main_file_id: Mapped[int | None] = mapped_column(ForeignKey("stored_file.id"))
    #: JSON of the signing library's validation report of the main file.
    signature_report: Mapped[str | None] = mapped_column(Text)
    # --- outcome
    return_reason: Mapped[str | None] = mapped_column(String(500))
    result: Mapped[str | None] = mapped_column(Text)
    completed_at: Mapped[datetime | None] = mapped_column()
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    register: Mapped[IncomingRegister | None] = relationship()
    main_file: Mapped[StoredFile | None] = relationship()
    presented_to: Mapped[User | None] = relationship(foreign_keys=[presented_to_id])
    registered_by: Mapped[User | None] = relationship(foreign_keys=[registered_by_id])
    assignments: Mapped[list[Assignment]] = relationship(
        back_populates="document", order_by="Assignment.id"
    )
    events: Mapped[list[Event]] = relationship(
        back_populates="document", order_by="Event.id"
    )
    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="document", order_by="Attachment.id"
    )

    @property
    def is_secret(self) -> bool:
        return self.secrecy != Secrecy.NONE

    @property
    def number_notation(self) -> str:
        """'15/QĐ-UBND' (số/ký hiệu)."""
        if self.code_number and self.code_notation:
            return f"{self.code_number}/{self.code_notation}"
        return self.code_number or self.code_notation or ""


class Assignment(db.Model):
    """Who handles the document: a person or a department, as lead, coordinator or for information."""

    __tablename__ = "assignment"
    __table_args__ = (
        Index("ix_assignment_user_active", "user_id", "active", "document_id"),
        Index("ix_assignment_dept_active", "department_id", "active", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), index=True
    )
    role: Mapped[AssignmentRole] = mapped_column(enum_column(AssignmentRole))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    deadline: Mapped[date | None] = mapped_column()
    assigned_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: False once replaced by a reassignment (kept for the history).
    active: Mapped[bool] = mapped_column(default=True)
    completed_at: Mapped[datetime | None] = mapped_column()

    document: Mapped[IncomingDocument] = relationship(back_populates="assignments")
    user: Mapped[User | None] = relationship(foreign_keys=[user_id])
    department: Mapped[Department | None] = relationship()
    assigned_by: Mapped[User] = relationship(foreign_keys=[assigned_by_id])


class Attachment(db.Model):
    """A working file attached while processing (the main file is on the document)."""

    __tablename__ = "incoming_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), index=True
    )
    file_id: Mapped[int] = mapped_column(ForeignKey("stored_file.id"))
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[IncomingDocument] = relationship(back_populates="attachments")
    file: Mapped[StoredFile] = relationship()
    added_by: Mapped[User] = relationship()


class EventKind(enum.StrEnum):
    RECEIVED = "received"
    REGISTERED = "registered"
    RETURNED = "returned"
    ASSIGNED = "assigned"
    REASSIGNED = "reassigned"
    COMMENTED = "commented"
    ATTACHED = "attached"
    FORWARDED = "forwarded"
    EXTENSION_REQUESTED = "extension_requested"
    EXTENSION_DECIDED = "extension_decided"
    COMPLETED = "completed"
    REMINDED = "reminded"


class Event(db.Model):
    """One line of the document's timeline."""

    __tablename__ = "incoming_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), index=True
    )
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    text: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)

    document: Mapped[IncomingDocument] = relationship(back_populates="events")
    actor: Mapped[User | None] = relationship()


class ExtensionRequest(db.Model):
    __tablename__ = "extension_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id"), index=True
    )
    requested_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    new_deadline: Mapped[date] = mapped_column()
    reason: Mapped[str] = mapped_column(String(500))
    #: None while pending, then True (granted) or False (refused).
    granted: Mapped[bool | None] = mapped_column()
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    requested_by: Mapped[User] = relationship(foreign_keys=[requested_by_id])


class Notification(db.Model):
    """A message to a user (deadline reminders, new assignments)."""

    __tablename__ = "notification"
    __table_args__ = (UniqueConstraint("user_id", "document_id", "kind", "day"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    document_id: Mapped[int | None] = mapped_column(ForeignKey("incoming_document.id"))
    #: "assigned" | "due_soon" | "overdue"
    kind: Mapped[str] = mapped_column(String(32))
    #: The day the notification is about: one reminder per user, document, kind and day.
    day: Mapped[date] = mapped_column()
    text: Mapped[str] = mapped_column(String(500))
    read: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
