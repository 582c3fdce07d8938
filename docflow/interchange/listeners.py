"""Status 05 (đang xử lý) follows the work itself: the first comment, attached file, forward or
extension request of a handler on a document received by interchange sends it once."""

from __future__ import annotations

from typing import Any

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..documents.models import Event, EventKind
from ..extensions import db
from ..jobs import enqueue_after_commit

#: Timeline events that mean someone is working on the document.
PROCESSING = frozenset(
    {
        EventKind.COMMENTED,
        EventKind.ATTACHED,
        EventKind.FORWARDED,
        EventKind.EXTENSION_REQUESTED,
    }
)


@event.listens_for(Session, "after_flush")
def _processing_started(session: Session, _context: Any) -> None:
    if not has_app_context() or session is not db.session():
        return
    for obj in session.new:
        if (
            isinstance(obj, Event)
            and obj.kind in PROCESSING
            and obj.actor_id is not None
        ):
            # The job sends 05 only for the first such event (and only for interchange documents).
            enqueue_after_commit("interchange.status", obj.document_id, "05")
