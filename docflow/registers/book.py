"""A register book: one register of one agency over a period, as rows and as a PDF.

The incoming and the outgoing register differ only in which documents they list and how
a document reads as a row; each domain describes that in a ``RegisterBook`` (with the
page's texts in a ``RegisterPage``), and the code below serves both.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol

from sqlalchemy import ColumnElement, func, select

from ..agencies.models import Agency
from ..audit.services import record
from ..auth.models import Role, User
from ..documents.vocab import SECRECY_LABELS, URGENCY_LABELS, Secrecy, Urgency
from ..extensions import db
from .pdf import Period, RegisterForm, nfc, render_register_pdf

#: Who may open registers: they see every document of their agency anyway.
BOOK_ROLES = {Role.RECORDS_OFFICER, Role.LEADER}
#: Longest period one view or export covers (a register is kept per year).
MAX_PERIOD_DAYS = 366
#: Largest PDF export; beyond it the user narrows the period (reportlab ~3 ms a row).
MAX_PDF_ROWS = 5000


class BookRow(Protocol):
    """One line of a register, as each kind of register builds it."""

    document_id: int

    @property
    def number(self) -> int:
        """The number the register gave the document (số đến, số văn bản đi)."""

    def cells(self) -> list[str]:
        """The printed text of each column, in the order of the form."""


@dataclass(frozen=True)
class RegisterPage:
    """Where the page of one kind of register lives and what it says (msgids)."""

    #: Blueprint name; the page is ``<url_prefix>/register-book``.
    blueprint: str
    url_prefix: str
    #: The heading, and the list the page links back to.
    title: str
    back_endpoint: str
    back_label: str
    #: Column headings on screen (the PDF keeps the form's own, ``RegisterForm``).
    headings: Sequence[str]
    #: The column linking to the document (never in a secret register) and its page.
    linked_column: int
    document_endpoint: str
    #: ``data-<name>`` attribute carrying each row's number.
    number_attribute: str
    #: What the page says when the agency has no register, for a secret register and
    #: for a period without documents.
    no_register: str
    secret_note: str
    empty: str
    #: Start of the PDF file name: ``<pdf_name>-<register>-<from>-<to>.pdf``.
    pdf_name: str
    back_args: Mapping[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class RegisterBook:
    """One kind of register (incoming, outgoing): its documents, rows and forms."""

    #: "incoming" or "outgoing"; the export is audited as ``<name>.register_book.export``.
    name: str
    #: The register model (``agency_id``, ``name``, ``is_secret``) and the documents in it.
    register_model: type
    document_model: type
    #: The conditions putting a document of a register in the book for a period.
    where: Callable[[Any, Period], Sequence[ColumnElement[bool]]]
    #: Row order (year, then number) and the loader options the cells need.
    order_by: Sequence[Any]
    load: Sequence[Any]
    #: One document as one row.
    row: Callable[[Any], BookRow]
    form: RegisterForm
    page: RegisterPage

    def registers_of(self, agency_id: int) -> list[Any]:
        """The agency's registers of this kind, ordinary ones first."""
        model = self.register_model
        return list(
            db.session.scalars(
                select(model)
                .where(model.agency_id == agency_id)
                .order_by(model.is_secret, model.id)
            )
        )

    def rows(
        self,
        register: Any,
        period: Period,
        *,
        limit: int | None = None,
        offset: int = 0,
    ) -> list[BookRow]:
        """The register's documents in ``period``, by year and number."""
        query = (
            select(self.document_model)
            .where(*self.where(register, period))
            .order_by(*self.order_by)
            .options(*self.load)
        )
        if limit is not None:
            query = query.limit(limit).offset(offset)
        return [self.row(doc) for doc in db.session.scalars(query)]

    def count(self, register: Any, period: Period) -> int:
        """How many rows ``rows`` would return."""
        query = (
            select(func.count())
            .select_from(self.document_model)
            .where(*self.where(register, period))
        )
        return db.session.scalar(query) or 0

    def render_pdf(
        self,
        agency_name: str,
        register_name: str,
        period: Period,
        rows: Sequence[BookRow],
    ) -> bytes:
        """A4 landscape: title block, the columns, header on every page, page numbers."""
        return render_register_pdf(
            self.form, agency_name, register_name, period, [r.cells() for r in rows]
        )

    def export_pdf(
        self, actor: User, register: Any, period: Period, ip: str | None = None
    ) -> bytes:
        """Render the register as PDF and write the export to the audit trail (commits)."""
        rows = self.rows(register, period, limit=MAX_PDF_ROWS + 1)
        if len(rows) > MAX_PDF_ROWS:
            raise TooManyRows(len(rows), MAX_PDF_ROWS)
        agency = db.session.get(Agency, register.agency_id)
        data = self.render_pdf(
            agency.name if agency else "", register.name, period, rows
        )
        record(
            f"{self.name}.register_book.export",
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

    def __init__(self, count: int, limit: int) -> None:
        super().__init__(f"more than {limit} rows ({count})")
        self.count, self.limit = count, limit


def may_open(user: User) -> bool:
    return user.is_authenticated and user.role in BOOK_ROLES


def type_and_subject(doc: Any) -> str:
    """The "Tên loại và trích yếu nội dung" column of both forms."""
    return " – ".join(p for p in (nfc(doc.doc_type), nfc(doc.subject)) if p)


def note(doc: Any, *extra: str) -> str:
    """The "Ghi chú" column of both forms: urgency, secrecy, then what ``extra`` adds."""
    parts = []
    if doc.urgency != Urgency.NORMAL:
        parts.append(str(URGENCY_LABELS[doc.urgency]))
    if doc.secrecy != Secrecy.NONE:
        parts.append(str(SECRECY_LABELS[doc.secrecy]))
    return ", ".join([*parts, *filter(None, extra)])
