"""Text extracted from a document's main file, kept beside the original.

Signed originals are never rewritten: the text lives in its own table, one row per
document, tied to the SHA-256 of the file it came from (a new main file means a new
extraction). Incoming documents keep theirs in ``incoming_text``, issued outgoing
documents (the text of the issued PDF) in ``outgoing_text``.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from ..documents.vocab import enum_column
from ..extensions import db
from ..timeutil import utcnow


class TextState(enum.StrEnum):
    OK = "ok"  #: text found (possibly partial: see ``reason``)
    EMPTY = "empty"  #: readable file without text (e.g. a scan, OCR off)
    FAILED = "failed"  #: damaged, encrypted, unsupported or too slow


class ExtractedText:
    """Columns shared by the text tables (``document_id`` is declared by each table)."""

    document_id: Mapped[int]
    #: SHA-256 of the file the text was extracted from.
    source_sha256: Mapped[str] = mapped_column(String(64))
    state: Mapped[TextState] = mapped_column(enum_column(TextState, length=16))
    #: Why EMPTY or FAILED, or what was partial (from the extraction library, English).
    reason: Mapped[str] = mapped_column(String(500), default="")
    #: "pdf", "docx", "odt", "text".
    kind: Mapped[str] = mapped_column(String(16), default="")
    pages: Mapped[int] = mapped_column(default=0)
    ocr_pages: Mapped[int] = mapped_column(default=0)
    #: True if OCR was allowed for this extraction (False: scans may gain text later).
    ocr: Mapped[bool] = mapped_column(default=False)
    text: Mapped[str] = mapped_column(Text, default="")
    extracted_at: Mapped[datetime] = mapped_column(default=utcnow)


class DocumentText(ExtractedText, db.Model):
    """Text of an incoming document's main file."""

    __tablename__ = "incoming_text"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("incoming_document.id", ondelete="CASCADE"), primary_key=True
    )


class OutgoingText(ExtractedText, db.Model):
    """Text of an outgoing document's issued PDF (drafts are not extracted)."""

    __tablename__ = "outgoing_text"

    document_id: Mapped[int] = mapped_column(
        ForeignKey("outgoing_document.id", ondelete="CASCADE"), primary_key=True
    )
