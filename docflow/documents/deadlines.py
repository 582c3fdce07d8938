"""Deadline states of incoming documents being processed: due soon, overdue."""

from __future__ import annotations

from datetime import date, timedelta

from flask import current_app
from sqlalchemy import ColumnElement, and_

from ..timeutil import to_local, utcnow
from .models import IncomingDocument, IncomingStatus


def today() -> date:
    """Today in Vietnam (deadlines are calendar days in Asia/Ho_Chi_Minh)."""
    return to_local(utcnow()).date()


def due_soon_days() -> int:
    return current_app.config["DUE_SOON_DAYS"]


def overdue_clause(day: date | None = None) -> ColumnElement[bool]:
    day = day or today()
    return and_(
        IncomingDocument.status == IncomingStatus.IN_PROGRESS,
        IncomingDocument.due_date < day,
    )


def due_soon_clause(day: date | None = None) -> ColumnElement[bool]:
    day = day or today()
    return and_(
        IncomingDocument.status == IncomingStatus.IN_PROGRESS,
        IncomingDocument.due_date >= day,
        IncomingDocument.due_date <= day + timedelta(days=due_soon_days()),
    )


def deadline_state(doc: IncomingDocument, day: date | None = None) -> str | None:
    """'overdue', 'due_soon' or None."""
    if doc.status != IncomingStatus.IN_PROGRESS or doc.due_date is None:
        return None
    day = day or today()
    if doc.due_date < day:
        return "overdue"
    if doc.due_date <= day + timedelta(days=due_soon_days()):
        return "due_soon"
    return None
