"""What people do with incoming documents. The only module here that commits.

Every operation checks the rules of the workflow (status, role, agency), writes a
timeline event and an audit entry in the same transaction, then commits.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass, field
from datetime import date
from typing import Any, BinaryIO

from sqlalchemy import select

from ..audit.services import record
from ..auth.models import Role, User
from ..extensions import db
from ..files.services import store_file
from ..jobs import enqueue_after_commit
from ..timeutil import utcnow
from .access import active_assignment, can_view
from .deadlines import today
from .models import (
    Assignment,
    AssignmentRole,
    Attachment,
    Event,
    EventKind,
    ExtensionRequest,
    IncomingDocument,
    IncomingRegister,
    IncomingStatus,
    Source,
)
from .numbering import next_number
from .vocab import Secrecy

logger = logging.getLogger(__name__)

METADATA_FIELDS = (
    "issuer_name",
    "issuer_code",
    "code_number",
    "code_notation",
    "issued_date",
    "doc_type",
    "subject",
    "signer_name",
    "signer_position",
    "page_count",
    "urgency",
    "secrecy",
    "due_date",
)


class ActionRefused(Exception):
    """The action is not allowed now; ``message`` is a gettext msgid, ``params`` its values."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


class DuplicateWarning(Exception):
    """Documents with the same issuer, number and notation are already registered."""

    def __init__(self, duplicates: list[IncomingDocument]) -> None:
        super().__init__(f"{len(duplicates)} possible duplicates")
        self.duplicates = duplicates


def _event(
    doc: IncomingDocument, kind: EventKind, actor: User | None, text: str | None = None
) -> None:
    db.session.add(
        Event(
            document_id=doc.id,
            kind=kind,
            actor_id=actor.id if actor else None,
            text=text,
        )
    )


def _audit(
    action: str, doc: IncomingDocument, actor: User | None, **details: Any
) -> None:
    record(action, actor=actor, agency_id=doc.agency_id, obj=doc, **details)


def _require(condition: bool, message: str, **params: Any) -> None:
    if not condition:
        raise ActionRefused(message, **params)


# ------------------------------------------------------------------ registers
def default_register(agency_id: int, secret: bool) -> IncomingRegister:
    """The agency's register for ordinary or for secret documents, created on first use."""
    from .numbering import get_or_create_register

    name = "Sổ văn bản đến mật" if secret else "Sổ văn bản đến"
    return get_or_create_register(IncomingRegister, agency_id, name, secret)


# ------------------------------------------------------------------ receiving
def receive(
    actor: User,
    stream: BinaryIO,
    filename: str,
    metadata: dict[str, Any] | None = None,
    source: Source = Source.UPLOAD,
) -> IncomingDocument:
    """Put a received document in the "waiting to be registered" queue."""
    _require(
        actor.role == Role.RECORDS_OFFICER, "Only records officers receive documents."
    )
    stored = store_file(
        stream,
        original_name=filename,
        agency_id=actor.agency_id,
        uploaded_by_id=actor.id,
    )
    doc = IncomingDocument(
        agency_id=actor.agency_id,
        status=IncomingStatus.PENDING,
        source=source,
        main_file_id=stored.id,
        created_by_id=actor.id,
    )
    for key, value in (metadata or {}).items():
        if key in METADATA_FIELDS and value not in (None, ""):
            setattr(doc, key, value)
    db.session.add(doc)
    db.session.flush()
    _event(doc, EventKind.RECEIVED, actor, stored.original_name)
    _audit(
        "incoming.receive", doc, actor, file=stored.sha256, name=stored.original_name
    )
    if stored.media_type == "application/pdf":
        enqueue_after_commit("incoming.validate_signatures", doc.id)
    db.session.commit()
    logger.info("incoming document %s received by %s", doc.id, actor.id)
    return doc


# ------------------------------------------------------------------ registering
def find_duplicates(
    agency_id: int,
    issuer_name: str,
    code_number: str,
    code_notation: str,
    exclude_id: int | None = None,
) -> list[IncomingDocument]:
    if not (issuer_name and code_number):
        return []
    query = select(IncomingDocument).where(
        IncomingDocument.agency_id == agency_id,
        IncomingDocument.issuer_name == issuer_name,
        IncomingDocument.code_number == code_number,
        IncomingDocument.code_notation == code_notation,
        IncomingDocument.arrival_number.is_not(None),
    )
    if exclude_id is not None:
        query = query.where(IncomingDocument.id != exclude_id)
    return list(db.session.scalars(query))


