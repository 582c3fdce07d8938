"""Báo cáo tình hình giải quyết văn bản đến: figures per unit and per person in charge.

Which documents: the agency's incoming documents received in the period (``received_at``,
Vietnam calendar days) that have been assigned, i.e. are being processed or completed.
Those still waiting for a leader's assignment are counted apart; returned ones are not
the agency's work.

Whose: a document belongs to the unit of its lead (chủ trì), the first active lead
assignment, which is the leader's decision: a department, or a person and so that
person's department. Its person in charge is the first active lead assignment to a
person: the one the leader named, or the one the head passed the unit's document to.

Each document falls in exactly one column, judged today (the columns add up to
"received"):

- no deadline: no processing deadline (``due_date``, as extensions moved it);
- completed on time / late: completed before the end of the deadline day (Vietnam time)
  or after it;
- in progress within the deadline / overdue: not completed, the deadline is today or
  later / has passed (the inbox's ``deadlines.overdue_clause``).

Secret documents count like the others: their metadata is visible to the same people
(``documents/access.py``), only their content is restricted.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, or_, select
from sqlalchemy.orm import aliased

from ..agencies.models import Department
from ..auth.models import User
from ..documents.access import visible_clause
from ..documents.deadlines import today
from ..documents.models import (
    Assignment,
    AssignmentRole,
    IncomingDocument,
    IncomingStatus,
)
from ..extensions import db
from ..i18n import N_
from ..registers.pdf import Period
from ..timeutil import VN_TZ
from .scope import unit_of

S = IncomingStatus
D = IncomingDocument

#: Column key -> heading (msgid), in the order of the report.
MEASURES: dict[str, str] = {
    "received": N_("Documents received"),
    "on_time": N_("Completed on time"),
    "late": N_("Completed late"),
    "in_progress": N_("In progress, within the deadline"),
    "overdue": N_("Overdue, not completed"),
    "no_deadline": N_("No deadline"),
}
#: The key of the row without a unit (a lead without department) or without a person.
NONE = "none"

#: A deadline day ends at midnight in Vietnam: this many hours after its UTC midnight
#: (Asia/Ho_Chi_Minh has had no daylight saving time since 1975).
_DAY_END_HOURS = 24 - int(VN_TZ.utcoffset(datetime(2026, 1, 1)).total_seconds()) // 3600

_lead = aliased(Assignment, name="lead")
_lead_user = aliased(User, name="lead_user")
_person = aliased(Assignment, name="person_lead")
#: The unit of the document's lead, and its person in charge.
UNIT = func.coalesce(_lead.department_id, _lead_user.department_id)
PERSON = _person.user_id


def _day_end_utc(day_column: Any) -> ColumnElement[Any]:
    """The end of a Vietnam calendar day as the naive UTC timestamp the database stores."""
    if db.session.get_bind().dialect.name == "postgresql":
        return day_column + timedelta(hours=_DAY_END_HOURS)
    # SQLite keeps timestamps as ISO text, which compares in time order.
    return func.datetime(day_column, f"+{_DAY_END_HOURS} hours")


def measure_clauses(day: date) -> dict[str, ColumnElement[bool]]:
    """The condition of each column but "received" (every document), judged on ``day``."""
    done, being_processed = D.status == S.COMPLETED, D.status == S.IN_PROGRESS
    has_deadline = D.due_date.is_not(None)
    late = D.completed_at >= _day_end_utc(D.due_date)
    return {
        "on_time": and_(done, has_deadline, or_(D.completed_at.is_(None), ~late)),
        "late": and_(done, has_deadline, late),
        "in_progress": and_(being_processed, has_deadline, D.due_date >= day),
        "overdue": and_(being_processed, has_deadline, D.due_date < day),
        "no_deadline": D.due_date.is_(None),
    }


def _first_lead(*extra: ColumnElement[bool]) -> Any:
    """The id of the document's first active lead assignment (correlated subquery)."""
    return (
        select(func.min(Assignment.id))
        .where(
            Assignment.document_id == D.id,
            Assignment.active.is_(True),
            Assignment.role == AssignmentRole.LEAD,
            *extra,
        )
        .correlate(D)
        .scalar_subquery()
    )


def _select(user: User, period: Period, *columns: Any) -> Select[Any]:
    """``columns`` over the assigned documents of the period ``user`` may count."""
    start, end = period.utc_bounds()
    query = (
        select(*columns)
        .select_from(D)
        .join(_lead, _lead.id == _first_lead())
        .outerjoin(_lead_user, _lead_user.id == _lead.user_id)
        .outerjoin(_person, _person.id == _first_lead(Assignment.user_id.is_not(None)))
        .where(
            visible_clause(user),
            D.agency_id == user.agency_id,
            D.status.in_((S.IN_PROGRESS, S.COMPLETED)),
            D.received_at >= start,
            D.received_at < end,
        )
    )
    unit = unit_of(user)
    return query if unit is None else query.where(UNIT == unit)


