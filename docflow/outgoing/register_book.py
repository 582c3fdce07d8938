"""The outgoing register (Sổ đăng ký văn bản đi, NĐ 30/2020 Phụ lục IV): what it lists.

One register of one agency over a period, in number order, with the ten columns of the
official form. Only issued documents are in a register: the number is taken at issue.
The page, the count and the PDF are the shared register book's (``docflow/registers``).
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
from .models import OutgoingDocument, OutgoingRegister, OutgoingStatus, Recipient

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


def _is_keep_line(recipient: Recipient) -> bool:
    return recipient.name.strip().lower().startswith(_KEEP_PREFIX)


def _kept_by(doc: OutgoingDocument) -> str:
    """Column 6: the "Lưu: ..." recipient lines, else Văn thư and the drafting unit."""
    lines = [nfc(r.name.strip()) for r in doc.recipients if _is_keep_line(r)]
    if lines:
        return "; ".join(lines)
    unit = doc.department.name if doc.department else ""
    return ", ".join(p for p in ("Văn thư", nfc(unit)) if p)


def _row(doc: OutgoingDocument) -> BookRow:
    sent = [r for r in doc.recipients if not _is_keep_line(r)]
    delivered = [r.delivered_at for r in doc.recipients if r.delivered_at is not None]
    attached = len(doc.attachments)
    return BookRow(
        document_id=doc.id,
        number=doc.number or 0,
        number_notation=nfc(doc.number_notation),
        issued_date=to_local(doc.issued_at).date() if doc.issued_at else None,
        type_and_subject=type_and_subject(doc),
        signer=nfc(doc.signer.full_name) if doc.signer else "",
        recipients="; ".join(nfc(r.name) for r in sent),
        kept_by=_kept_by(doc),
        # One copy per recipient line (bản lưu included): the issued amount.
        copies=len(doc.recipients),
        transferred=to_local(min(delivered)).date() if delivered else None,
        note=note(doc, f"{attached} tệp kèm theo" if attached else ""),
    )


def _where(register: OutgoingRegister, period: Period) -> list[ColumnElement[bool]]:
    """Documents issued (hence numbered) in ``period``."""
    start, end = period.utc_bounds()
    return [
        OutgoingDocument.register_id == register.id,
        OutgoingDocument.status == OutgoingStatus.ISSUED,
        OutgoingDocument.number.is_not(None),
        OutgoingDocument.issued_at >= start,
        OutgoingDocument.issued_at < end,
    ]


BOOK = RegisterBook(
    name="outgoing",
    register_model=OutgoingRegister,
    document_model=OutgoingDocument,
    where=_where,
    order_by=(OutgoingDocument.year, OutgoingDocument.number),
    load=(
        joinedload(OutgoingDocument.signer),
        joinedload(OutgoingDocument.department),
        selectinload(OutgoingDocument.recipients),
        selectinload(OutgoingDocument.attachments),
    ),
    row=_row,
    # Column widths fill A4 landscape (297 mm) less 2 × 10 mm margins.
    form=RegisterForm(
        title="Sổ đăng ký văn bản đi",
        columns=COLUMNS,
        widths_mm=(24, 19, 66, 28, 50, 32, 13, 19, 14, 12),
        centred=(0, 1, 6, 7),
        empty="Không có văn bản đi trong thời gian này.",
    ),
    page=RegisterPage(
        blueprint="outgoing_register_book",
        url_prefix="/outgoing",
        title=N_("Outgoing documents register"),
        back_endpoint="outgoing.index",
        back_args={"tab": "issued"},
        back_label=N_("Outgoing documents"),
        headings=(
            N_("Number and notation"),
            N_("Document date"),
            N_("Type and subject"),
            N_("Signed by"),
            N_("Recipients"),
            N_("Unit or person keeping the file copy"),
            N_("Number of copies"),
            N_("Date transferred"),
            N_("Signature"),
            N_("Note"),
        ),
        linked_column=2,
        document_endpoint="outgoing.show",
        number_attribute="number",
        no_register=N_(
            "The agency has no outgoing register yet: "
            "issuing the first document creates it."
        ),
        secret_note=N_(
            "Secret documents are numbered apart; "
            "only their register data is shown here."
        ),
        empty=N_("No documents were issued in this register during the period."),
        pdf_name="so-van-ban-di",
    ),
)