def register(
    actor: User,
    doc: IncomingDocument,
    values: dict[str, Any],
    *,
    presented_to: User | None = None,
    confirm_duplicate: bool = False,
) -> IncomingDocument:
    """Register (vào sổ) a received document: metadata, arrival number, leader to present to."""
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == doc.agency_id,
        "Only the agency's records officers register documents.",
    )
    _require(
        doc.status == IncomingStatus.PENDING,
        "This document is not waiting to be registered.",
    )
    if presented_to is not None:
        _require(
            presented_to.agency_id == doc.agency_id
            and presented_to.role == Role.LEADER,
            "Documents are presented to a leader of the agency.",
        )
    for key in METADATA_FIELDS:
        if key in values:
            setattr(doc, key, values[key])
    _require(
        bool(doc.subject and doc.issuer_name),
        "The issuing agency and the subject are required.",
    )
    dups = find_duplicates(
        doc.agency_id, doc.issuer_name, doc.code_number, doc.code_notation, doc.id
    )
    if dups and not confirm_duplicate:
        raise DuplicateWarning(dups)
    reg = default_register(doc.agency_id, secret=doc.secrecy != Secrecy.NONE)
    now = utcnow()
    doc.register_id = reg.id
    doc.arrival_year = now.year
    doc.arrival_number = next_number(reg.id, now.year)
    doc.arrival_date = now
    doc.registered_by_id = actor.id
    doc.presented_to_id = presented_to.id if presented_to else None
    doc.status = IncomingStatus.REGISTERED
    _event(doc, EventKind.REGISTERED, actor, f"{reg.name}, số đến {doc.arrival_number}")
    _audit(
        "incoming.register",
        doc,
        actor,
        register=reg.id,
        number=doc.arrival_number,
        duplicate_confirmed=bool(dups),
    )
    enqueue_after_commit("interchange.status", doc.id, "03")
    db.session.commit()
    return doc


def return_document(
    actor: User, doc: IncomingDocument, reason: str
) -> IncomingDocument:
    """Refuse a received document (wrong recipient, invalid signature ...) with a reason."""
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == doc.agency_id,
        "Only the agency's records officers return documents.",
    )
    _require(
        doc.status == IncomingStatus.PENDING,
        "Only documents waiting to be registered can be returned.",
    )
    _require(
        bool(reason and reason.strip()), "Give the reason for returning the document."
    )
    doc.status = IncomingStatus.RETURNED
    doc.return_reason = reason.strip()[:500]
    _event(doc, EventKind.RETURNED, actor, doc.return_reason)
    _audit("incoming.return", doc, actor, reason=doc.return_reason)
    enqueue_after_commit("interchange.status", doc.id, "02")
    db.session.commit()
    return doc


# ------------------------------------------------------------------ assignment
@dataclass
class Target:
    """A person or a department an assignment goes to."""

    user_id: int | None = None
    department_id: int | None = None

    def __post_init__(self) -> None:
        if (self.user_id is None) == (self.department_id is None):
            raise ValueError("a target is either a user or a department")


@dataclass
class AssignmentPlan:
    lead: Target
    coordinate: list[Target] = field(default_factory=list)
    inform: list[Target] = field(default_factory=list)
    deadline: date | None = None
    instruction: str = ""


def _check_target(doc: IncomingDocument, target: Target) -> None:
    from ..agencies.models import Department

    if target.user_id is not None:
        user = db.session.get(User, target.user_id)
        _require(
            user is not None and user.agency_id == doc.agency_id and user.active,
            "Assignments go to people and departments of the agency.",
        )
    else:
        dept = db.session.get(Department, target.department_id)
        _require(
            dept is not None and dept.agency_id == doc.agency_id and dept.active,
            "Assignments go to people and departments of the agency.",
        )


