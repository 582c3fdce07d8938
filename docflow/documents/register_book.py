"""The incoming register (Sổ đăng ký văn bản đến, NĐ 30/2020 Phụ lục IV): what it lists.

One register of one agency over a period, in arrival-number order, with the ten
columns of the official form. The page, the count and the PDF are the shared register
book's (``docflow/registers``).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import ColumnElement
from sqlalchemy.orm import joinedload, selectinload

from ..i18n import N_
from ..registers.book import RegisterBook, RegisterPage, note, type_and_subject
from ..registers.pdf import Period, RegisterForm, day, nfc
from ..timeutil import to_local
from .models import Assignment, AssignmentRole, IncomingDocument, IncomingRegister

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

    @property
    def number(self) -> int:
        """The register's number: the arrival number (số đến)."""
        return self.arrival_number

    def cells(self) -> list[str]:
        """The ten cells as printed text."""
        return [
            day(self.arrival_date),
            str(self.arrival_number),
            self.issuer,
            self.number_notation,
            day(self.issued_date),
            self.type_and_subject,
            self.recipients,
            day(self.transferred),
            "",
            self.note,
        ]


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


def _row(doc: IncomingDocument) -> BookRow:
    recipients, transferred = _recipients(doc)
    return BookRow(
        document_id=doc.id,
        arrival_date=to_local(doc.arrival_date).date() if doc.arrival_date else None,
        arrival_number=doc.arrival_number or 0,
        issuer=nfc(doc.issuer_name),
        number_notation=nfc(doc.number_notation),
        issued_date=doc.issued_date,
        type_and_subject=type_and_subject(doc),
        recipients=recipients,
        transferred=transferred,
        note=note(doc, f"{doc.page_count} trang" if doc.page_count else ""),
    )


def _where(register: IncomingRegister, period: Period) -> list[ColumnElement[bool]]:
    """Registered documents (they have an arrival number) that arrived in ``period``."""
    start, end = period.utc_bounds()
    return [
        IncomingDocument.register_id == register.id,
        IncomingDocument.arrival_number.is_not(None),
        IncomingDocument.arrival_date >= start,
        IncomingDocument.arrival_date < end,
    ]


BOOK = RegisterBook(
    name="incoming",
    register_model=IncomingRegister,
    document_model=IncomingDocument,
    where=_where,
    order_by=(IncomingDocument.arrival_year, IncomingDocument.arrival_number),
    load=(
        joinedload(IncomingDocument.presented_to),
        selectinload(IncomingDocument.assignments).joinedload(Assignment.user),
        selectinload(IncomingDocument.assignments).joinedload(Assignment.department),
    ),
    row=_row,
    # Column widths fill A4 landscape (297 mm) less 2 × 10 mm margins.
    form=RegisterForm(
        title="Sổ đăng ký văn bản đến",
        columns=COLUMNS,
        widths_mm=(19, 13, 36, 26, 19, 77, 38, 19, 18, 12),
        centred=(0, 1, 4, 7),
        empty="Không có văn bản đến trong thời gian này.",
    ),
    page=RegisterPage(
        blueprint="register_book",
        url_prefix="/incoming",
        title=N_("Incoming documents register"),
        back_endpoint="incoming.inbox",
        back_label=N_("Incoming documents"),
        headings=(
            N_("Arrival date"),
            N_("Arrival no."),
            N_("Author (issuing agency)"),
            N_("Number and notation"),
            N_("Document date"),
            N_("Type and subject"),
            N_("Unit or person receiving"),
            N_("Date transferred"),
            N_("Signature"),
            N_("Note"),
        ),
        linked_column=5,
        document_endpoint="incoming.show",
        number_attribute="arrival",
        no_register=N_(
            "The agency has no register yet: the first registered document creates it."
        ),
        secret_note=N_(
            "Secret documents have their own numbering; "
            "only their registration data is shown here."
        ),
        empty=N_("No documents arrived in this register during the period."),
        pdf_name="so-van-ban-den",
    ),
)
