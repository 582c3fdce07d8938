"""The outgoing register (Sổ đăng ký văn bản đi, NĐ 30/2020 Phụ lục IV): rows and PDF.

One register of one agency over a period, in number order, with the ten columns of the
official form. Only issued documents are in a register: the number is taken at issue.
The printed form is shared with the incoming register (``documents/register_pdf.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from ..agencies.models import Agency
from ..audit.services import record
from ..auth.models import Role, User
from ..documents.register_pdf import (
    Period,
    RegisterForm,
    day,
    nfc,
    render_register_pdf,
)
from ..documents.vocab import SECRECY_LABELS, URGENCY_LABELS, Secrecy, Urgency
from ..extensions import db
from ..timeutil import to_local
from .models import OutgoingDocument, OutgoingRegister, OutgoingStatus, Recipient

#: Who may open registers: they see every outgoing document of their agency anyway.
BOOK_ROLES = {Role.RECORDS_OFFICER, Role.LEADER}
#: Longest period one view or export covers (a register is kept per year).
MAX_PERIOD_DAYS = 366
#: Largest PDF export; beyond it the user narrows the period.
MAX_PDF_ROWS = 5000

#: The ten columns of the form, in order (NĐ 30 Phụ lục IV).
COLUMNS = (
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Người ký",
    "Nơi nhận văn bản",
    "Đơn vị, người nhận bản lưu",
    "Số lượng bản",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
FORM = RegisterForm(
    title="Sổ đăng ký văn bản đi",
    columns=COLUMNS,
    # A4 landscape (297 mm) less 2 × 10 mm margins.
    widths_mm=(24, 19, 66, 28, 50, 32, 13, 19, 14, 12),
    centred=(0, 1, 6, 7),
    empty="Không có văn bản đi trong thời gian này.",
)
#: A free-text recipient "Lưu: VT, KT" names who keeps the file copy (column 6).
_KEEP_PREFIX = "lưu"


@dataclass(frozen=True)
class BookRow:
    """One line of the register; the fields follow the ten columns."""

    document_id: int
    number: int
    number_notation: str
    issued_date: date | None
    type_and_subject: str
    signer: str
    recipients: str
    kept_by: str
    copies: int
    transferred: date | None
    note: str

    def cells(self) -> list[str]:
        """The ten cells as printed text."""
        return [
            self.number_notation,
            day(self.issued_date),
            self.type_and_subject,
            self.signer,
            self.recipients,
            self.kept_by,
            str(self.copies),
            day(self.transferred),
            "",
            self.note,
        ]


def may_open(user: User) -> bool:
    return user.is_authenticated and user.role in BOOK_ROLES


def registers_of(agency_id: int) -> list[OutgoingRegister]:
    """The agency's outgoing registers, ordinary ones first."""
    return list(
        db.session.scalars(
            select(OutgoingRegister)
            .where(OutgoingRegister.agency_id == agency_id)
            .order_by(OutgoingRegister.is_secret, OutgoingRegister.id)
        )
    )


def _is_keep_line(recipient: Recipient) -> bool:
    return recipient.name.strip().lower().startswith(_KEEP_PREFIX)


def _kept_by(doc: OutgoingDocument) -> str:
    """Column 6: the "Lưu: ..." recipient lines, else Văn thư and the drafting unit."""
    lines = [nfc(r.name.strip()) for r in doc.recipients if _is_keep_line(r)]
    if lines:
        return "; ".join(lines)
    unit = doc.department.name if doc.department else ""
    return ", ".join(p for p in ("Văn thư", nfc(unit)) if p)


def _note(doc: OutgoingDocument) -> str:
    parts = []
    if doc.urgency != Urgency.NORMAL:
        parts.append(str(URGENCY_LABELS[doc.urgency]))
    if doc.secrecy != Secrecy.NONE:
        parts.append(str(SECRECY_LABELS[doc.secrecy]))
    if doc.attachments:
        parts.append(f"{len(doc.attachments)} tệp kèm theo")
    return ", ".join(parts)


def _row(doc: OutgoingDocument) -> BookRow:
    sent = [r for r in doc.recipients if not _is_keep_line(r)]
    delivered = [r.delivered_at for r in doc.recipients if r.delivered_at is not None]
    return BookRow(
        document_id=doc.id,
        number=doc.number or 0,
        number_notation=nfc(doc.number_notation),
        issued_date=to_local(doc.issued_at).date() if doc.issued_at else None,
        type_and_subject=" – ".join(
            p for p in (nfc(doc.doc_type), nfc(doc.subject)) if p
        ),
        signer=nfc(doc.signer.full_name) if doc.signer else "",
        recipients="; ".join(nfc(r.name) for r in sent),
        kept_by=_kept_by(doc),
        # One copy per recipient line (bản lưu included): the issued amount.
        copies=len(doc.recipients),
        transferred=to_local(min(delivered)).date() if delivered else None,
        note=_note(doc),
    )


def _where(register: OutgoingRegister, period: Period) -> list:
    start, end = period.utc_bounds()
    return [
        OutgoingDocument.register_id == register.id,
        OutgoingDocument.status == OutgoingStatus.ISSUED,
        OutgoingDocument.number.is_not(None),
        OutgoingDocument.issued_at >= start,
        OutgoingDocument.issued_at < end,
    ]


def book_rows(
    register: OutgoingRegister,
    period: Period,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[BookRow]:
    """The register's documents issued in ``period``, by year and number."""
    query = (
        select(OutgoingDocument)
        .where(*_where(register, period))
        .order_by(OutgoingDocument.year, OutgoingDocument.number)
        .options(
            joinedload(OutgoingDocument.signer),
            joinedload(OutgoingDocument.department),
            selectinload(OutgoingDocument.recipients),
            selectinload(OutgoingDocument.attachments),
        )
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    return [_row(doc) for doc in db.session.scalars(query)]


def count_rows(register: OutgoingRegister, period: Period) -> int:
    """How many rows ``book_rows`` would return."""
    query = (
        select(func.count())
        .select_from(OutgoingDocument)
        .where(*_where(register, period))
    )
    return db.session.scalar(query) or 0


class TooManyRows(Exception):
    """The period holds more rows than one PDF export prints."""

    def __init__(self, count: int) -> None:
        super().__init__(f"more than {MAX_PDF_ROWS} rows ({count})")
        self.count = count


def render_pdf(
    agency_name: str, register_name: str, period: Period, rows: Sequence[BookRow]
) -> bytes:
    """A4 landscape: title block, ten columns, header on every page, page numbers."""
    return render_register_pdf(
        FORM, agency_name, register_name, period, [row.cells() for row in rows]
    )


def export_pdf(
    actor: User, register: OutgoingRegister, period: Period, ip: str | None = None
) -> bytes:
    """Render the register as PDF and write the export to the audit trail (commits)."""
    rows = book_rows(register, period, limit=MAX_PDF_ROWS + 1)
    if len(rows) > MAX_PDF_ROWS:
        raise TooManyRows(len(rows))
    agency = db.session.get(Agency, register.agency_id)
    data = render_pdf(agency.name if agency else "", register.name, period, rows)
    record(
        "outgoing.register_book.export",
        actor=actor,
        agency_id=register.agency_id,
        obj=register,
        ip=ip,
        format="pdf",
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        rows=len(rows),
        secret=register.is_secret,
    )
    db.session.commit()
    return data