def assign(
    actor: User, doc: IncomingDocument, plan: AssignmentPlan
) -> IncomingDocument:
    """A leader's decision: lead, coordinating and informed people or units, deadline, instruction.

    Assigning again (reassignment) replaces the active assignments; the old ones stay in
    the history.
    """
    _require(
        actor.role == Role.LEADER and actor.agency_id == doc.agency_id,
        "Only the agency's leaders assign documents.",
    )
    _require(
        doc.status in (IncomingStatus.REGISTERED, IncomingStatus.IN_PROGRESS),
        "Only registered documents that are not completed can be assigned.",
    )
    if plan.deadline is not None:
        _require(plan.deadline >= today(), "The deadline cannot be in the past.")
    targets = [(AssignmentRole.LEAD, plan.lead)]
    targets += [(AssignmentRole.COORDINATE, t) for t in plan.coordinate]
    targets += [(AssignmentRole.INFORM, t) for t in plan.inform]
    seen = set()
    for _role, target in targets:
        _check_target(doc, target)
        key = (target.user_id, target.department_id)
        _require(
            key not in seen,
            "The same person or department appears twice in the assignment.",
        )
        seen.add(key)
    reassign = any(a.active for a in doc.assignments)
    for old in doc.assignments:
        old.active = False
    for role, target in targets:
        db.session.add(
            Assignment(
                document_id=doc.id,
                role=role,
                user_id=target.user_id,
                department_id=target.department_id,
                assigned_by_id=actor.id,
                deadline=plan.deadline if role != AssignmentRole.INFORM else None,
            )
        )
    if plan.deadline is not None:
        doc.due_date = plan.deadline
    doc.status = IncomingStatus.IN_PROGRESS
    kind = EventKind.REASSIGNED if reassign else EventKind.ASSIGNED
    _event(doc, kind, actor, plan.instruction.strip() or None)
    _audit(
        f"incoming.{kind.value}",
        doc,
        actor,
        lead=[plan.lead.user_id, plan.lead.department_id],
        coordinate=len(plan.coordinate),
        inform=len(plan.inform),
        deadline=plan.deadline.isoformat() if plan.deadline else None,
    )
    db.session.flush()
    enqueue_after_commit("incoming.notify_assignees", doc.id)
    enqueue_after_commit("interchange.status", doc.id, "04")
    db.session.commit()
    return doc


# ------------------------------------------------------------------ processing
def _require_participant(actor: User, doc: IncomingDocument) -> None:
    _require(
        can_view(actor, doc), "You are not taking part in processing this document."
    )
    _require(
        doc.status == IncomingStatus.IN_PROGRESS,
        "This document is not being processed.",
    )


def comment(actor: User, doc: IncomingDocument, text: str) -> None:
    _require_participant(actor, doc)
    _require(bool(text and text.strip()), "The comment is empty.")
    _event(doc, EventKind.COMMENTED, actor, text.strip()[:4000])
    _audit("incoming.comment", doc, actor)
    db.session.commit()


def attach(
    actor: User, doc: IncomingDocument, stream: BinaryIO, filename: str
) -> Attachment:
    _require_participant(actor, doc)
    stored = store_file(
        stream, original_name=filename, agency_id=doc.agency_id, uploaded_by_id=actor.id
    )
    attachment = Attachment(document_id=doc.id, file_id=stored.id, added_by_id=actor.id)
    db.session.add(attachment)
    _event(doc, EventKind.ATTACHED, actor, stored.original_name)
    _audit("incoming.attach", doc, actor, file=stored.sha256, name=stored.original_name)
    db.session.commit()
    return attachment


def forward(actor: User, doc: IncomingDocument, to_user: User, note: str = "") -> None:
    """Pass one's own part of the work on to a colleague (e.g. a department head to a specialist)."""
    _require_participant(actor, doc)
    mine = active_assignment(actor, doc, AssignmentRole.LEAD, AssignmentRole.COORDINATE)
    _require(
        mine is not None,
        "Only people handling the document (lead or coordinating) can forward it.",
    )
    _require(
        to_user.agency_id == doc.agency_id
        and to_user.active
        and to_user.id != actor.id,
        "Forward to an active colleague of the same agency.",
    )
    _require(
        not any(a.active and a.user_id == to_user.id for a in doc.assignments),
        "This person already has the document.",
    )
    db.session.add(
        Assignment(
            document_id=doc.id,
            role=mine.role,
            user_id=to_user.id,
            assigned_by_id=actor.id,
            deadline=mine.deadline,
        )
    )
    _event(
        doc,
        EventKind.FORWARDED,
        actor,
        f"→ {to_user.full_name}" + (f": {note.strip()}" if note.strip() else ""),
    )
    _audit("incoming.forward", doc, actor, to=to_user.id)
    db.session.flush()
    enqueue_after_commit("incoming.notify_assignees", doc.id)
    db.session.commit()


