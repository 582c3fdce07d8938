"""The record of one stored file (the bytes live in ``storage``, addressed by SHA-256)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from ..extensions import db
from ..timeutil import utcnow


class StoredFile(db.Model):
    __tablename__ = "stored_file"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Storage key: SHA-256 hex of the content. Several records may share one object.
    key: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    sha256: Mapped[str] = mapped_column(String(64))
    #: Media type detected from the content, not from the file name.
    media_type: Mapped[str] = mapped_column(String(128))
    #: Name as uploaded (shown to users, never used to build a path).
    original_name: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class OrphanCandidate(db.Model):
    """A stored object no record referenced at the last ``docflow storage gc`` run.

    Objects are deleted only when they are still orphans at a later run after a grace
    period, so an upload whose record is being committed right now is never collected.
    """

    __tablename__ = "storage_orphan_candidate"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    first_seen: Mapped[datetime] = mapped_column(default=utcnow)
