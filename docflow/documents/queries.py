"""The inbox lists: which documents each tab shows, counts, sorting, paging."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true

from ..auth.models import Role, User
from ..extensions import db
from ..i18n import N_
from .access import visible_clause
from .deadlines import due_soon_clause, due_soon_days, overdue_clause, today
from .models import IncomingDocument, IncomingStatus

S = IncomingStatus

#: tab -> (label msgid, extra condition). The order is the order on screen.
TABS: dict[str, tuple[str, Any]] = {
    "pending": (
        N_("Waiting to be registered"),
        lambda: IncomingDocument.status == S.PENDING,
    ),
    "to_assign": (
        N_("Waiting for assignment"),
        lambda: IncomingDocument.status == S.REGISTERED,
    ),
    "in_progress": (
        N_("Being processed"),
        lambda: IncomingDocument.status == S.IN_PROGRESS,
    ),
    "due_soon": (N_("Due soon"), due_soon_clause),
    "overdue": (N_("Overdue"), overdue_clause),
    "completed": (N_("Completed"), lambda: IncomingDocument.status == S.COMPLETED),
    "returned": (N_("Returned"), lambda: IncomingDocument.status == S.RETURNED),
    "all": (N_("All"), lambda: true()),
}

SORTS: dict[str, Any] = {
    "received": IncomingDocument.received_at.desc(),
    "received_asc": IncomingDocument.received_at.asc(),
    "arrival": IncomingDocument.arrival_number.desc(),
    "due": IncomingDocument.due_date.asc(),
    "subject": IncomingDocument.subject.asc(),
}


def tabs_for(user: User) -> list[str]:
    if user.role == Role.RECORDS_OFFICER:
        return [
            "pending",
            "to_assign",
            "in_progress",
            "due_soon",
            "overdue",
            "completed",
            "returned",
            "all",
        ]
    if user.role == Role.LEADER:
        return ["to_assign", "in_progress", "due_soon", "overdue", "completed", "all"]
    return ["in_progress", "due_soon", "overdue", "completed", "all"]


def base_query(user: User, tab: str) -> Select[tuple[IncomingDocument]]:
    condition: ColumnElement[bool] = TABS[tab][1]()
    return select(IncomingDocument).where(visible_clause(user), condition)


def counts(user: User) -> dict[str, int]:
    """Documents per tab: one GROUP BY status (an index scan) and one small deadline query."""
    visible = visible_clause(user)
    by_status = dict(
        db.session.execute(
            select(IncomingDocument.status, func.count())
            .where(visible)
            .group_by(IncomingDocument.status)
        ).all()
    )
    day = today()
    late, soon = db.session.execute(
        select(
            func.count().filter(IncomingDocument.due_date < day),
            func.count().filter(IncomingDocument.due_date >= day),
        ).where(
            visible,
            IncomingDocument.status == S.IN_PROGRESS,
            IncomingDocument.due_date <= day + timedelta(days=due_soon_days()),
        )
    ).one()
    values = {
        "pending": by_status.get(S.PENDING, 0),
        "to_assign": by_status.get(S.REGISTERED, 0),
        "in_progress": by_status.get(S.IN_PROGRESS, 0),
        "due_soon": soon,
        "overdue": late,
        "completed": by_status.get(S.COMPLETED, 0),
        "returned": by_status.get(S.RETURNED, 0),
        "all": sum(by_status.values()),
    }
    return {tab: values[tab] for tab in tabs_for(user)}


@dataclass
class Page:
    items: list[IncomingDocument]
    page: int
    pages: int
    total: int


def page_of(user: User, tab: str, sort: str, page: int, per_page: int) -> Page:
    query = base_query(user, tab)
    total = (
        db.session.scalar(
            query.with_only_columns(func.count(IncomingDocument.id)).order_by(None)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = SORTS.get(sort, SORTS["received"])
    items = db.session.scalars(
        query.order_by(order, IncomingDocument.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return Page(list(items), page, pages, total)
