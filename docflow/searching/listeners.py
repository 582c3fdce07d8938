"""Index updates follow every change: a session listener collects what a flush touched
and queues one index job per entry once the transaction commits:

- ``search.index_incoming``: an incoming document or its assignments;
- ``search.index_outgoing``: an issued outgoing document (any column: status, number,
  subject, the issued file ... so revocations and updates made elsewhere are indexed
  too), its recipients or its review chain; drafts have no entry and queue nothing;
- ``search.index_dossier``: a dossier or the documents it holds.

The index jobs of documents also refresh the dossiers holding them.
"""

from __future__ import annotations

from itertools import chain
from typing import Any

from flask import has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..documents.models import Assignment, IncomingDocument
from ..dossiers.models import Dossier, DossierItem
from ..extensions import db
from ..jobs import enqueue_after_commit
from ..outgoing.models import OutgoingDocument, Recipient, ReviewStep

QUEUED = "docflow.search.queued"
#: Set ``session.info[PAUSED] = True`` to index in bulk yourself (``docflow import``).
PAUSED = "docflow.search.paused"


def _issued(doc: OutgoingDocument | None) -> bool:
    return doc is not None and doc.issued_at is not None


def _touched(session: Session) -> set[tuple[str, int]]:
    jobs: set[tuple[str, int]] = set()
    deleted = session.deleted
    for obj in chain(session.new, session.dirty, deleted):
        if isinstance(obj, IncomingDocument) and obj.id is not None:
            jobs.add(("search.index_incoming", obj.id))
        elif isinstance(obj, Assignment) and obj.document_id is not None:
            jobs.add(("search.index_incoming", obj.document_id))
        elif isinstance(obj, OutgoingDocument) and obj.id is not None:
            if _issued(obj) or obj in deleted:
                jobs.add(("search.index_outgoing", obj.id))
        elif isinstance(obj, Recipient | ReviewStep) and obj.document_id is not None:
            if _issued(obj.document):
                jobs.add(("search.index_outgoing", obj.document_id))
        elif isinstance(obj, Dossier) and obj.id is not None:
            jobs.add(("search.index_dossier", obj.id))
        elif isinstance(obj, DossierItem) and obj.dossier_id is not None:
            jobs.add(("search.index_dossier", obj.dossier_id))
    return jobs


@event.listens_for(Session, "after_flush")
def _collect(session: Session, _context: Any) -> None:
    if not has_app_context() or session.info.get(PAUSED) or session is not db.session():
        return
    queued = session.info.setdefault(QUEUED, set())
    for name, entity_id in sorted(_touched(session) - queued):
        queued.add((name, entity_id))
        enqueue_after_commit(name, entity_id)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_soft_rollback")
def _forget(session: Session, *_args: Any) -> None:
    session.info.pop(QUEUED, None)
