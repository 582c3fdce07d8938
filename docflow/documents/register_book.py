"""The incoming register (Sổ đăng ký văn bản đến, NĐ 30/2020 Phụ lục IV): rows and PDF.

One register of one agency over a period, in arrival-number order, with the ten
columns of the official form. The PDF keeps the form's Vietnamese headings whatever the
interface language (it is the agency's paper register), embeds a DejaVu subset with
every Vietnamese letter, repeats the table header on each page and numbers the pages.
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
from ..extensions import db
from ..timeutil import to_local
from .models import Assignment, AssignmentRole, IncomingDocument, IncomingRegister
from .register_pdf import Period, RegisterForm, day, nfc, render_register_pdf
from .vocab import SECRECY_LABELS, URGENCY_LABELS, Secrecy, Urgency

#: Who may open registers: they see every incoming document of their agency anyway.
BOOK_ROLES = {Role.RECORDS_OFFICER, Role.LEADER}
#: Longest period one view or export covers (a register is kept per year).
MAX_PERIOD_DAYS = 366
#: Largest PDF export; beyond it the user narrows the period (reportlab ~3 ms a row).
MAX_PDF_ROWS = 5000

#: The ten columns of the form, in order (NĐ 30 Phụ lục IV).
COLUMNS = (
    "Ngày đến",
    "Số đến",
    "Tác giả",
    "Số, ký hiệu văn bản",
    "Ngày tháng văn bản",
    "Tên loại và trích yếu nội dung",
    "Đơn vị hoặc người nhận",
    "Ngày chuyển",
    "Ký nhận",
    "Ghi chú",
)
_ROLE_ORDER = {
    AssignmentRole.LEAD: 0,
    AssignmentRole.COORDINATE: 1,
    AssignmentRole.INFORM: 2,
}
_ROLE_WORDS = {
    AssignmentRole.LEAD: "chủ trì",
    AssignmentRole.COORDINATE: "phối hợp",
    AssignmentRole.INFORM: "để biết",
}


@dataclass(frozen=True)
class BookRow:
    """One line of the register; the fields follow the ten columns."""

    document_id: int
    arrival_date: date | None
    arrival_number: int
    issuer: str
    number_notation: str
    issued_date: date | None
    type_and_subject: str
    recipients: str
    transferred: date | None
    note: str

    def cells(self) -> list[str]:
        """The ten cells as printed text."""
        return [
            _day(self.arrival_date),
            str(self.arrival_number),
            self.issuer,
            self.number_notation,
            _day(self.issued_date),
            self.type_and_subject,
            self.recipients,
            _day(self.transferred),
            "",
            self.note,
        ]


_day = day


def may_open(user: User) -> bool:
    return user.is_authenticated and user.role in BOOK_ROLES


def registers_of(agency_id: int) -> list[IncomingRegister]:
    """The agency's registers, ordinary ones first."""
    return list(
        db.session.scalars(
            select(IncomingRegister)
            .where(IncomingRegister.agency_id == agency_id)
            .order_by(IncomingRegister.is_secret, IncomingRegister.id)
        )
    )


def _recipients(doc: IncomingDocument) -> tuple[str, date | None]:
    """Column 7 (who the document went to, lead first) and column 8 (when)."""
    active = sorted(
        (a for a in doc.assignments if a.active),
        key=lambda a: (_ROLE_ORDER[a.role], a.id),
    )
    if not active:
        if doc.presented_to is not None:
            return f"{nfc(doc.presented_to.full_name)} (trình lãnh đạo)", None
        return "", None
    names = []
    for a in active:
        who = (
            a.user.full_name
            if a.user is not None
            else a.department.name
            if a.department
            else ""
        )
        names.append(f"{nfc(who)} ({_ROLE_WORDS[a.role]})")
    first = min(a.created_at for a in active)
    return "; ".join(names), to_local(first).date()


