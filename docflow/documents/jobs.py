"""Background jobs of incoming documents. They take ids and are safe to run twice."""

from __future__ import annotations

import logging

from flask import current_app
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..files.services import open_file
from ..jobs import job
from .deadlines import due_soon_clause, overdue_clause, today
from .models import Assignment, AssignmentRole, IncomingDocument, Notification
from .services import store_signature_report

logger = logging.getLogger(__name__)


@job("incoming.validate_signatures")
def validate_signatures(document_id: int) -> None:
    """Validate the signatures of the main PDF with the signing library and keep the report."""
    from signing.validate import validate_pdf

    doc = db.session.get(IncomingDocument, document_id)
    if (
        doc is None
        or doc.main_file is None
        or doc.main_file.media_type != "application/pdf"
    ):
        return
    with open_file(doc.main_file) as stream:
        data = stream.read()
    from ..outgoing.signatures import ISSUE_FIELDS

    report = validate_pdf(
        data,
        trust_roots=current_app.config["TRUST_ROOTS"],
        allow_fetching=current_app.config["REVOCATION_FETCHING"],
        crls=current_app.config["REVOCATION_FILES"],
        # The issuer's records officer fills the number and date after the leader
        # signs, then seals (NĐ 30/2020): accepted when the seal covers them.
        later_signed_fields=ISSUE_FIELDS,
    )
    store_signature_report(doc, report.to_dict())
    logger.info("signatures of incoming %s: %s", document_id, report.indication)


def _notify(user_id: int, document_id: int, kind: str, text: str) -> None:
    """One notification per user, document, kind and day (running twice adds nothing)."""
    exists = db.session.scalar(
        select(Notification.id).where(
            Notification.user_id == user_id,
            Notification.document_id == document_id,
            Notification.kind == kind,
            Notification.day == today(),
        )
    )
    if exists is None:
        try:
            with db.session.begin_nested():
                db.session.add(
                    Notification(
                        user_id=user_id,
                        document_id=document_id,
                        kind=kind,
                        day=today(),
                        text=text,
                    )
                )
        except IntegrityError:  # a concurrent run added it
            pass


def _assignee_ids(doc: IncomingDocument, roles: set[AssignmentRole]) -> set[int]:
    from ..auth.models import Role, User

    ids = set()
    for a in doc.assignments:
        if not a.active or a.role not in roles:
            continue
        if a.user_id is not None:
            ids.add(a.user_id)
        else:
            heads = db.session.scalars(
                select(User.id).where(
                    User.department_id == a.department_id,
                    User.role == Role.DEPARTMENT_HEAD,
                )
            )
            ids.update(heads)
    return ids


@job("incoming.notify_assignees")
def notify_assignees(document_id: int) -> None:
    doc = db.session.get(IncomingDocument, document_id)
    if doc is None:
        return
    for user_id in _assignee_ids(doc, set(AssignmentRole)):
        _notify(user_id, doc.id, "assigned", doc.subject[:400])
    db.session.commit()


@job("incoming.remind_deadlines")
def remind_deadlines() -> int:
    """Daily: remind lead and coordinating handlers of documents due soon or overdue."""
    count = 0
    handlers = {AssignmentRole.LEAD, AssignmentRole.COORDINATE}
    for kind, clause in (
        ("overdue", overdue_clause()),
        ("due_soon", due_soon_clause()),
    ):
        for doc in db.session.scalars(select(IncomingDocument).where(clause)):
            for user_id in _assignee_ids(doc, handlers):
                _notify(user_id, doc.id, kind, doc.subject[:400])
                count += 1
    db.session.commit()
    return count


__all__ = ["Assignment", "notify_assignees", "remind_deadlines", "validate_signatures"]
