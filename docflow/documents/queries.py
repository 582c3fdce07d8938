"""The inbox lists: which documents each tab shows, counts, sorting, paging."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Select, func, select, true

from ..auth.models import Role, User
from ..extensions import db
from ..i18n import N_
from .access import visible_clause
from .deadlines import due_soon_clause, overdue_clause
from .models import IncomingDocument, IncomingStatus

S = IncomingStatus

#: tab -> (label msgid, extra condition). The order is the order on screen.
TABS: dict[str, tuple[str, Any]] = {
    "pending": (N_("Waiting to be registered"), lambda: IncomingDocument.status == S.PENDING),
    "to_assign": (N_("Waiting for assignment"), lambda: IncomingDocument.status == S.REGISTERED),
    "in_progress": (N_("Being processed"), lambda: IncomingDocument.status == S.IN_PROGRESS),
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
        return ["pending", "to_assign", "in_progress", "due_soon", "overdue", "completed", "returned", "all"]
    if user.role == Role.LEADER:
        return ["to_assign", "in_progress", "due_soon", "overdue", "completed", "all"]
    return ["in_progress", "due_soon", "overdue", "completed", "all"]


def base_query(user: User, tab: str) -> Select[tuple[IncomingDocument]]:
    condition: ColumnElement[bool] = TABS[tab][1]()
    return select(IncomingDocument).where(visible_clause(user), condition)


def counts(user: User) -> dict[str, int]:
    """Documents per tab, in one query."""
    columns = [func.count().filter(TABS[tab][1]()).label(tab) for tab in tabs_for(user)]
    row = db.session.execute(select(*columns).select_from(IncomingDocument).where(visible_clause(user))).one()
    return dict(row._mapping)


@dataclass
class Page:
    items: list[IncomingDocument]
    page: int
    pages: int
    total: int


def page_of(user: User, tab: str, sort: str, page: int, per_page: int) -> Page:
    query = base_query(user, tab)
    total = db.session.scalar(select(func.count()).select_from(query.subquery())) or 0
    pages = max(1, -(-total // per_page))
    page = min(max(page, 1), pages)
    order = SORTS.get(sort, SORTS["received"])
    items = db.session.scalars(query.order_by(order, IncomingDocument.id.desc())
                               .limit(per_page).offset((page - 1) * per_page)).all()
    return Page(list(items), page, pages, total)
