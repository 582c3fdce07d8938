"""Index updates follow every change: a session listener collects the incoming documents
touched by a flush (the document itself or its assignments) and queues one
``search.index_incoming`` job per document once the transaction commits.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..documents.models import Assignment, IncomingDocument
from ..extensions import db
from ..jobs import enqueue_after_commit

QUEUED = "docflow.search.queued"
#: Set ``session.info[PAUSED] = True`` to index in bulk yourself (``docflow import``).
PAUSED = "docflow.search.paused"


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if not has_app_context() or session.info.get(PAUSED) or session is not db.session():
        return
    ids: set[int] = set()
    for obj in chain(session.new, session.dirty, session.deleted):
        if isinstance(obj, IncomingDocument) and obj.id is not None:
            ids.add(obj.id)
        elif isinstance(obj, Assignment) and obj.document_id is not None:
            ids.add(obj.document_id)
    queued = session.info.setdefault(QUEUED, set())
    for document_id in sorted(ids - queued):
        queued.add(document_id)
        enqueue_after_commit("search.index_incoming", document_id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(QUEUED, None)
