"""Dossier lists, dossiers and the documents they hold.

Field names follow NĐ 30/2020 Phụ lục VI (Hồ sơ: FileCode{OrganId, FileCatalog,
FileNotation}, Title, Maintenance, Rights, Creator, Language, StartDate, EndDate ...)
in snake case. A dossier holds references to documents, never copies: one document can
sit in many dossiers and is stored once.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agencies.models import Agency, Department
from ..auth.models import User
from ..documents.vocab import enum_column
from ..extensions import db
from ..timeutil import utcnow


class DossierStatus(enum.StrEnum):
    OPEN = "open"  #: documents are being collected (đang lập)
    CLOSED = "closed"  #: the work is finished (đã kết thúc), waiting to be transferred to the archive
    ARCHIVED = "archived"  #: transferred to the agency's archive (đã nộp lưu)


class DossierCatalog(db.Model):
    """The agency's list of dossiers for one year (Danh mục hồ sơ, NĐ 30 Art. 28)."""

    __tablename__ = "dossier_catalog"
    __table_args__ = (UniqueConstraint("agency_id", "year"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    #: FileCatalog: the year of the list.
    year: Mapped[int] = mapped_column()
    title: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()


class Dossier(db.Model):
    __tablename__ = "dossier"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "notation"),
        Index("ix_dossier_agency_year_status", "agency_id", "year", "status"),
        Index("ix_dossier_archive_due", "status", "archive_due"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"))
    catalog_id: Mapped[int] = mapped_column(ForeignKey("dossier_catalog.id"))
    #: FileCatalog (năm), the year of the dossier list.
    year: Mapped[int] = mapped_column()
    #: FileNotation (số và ký hiệu hồ sơ), e.g. "05.TH"; unique per agency and year.
    notation: Mapped[str] = mapped_column(String(20))
    #: Heading of the list the dossier sits under (đề mục), e.g. "I. Tổng hợp".
    section: Mapped[str] = mapped_column(String(200), default="")
    #: Title (tiêu đề hồ sơ).
    title: Mapped[str] = mapped_column(String(500))
    #: Maintenance (thời hạn bảo quản) in years; None means permanent (Vĩnh viễn).
    retention_years: Mapped[int | None] = mapped_column()
    #: Rights (chế độ sử dụng), e.g. "Công khai", "Hạn chế".
    rights: Mapped[str] = mapped_column(String(30), default="Công khai")
    language: Mapped[str] = mapped_column(String(50), default="Tiếng Việt")
    description: Mapped[str] = mapped_column(String(500), default="")
    #: Creator: the person responsible for the dossier (người lập hồ sơ).
    creator_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    status: Mapped[DossierStatus] = mapped_column(
        enum_column(DossierStatus, length=16), default=DossierStatus.OPEN
    )
    start_date: Mapped[date] = mapped_column()
    #: The day the work ended (ngày công việc kết thúc), set when the dossier is closed.
    end_date: Mapped[date | None] = mapped_column()
    #: Basic-construction dossier (hồ sơ xây dựng cơ bản): other transfer deadline.
    is_construction: Mapped[bool] = mapped_column(default=False)
    #: Day the construction project was settled (ngày công trình được quyết toán).
    settled_date: Mapped[date | None] = mapped_column()
    closed_at: Mapped[datetime | None] = mapped_column()
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id"))
    #: Deadline for the transfer to the agency's archive (hạn nộp lưu), see services.archive_due_for.
    archive_due: Mapped[date | None] = mapped_column()
    #: Kept back past the transfer deadline with written approval (Art. 31: at most 2
    #: years): the new deadline (also in ``archive_due``) and the approving document.
    held_until: Mapped[date | None] = mapped_column()
    hold_approval: Mapped[str | None] = mapped_column(String(300))
    archived_at: Mapped[datetime | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    agency: Mapped[Agency] = relationship()
    catalog: Mapped[DossierCatalog] = relationship()
    creator: Mapped[User] = relationship(foreign_keys=[creator_id])
    closed_by: Mapped[User | None] = relationship(foreign_keys=[closed_by_id])
    department: Mapped[Department | None] = relationship()
    items: Mapped[list[DossierItem]] = relationship(
        back_populates="dossier",
        order_by="DossierItem.id",
        cascade="all, delete-orphan",
    )

    @property
    def file_code(self) -> str:
        """FileCode as one string: OrganId.FileCatalog.FileNotation."""
        return f"{self.agency.code}.{self.year}.{self.notation}"

    @property
    def maintenance(self) -> str:
        """Maintenance as written in the list: "Vĩnh viễn" or "05 năm"."""
        return maintenance_label(self.retention_years)


def maintenance_label(years: int | None) -> str:
    return "Vĩnh viễn" if years is None else f"{years:02d} năm"


class DossierItem(db.Model):
    """A document in a dossier: a reference (kind, id), so a document is never copied.

    ``kind`` names an entry of ``dossiers.kinds.KINDS`` ("incoming", "outgoing" ...); no
    foreign key, since the referenced table depends on the kind.
    """

    __tablename__ = "dossier_item"
    __table_args__ = (
        UniqueConstraint("dossier_id", "kind", "document_id"),
        Index("ix_dossier_item_document", "kind", "document_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE")
    )
    kind: Mapped[str] = mapped_column(String(16))
    document_id: Mapped[int] = mapped_column()
    added_by_id: Mapped[int] = mapped_column(ForeignKey("user_account.id"))
    added_at: Mapped[datetime] = mapped_column(default=utcnow)

    dossier: Mapped[Dossier] = relationship(back_populates="items")
    added_by: Mapped[User] = relationship()


class DossierReminder(db.Model):
    """One archive-due reminder sent to a user for a dossier and a due date (runs are idempotent)."""

    __tablename__ = "dossier_reminder"

    dossier_id: Mapped[int] = mapped_column(
        ForeignKey("dossier.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id"), primary_key=True
    )
    due: Mapped[date] = mapped_column(primary_key=True)
    sent_at: Mapped[datetime] = mapped_column(default=utcnow)
