"""Jobs that belong to no domain."""

from __future__ import annotations

from ..audit.services import record
from ..extensions import db
from .queue import job


@job("system.heartbeat")
def heartbeat(token: str) -> None:
    """Leave a trace that a worker ran: used by operators and tests to check the queue."""
    from sqlalchemy import select

    from ..audit.models import AuditEntry

    # Safe to run twice: a token is recorded once.
    exists = db.session.scalar(
        select(AuditEntry.id).where(
            AuditEntry.action == "system.heartbeat", AuditEntry.object_id == token
        )
    )
    if exists is None:
        record("system.heartbeat", object_type="job", object_id=token)
        db.session.commit()
