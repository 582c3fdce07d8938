"""Who sees an outgoing document.

Records officers and leaders see every outgoing document of their agency; the drafter,
every reviewer in the chain and the signer see it; a department head sees the drafts
of their unit. Another agency's documents answer 404. For secret documents the content
is limited to the drafter, the reviewers, the signer and the records officers.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from ..auth.models import Role, User
from ..extensions import db
from .models import OutgoingDocument, ReviewStep


def visible_clause(user: User) -> ColumnElement[bool]:
    if not user.is_authenticated:
        return false()
    same_agency = OutgoingDocument.agency_id == user.agency_id
    if user.role in (Role.RECORDS_OFFICER, Role.LEADER):
        return same_agency
    personal = [
        OutgoingDocument.drafted_by_id == user.id,
        OutgoingDocument.signer_id == user.id,
        exists().where(
            ReviewStep.document_id == OutgoingDocument.id,
            ReviewStep.reviewer_id == user.id,
        ),
    ]
    if user.role == Role.DEPARTMENT_HEAD and user.department_id is not None:
        personal.append(OutgoingDocument.department_id == user.department_id)
    return and_(same_agency, or_(*personal))


def my_turn_clause(user: User) -> ColumnElement[bool]:
    """The user's review step is the current one: pending, with no pending step before it."""
    mine, earlier = aliased(ReviewStep), aliased(ReviewStep)
    return exists().where(
        mine.document_id == OutgoingDocument.id,
        mine.reviewer_id == user.id,
        mine.decision == "pending",
        ~exists().where(
            earlier.document_id == mine.document_id,
            earlier.decision == "pending",
            earlier.position < mine.position,
        ),
    )


def can_view(user: User, doc: OutgoingDocument) -> bool:
    return (
        db.session.scalar(
            select(OutgoingDocument.id).where(
                OutgoingDocument.id == doc.id, visible_clause(user)
            )
        )
        is not None
    )


def can_view_content(user: User, doc: OutgoingDocument) -> bool:
    if not can_view(user, doc):
        return False
    if not doc.is_secret:
        return True
    return (
        user.id in (doc.drafted_by_id, doc.signer_id)
        or user.role == Role.RECORDS_OFFICER
        or any(r.reviewer_id == user.id for r in doc.reviews)
    )


def visible_or_404(user: User, doc_id: int) -> OutgoingDocument:
    doc = db.session.get(OutgoingDocument, doc_id)
    if doc is None or not can_view(user, doc):
        abort(404)
    return doc