def request_extension(
    actor: User, doc: IncomingDocument, new_deadline: date, reason: str
) -> ExtensionRequest:
    _require_participant(actor, doc)
    _require(
        active_assignment(actor, doc, AssignmentRole.LEAD) is not None,
        "Only the lead handler can ask for more time.",
    )
    _require(bool(reason and reason.strip()), "Give the reason for the extension.")
    _require(new_deadline >= today(), "The deadline cannot be in the past.")
    _require(
        doc.due_date is None or new_deadline > doc.due_date,
        "The new deadline must be later than the current one.",
    )
    pending = db.session.scalar(
        select(ExtensionRequest).where(
            ExtensionRequest.document_id == doc.id, ExtensionRequest.granted.is_(None)
        )
    )
    _require(pending is None, "An extension request is already waiting for a decision.")
    req = ExtensionRequest(
        document_id=doc.id,
        requested_by_id=actor.id,
        new_deadline=new_deadline,
        reason=reason.strip()[:500],
    )
    db.session.add(req)
    _event(
        doc,
        EventKind.EXTENSION_REQUESTED,
        actor,
        f"{new_deadline:%d/%m/%Y}: {req.reason}",
    )
    _audit(
        "incoming.extension_request", doc, actor, new_deadline=new_deadline.isoformat()
    )
    db.session.commit()
    return req


def decide_extension(actor: User, req: ExtensionRequest, grant: bool) -> None:
    doc = db.session.get(IncomingDocument, req.document_id)
    _require(
        actor.role == Role.LEADER and actor.agency_id == doc.agency_id,
        "Only the agency's leaders decide on extensions.",
    )
    _require(req.granted is None, "This request has already been decided.")
    _require(
        doc.status == IncomingStatus.IN_PROGRESS,
        "This document is not being processed.",
    )
    req.granted, req.decided_by_id = grant, actor.id
    if grant:
        doc.due_date = req.new_deadline
        for a in doc.assignments:
            if a.active and a.role != AssignmentRole.INFORM:
                a.deadline = req.new_deadline
    _event(
        doc,
        EventKind.EXTENSION_DECIDED,
        actor,
        f"{'+' if grant else '-'} {req.new_deadline:%d/%m/%Y}",
    )
    _audit(
        "incoming.extension_decide",
        doc,
        actor,
        granted=grant,
        new_deadline=req.new_deadline.isoformat(),
    )
    db.session.commit()


def complete(actor: User, doc: IncomingDocument, result: str) -> None:
    """The lead handler (or a leader) closes the document with its result."""
    _require(
        doc.status == IncomingStatus.IN_PROGRESS,
        "This document is not being processed.",
    )
    is_lead = active_assignment(actor, doc, AssignmentRole.LEAD) is not None
    _require(
        is_lead or (actor.role == Role.LEADER and actor.agency_id == doc.agency_id),
        "Only the lead handler or a leader can complete the document.",
    )
    _require(bool(result and result.strip()), "Describe the result of the processing.")
    now = utcnow()
    doc.status, doc.result, doc.completed_at = (
        IncomingStatus.COMPLETED,
        result.strip(),
        now,
    )
    for a in doc.assignments:
        if a.active and a.completed_at is None:
            a.completed_at = now
    _event(doc, EventKind.COMPLETED, actor, doc.result)
    _audit("incoming.complete", doc, actor)
    enqueue_after_commit("interchange.status", doc.id, "06")
    db.session.commit()


def store_signature_report(doc: IncomingDocument, report: dict[str, Any]) -> None:
    doc.signature_report = json.dumps(report, ensure_ascii=False)
    db.session.commit()