def _note(doc: IncomingDocument) -> str:
    parts = []
    if doc.urgency != Urgency.NORMAL:
        parts.append(str(URGENCY_LABELS[doc.urgency]))
    if doc.secrecy != Secrecy.NONE:
        parts.append(str(SECRECY_LABELS[doc.secrecy]))
    if doc.page_count:
        parts.append(f"{doc.page_count} trang")
    return ", ".join(parts)


def book_rows(
    register: IncomingRegister,
    period: Period,
    *,
    limit: int | None = None,
    offset: int = 0,
) -> list[BookRow]:
    """The register's documents that arrived in ``period``, by year and number."""
    start, end = period.utc_bounds()
    query = (
        select(IncomingDocument)
        .where(
            IncomingDocument.register_id == register.id,
            IncomingDocument.arrival_number.is_not(None),
            IncomingDocument.arrival_date >= start,
            IncomingDocument.arrival_date < end,
        )
        .order_by(IncomingDocument.arrival_year, IncomingDocument.arrival_number)
        .options(
            joinedload(IncomingDocument.presented_to),
            selectinload(IncomingDocument.assignments).joinedload(Assignment.user),
            selectinload(IncomingDocument.assignments).joinedload(
                Assignment.department
            ),
        )
    )
    if limit is not None:
        query = query.limit(limit).offset(offset)
    rows = []
    for doc in db.session.scalars(query):
        recipients, transferred = _recipients(doc)
        subject = " – ".join(p for p in (nfc(doc.doc_type), nfc(doc.subject)) if p)
        rows.append(
            BookRow(
                document_id=doc.id,
                arrival_date=to_local(doc.arrival_date).date()
                if doc.arrival_date
                else None,
                arrival_number=doc.arrival_number or 0,
                issuer=nfc(doc.issuer_name),
                number_notation=nfc(doc.number_notation),
                issued_date=doc.issued_date,
                type_and_subject=subject,
                recipients=recipients,
                transferred=transferred,
                note=_note(doc),
            )
        )
    return rows


def count_rows(register: IncomingRegister, period: Period) -> int:
    """How many rows ``book_rows`` would return."""
    start, end = period.utc_bounds()
    return (
        db.session.scalar(
            select(func.count())
            .select_from(IncomingDocument)
            .where(
                IncomingDocument.register_id == register.id,
                IncomingDocument.arrival_number.is_not(None),
                IncomingDocument.arrival_date >= start,
                IncomingDocument.arrival_date < end,
            )
        )
        or 0
    )


def export_pdf(
    actor: User, register: IncomingRegister, period: Period, ip: str | None = None
) -> bytes:
    """Render the register as PDF and write the export to the audit trail (commits)."""
    rows = book_rows(register, period, limit=MAX_PDF_ROWS + 1)
    if len(rows) > MAX_PDF_ROWS:
        raise TooManyRows(len(rows))
    agency = db.session.get(Agency, register.agency_id)
    data = render_pdf(agency.name if agency else "", register.name, period, rows)
    record(
        "incoming.register_book.export",
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


class TooManyRows(Exception):
    """The period holds more rows than one PDF export prints."""

    def __init__(self, count: int) -> None:
        super().__init__(f"more than {MAX_PDF_ROWS} rows ({count})")
        self.count = count


# ---------------------------------------------------------------- PDF rendering
#: The printed form; column widths fill A4 landscape (297 mm) less 2 × 10 mm margins.
FORM = RegisterForm(
    title="Sổ đăng ký văn bản đến",
    columns=COLUMNS,
    widths_mm=(19, 13, 36, 26, 19, 77, 38, 19, 18, 12),
    centred=(0, 1, 4, 7),
    empty="Không có văn bản đến trong thời gian này.",
)


def render_pdf(
    agency_name: str, register_name: str, period: Period, rows: Sequence[BookRow]
) -> bytes:
    """A4 landscape: title block, ten columns, header on every page, page numbers."""
    return render_register_pdf(
        FORM, agency_name, register_name, period, [row.cells() for row in rows]
    )
