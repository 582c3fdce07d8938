"""Báo cáo giải quyết văn bản đi: per drafting unit and per document type.

Columns, over the period (Vietnam calendar days):

- drafts: documents created in the period, whatever became of them;
- issued: documents issued in the period, of which electronically (at least one unit or
  agency received it through the system, whatever came of the sending) or on paper only
  (secret documents, documents addressed to free-text places only);
- recipient agencies of the documents issued in the period that are sent electronically
  (liên thông), each in one state as the document page shows it (``delivery_of``):
  returned (status 02), failed (the interchange gave up, an operator may send again),
  delivered (in the receiver's queue; later recalls included), waiting (queued, retrying).

Department heads count the documents of their unit; leaders and records officers the
agency's (``outgoing/access.py``).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, and_, exists, func, select, true

from ..agencies.models import Department
from ..auth.models import User
from ..extensions import db
from ..i18n import N_
from ..interchange.models import OutboxMessage, RecipientStatus
from ..outgoing.access import visible_clause
from ..outgoing.models import (
    DeliveryState,
    OutgoingDocument,
    OutgoingStatus,
    Recipient,
    RecipientKind,
)
from ..registers.pdf import Period
from .scope import unit_of

O = OutgoingDocument

#: Column key -> heading (msgid), in the order of the report.
DOCUMENT_MEASURES: dict[str, str] = {
    "drafts": N_("Drafts created"),
    "issued": N_("Issued"),
    "electronic": N_("Issued electronically"),
    "paper": N_("Issued on paper only"),
}
RECIPIENT_MEASURES: dict[str, str] = {
    "recipients": N_("Recipient agencies"),
    "delivered": N_("Delivered"),
    "waiting": N_("Waiting to be sent"),
    "failed": N_("Sending failed"),
    "returned": N_("Returned by the receiver"),
}
MEASURES = {**DOCUMENT_MEASURES, **RECIPIENT_MEASURES}
#: The key of documents without a drafting unit.
NONE = "none"


def _in_period(column: Any, period: Period) -> ColumnElement[bool]:
    start, end = period.utc_bounds()
    return and_(column >= start, column < end)


def _scope(user: User) -> list[ColumnElement[bool]]:
    unit = unit_of(user)
    where = [visible_clause(user), O.agency_id == user.agency_id]
    return where if unit is None else [*where, O.department_id == unit]


def _issued(period: Period) -> ColumnElement[bool]:
    return and_(O.status == OutgoingStatus.ISSUED, _in_period(O.issued_at, period))


def document_clauses(period: Period) -> dict[str, ColumnElement[bool]]:
    """The condition putting a document in each document column."""
    issued = _issued(period)
    electronic = exists().where(
        Recipient.document_id == O.id,
        Recipient.kind != RecipientKind.PLACE,
        Recipient.delivery != DeliveryState.NOT_ELECTRONIC,
    )
    return {
        "drafts": _in_period(O.created_at, period),
        "issued": issued,
        "electronic": and_(issued, electronic),
        "paper": and_(issued, ~electronic),
    }


def recipient_clauses() -> dict[str, ColumnElement[bool]]:
    """The condition putting a recipient agency in each recipient column."""
    returned = exists().where(
        RecipientStatus.recipient_id == Recipient.id, RecipientStatus.code == "02"
    )
    failed = and_(
        ~returned,
        exists().where(
            OutboxMessage.recipient_id == Recipient.id,
            OutboxMessage.kind == "document",
            OutboxMessage.state == "failed",
        ),
    )
    delivered = and_(~returned, ~failed, Recipient.delivery == DeliveryState.DELIVERED)
    return {
        "recipients": true(),
        "delivered": delivered,
        "waiting": and_(~returned, ~failed, ~delivered),
        "failed": failed,
        "returned": returned,
    }


def _recipients_of_period(period: Period) -> list[ColumnElement[bool]]:
    """Recipient agencies sent electronically a document issued in the period."""
    return [
        _issued(period),
        Recipient.kind == RecipientKind.AGENCY,
        Recipient.delivery != DeliveryState.NOT_ELECTRONIC,
    ]


def _document_figures(
    user: User, period: Period, group: Any
) -> dict[str | None, dict[str, int]]:
    clauses = document_clauses(period)
    found = db.session.execute(
        select(
            group.label("key"),
            *(func.count().filter(c).label(m) for m, c in clauses.items()),
        )
        .where(*_scope(user))
        .where(clauses["drafts"] | clauses["issued"])
        .group_by(group)
    ).all()
    return {r.key: {m: getattr(r, m) for m in DOCUMENT_MEASURES} for r in found}


def _recipient_figures(
    user: User, period: Period, group: Any
) -> dict[str | None, dict[str, int]]:
    clauses = recipient_clauses()
    found = db.session.execute(
        select(
            group.label("key"),
            *(func.count().filter(c).label(m) for m, c in clauses.items()),
        )
        .select_from(Recipient)
        .join(O, O.id == Recipient.document_id)
        .where(*_scope(user), *_recipients_of_period(period))
        .group_by(group)
    ).all()
    return {r.key: {m: getattr(r, m) for m in RECIPIENT_MEASURES} for r in found}


@dataclass
class Row:
    key: str
    name: str
    figures: dict[str, int]


@dataclass
class OutgoingReport:
    period: Period
    by_unit: list[Row]
    unit_total: Row
    by_type: list[Row]
    type_total: Row


def _rows(
    user: User, period: Period, group: Any, names: dict[str, str], always: Sequence[str]
) -> tuple[list[Row], Row]:
    figures: dict[str, dict[str, int]] = {}
    for part in (
        _document_figures(user, period, group),
        _recipient_figures(user, period, group),
    ):
        for key, values in part.items():
            figures.setdefault(NONE if key is None else str(key), {}).update(values)
    keys = list(dict.fromkeys([*always, *figures]))
    rows = [
        Row(k, names.get(k, k), {m: figures.get(k, {}).get(m, 0) for m in MEASURES})
        for k in keys
    ]
    total = {m: sum(r.figures[m] for r in rows) for m in MEASURES}
    return rows, Row("total", "", total)


def report(user: User, period: Period) -> OutgoingReport:
    """The figures per drafting unit (every active unit in scope) and per type."""
    unit = unit_of(user)
    departments = db.session.scalars(
        select(Department)
        .where(Department.agency_id == user.agency_id)
        .where(Department.id == unit if unit is not None else Department.active)
        .order_by(Department.name)
    ).all()
    names = {
        str(d.id): d.name
        for d in db.session.scalars(
            select(Department).where(Department.agency_id == user.agency_id)
        )
    }
    by_unit, unit_total = _rows(
        user, period, O.department_id, names, [str(d.id) for d in departments]
    )
    by_unit.sort(key=lambda r: (r.key == NONE, r.name))
    by_type, type_total = _rows(user, period, O.doc_type, {}, [])
    by_type.sort(key=lambda r: r.name)
    return OutgoingReport(period, by_unit, unit_total, by_type, type_total)


#: How a drill-down narrows the documents: by drafting unit or by type.
GROUPS = ("unit", "type")


@dataclass
class Listing:
    """The documents (or recipient agencies, with their document) behind one figure."""

    items: list[Any]
    total: int
    page: int
    pages: int
    recipients: bool


def listing(
    user: User,
    period: Period,
    *,
    group: str | None,
    key: str | None,
    measure: str,
    page: int = 1,
    per_page: int = 50,
) -> Listing:
    if measure in DOCUMENT_MEASURES:
        query = select(O).where(*_scope(user), document_clauses(period)[measure])
        order = [func.coalesce(O.issued_at, O.created_at), O.id]
    else:
        query = (
            select(Recipient)
            .join(O, O.id == Recipient.document_id)
            .where(
                *_scope(user),
                *_recipients_of_period(period),
                recipient_clauses()[measure],
            )
        )
        order = [O.issued_at, O.id, Recipient.id]
    if group is not None and key is not None:
        if group == "unit":
            column = O.department_id
            query = query.where(column.is_(None) if key == NONE else column == int(key))
        else:
            query = query.where(O.doc_type == key)
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.order_by(*order).limit(per_page).offset((page - 1) * per_page)
    ).all()
    return Listing(list(items), total, page, pages, measure in RECIPIENT_MEASURES)