def _key_clause(column: Any, key: str) -> ColumnElement[bool]:
    return column.is_(None) if key == NONE else column == int(key)


def _figure_columns(day: date) -> list[Any]:
    return [func.count().label("received")] + [
        func.count().filter(clause).label(name)
        for name, clause in measure_clauses(day).items()
    ]


@dataclass
class Row:
    """One line of the report: a unit or a person, and its figure per column."""

    key: str
    name: str
    figures: dict[str, int]


@dataclass
class IncomingReport:
    period: Period
    day: date
    rows: list[Row]
    total: Row
    #: The unit drilled into (rows are then its people), else None (rows are units).
    unit: Department | None = None
    unit_key: str | None = None
    #: Received in the period and waiting for a leader's assignment (agency scope only).
    waiting: int | None = None


def _rows(
    found: Sequence[Any], names: dict[str, str], always: Sequence[str] = ()
) -> tuple[list[Row], Row]:
    """Rows for every key found (and for ``always``), and the totals row."""
    by_key = {
        (NONE if r.key is None else str(r.key)): {m: getattr(r, m) for m in MEASURES}
        for r in found
    }
    zero = dict.fromkeys(MEASURES, 0)
    keys = list(dict.fromkeys([*always, *by_key]))
    rows = [Row(k, names.get(k, ""), by_key.get(k, zero)) for k in keys]
    total = {m: sum(r.figures[m] for r in rows) for m in MEASURES}
    return rows, Row("total", "", total)


def by_unit(user: User, period: Period, day: date | None = None) -> IncomingReport:
    """One row per unit: every active unit in scope, plus any other holding documents."""
    day = day or today()
    found = db.session.execute(
        _select(user, period, UNIT.label("key"), *_figure_columns(day)).group_by(UNIT)
    ).all()
    unit = unit_of(user)
    departments = db.session.scalars(
        select(Department)
        .where(Department.agency_id == user.agency_id)
        .where(Department.id == unit if unit is not None else Department.active)
        .order_by(Department.name)
    ).all()
    extra_ids = [int(r.key) for r in found if r.key is not None]
    names = {
        str(d.id): d.name
        for d in db.session.scalars(
            select(Department).where(Department.id.in_(extra_ids))
        )
    }
    names.update({str(d.id): d.name for d in departments})
    rows, total = _rows(found, names, [str(d.id) for d in departments])
    rows.sort(key=lambda r: (r.key == NONE, r.name))
    waiting = None
    if unit is None:
        start, end = period.utc_bounds()
        waiting = db.session.scalar(
            select(func.count())
            .select_from(D)
            .where(
                visible_clause(user),
                D.agency_id == user.agency_id,
                D.status == S.REGISTERED,
                D.received_at >= start,
                D.received_at < end,
            )
        )
    return IncomingReport(period, day, rows, total, waiting=waiting)


def by_person(
    user: User, period: Period, unit_key: str, day: date | None = None
) -> IncomingReport:
    """One row per person in charge in a unit (``NONE``: leads without a unit)."""
    day = day or today()
    found = db.session.execute(
        _select(user, period, PERSON.label("key"), *_figure_columns(day))
        .where(_key_clause(UNIT, unit_key))
        .group_by(PERSON)
    ).all()
    ids = [r.key for r in found if r.key is not None]
    names = {
        str(u.id): u.full_name
        for u in db.session.scalars(select(User).where(User.id.in_(ids)))
    }
    rows, total = _rows(found, names)
    rows.sort(key=lambda r: (r.key != NONE, r.name))
    unit = None if unit_key == NONE else db.session.get(Department, int(unit_key))
    return IncomingReport(period, day, rows, total, unit=unit, unit_key=unit_key)


@dataclass
class DocumentPage:
    items: list[IncomingDocument]
    total: int
    page: int
    pages: int


def documents(
    user: User,
    period: Period,
    *,
    unit_key: str | None,
    person_key: str | None,
    measure: str,
    page: int = 1,
    per_page: int = 50,
    day: date | None = None,
) -> DocumentPage:
    """The documents behind one figure, by reception time."""
    day = day or today()
    query = _select(user, period, D)
    if unit_key is not None:
        query = query.where(_key_clause(UNIT, unit_key))
    if person_key is not None:
        query = query.where(_key_clause(PERSON, person_key))
    if measure != "received":
        query = query.where(measure_clauses(day)[measure])
    total = db.session.scalar(query.with_only_columns(func.count()).order_by(None)) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    items = db.session.scalars(
        query.order_by(D.received_at, D.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return DocumentPage(list(items), total, page, pages)
