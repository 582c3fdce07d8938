"""Signing tickets and the certificates users register for their USB tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..auth.models import User
from ..extensions import db
from ..outgoing.models import OutgoingDocument, OutgoingVersion
from ..timeutil import utcnow


class SigningTicket(db.Model):
    """Permission for the agent to fetch one approved version and upload it signed, once."""

    __tablename__ = "signing_ticket"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: SHA-256 (hex) of the secret in the URLs; the secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id"), index=True
    )
    version_id: Mapped[int] = mapped_column(ForeignKey("outgoing_version.id"))
    #: SHA-256 of the approved version's PDF when the ticket was issued.
    version_sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    #: Set by the first upload (accepted or not): a ticket is used once.
    used_at: Mapped[datetime | None] = mapped_column()
    #: "signed" | "rejected" once used
    result: Mapped[str | None] = mapped_column(String(16))
    #: Stable code of the rejection reason (see services.REASONS).
    reason: Mapped[str | None] = mapped_column(String(64))

    user: Mapped[User] = relationship()
    document: Mapped[OutgoingDocument] = relationship()
    version: Mapped[OutgoingVersion] = relationship()


class UserCertificate(db.Model):
    """A signing certificate of a user's USB token, checked against the trust roots."""

    __tablename__ = "user_certificate"
    __table_args__ = (UniqueConstraint("sha256"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"), index=True)
    #: DER bytes
    der: Mapped[bytes] = mapped_column(LargeBinary)
    #: SHA-256 (hex) of the DER: one certificate belongs to one user
    sha256: Mapped[str] = mapped_column(String(64))
    subject: Mapped[str] = mapped_column(String(500))
    issuer: Mapped[str] = mapped_column(String(500))
    serial: Mapped[str] = mapped_column(String(64))
    not_after: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[User] = relationship()
