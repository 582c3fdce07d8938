"""What people do with outgoing documents. The only module here that commits.

draft (specialist) -> review chain (department head, leader ...) -> approved ->
leader's signature -> issue by the records officer (number from the register, date,
agency seal; attachments sealed) -> delivery: agencies on this instance receive it in
their "waiting to be registered" queue at once; the rest wait in the outbox for the
interchange. Secret documents are never sent electronically.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass, field
from typing import Any, BinaryIO

from flask import current_app
from sqlalchemy import select

from signing.errors import AlreadySigned, SigningError

from ..agencies.models import Agency, Department
from ..audit.services import record
from ..auth.models import Role, User
from ..documents.models import IncomingDocument
from ..documents.numbering import next_number
from ..documents.services import ActionRefused
from ..documents.vocab import DOCUMENT_TYPES
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import get_storage, open_file, store_file
from ..files.sniff import DOCX, ODT, PDF
from ..jobs import enqueue_after_commit
from ..timeutil import to_local, utcnow
from . import signatures as sig
from .models import (
    DeliveryState,
    OutgoingAttachment,
    OutgoingCounter,
    OutgoingDocument,
    OutgoingEvent,
    OutgoingRegister,
    OutgoingStatus,
    OutgoingVersion,
    Recipient,
    RecipientKind,
    ReviewStep,
    SigningCredential,
)

logger = logging.getLogger(__name__)
S = OutgoingStatus
ABBREVIATIONS = dict(DOCUMENT_TYPES)


def _require(condition: bool, message: str, **params: Any) -> None:
    if not condition:
        raise ActionRefused(message, **params)


def _event(
    doc: OutgoingDocument, kind: str, actor: User | None, text: str | None = None
) -> None:
    db.session.add(
        OutgoingEvent(
            document_id=doc.id,
            kind=kind,
            actor_id=actor.id if actor else None,
            text=text,
        )
    )


def _audit(
    action: str, doc: OutgoingDocument, actor: User | None, **details: Any
) -> None:
    record(action, actor=actor, agency_id=doc.agency_id, obj=doc, **details)


def _read(file: StoredFile) -> bytes:
    with open_file(file) as stream:
        return stream.read()


def _store_bytes(
    data: bytes, name: str, doc: OutgoingDocument, actor: User | None
) -> StoredFile:
    return store_file(
        io.BytesIO(data),
        original_name=name,
        agency_id=doc.agency_id,
        uploaded_by_id=actor.id if actor else None,
        allowed=frozenset({PDF}),
    )


# ------------------------------------------------------------------ drafting
@dataclass
class RecipientSpec:
    kind: RecipientKind
    agency_id: int | None = None
    department_id: int | None = None
    name: str = ""


@dataclass
class DraftValues:
    doc_type: str
    subject: str
    urgency: Any
    secrecy: Any
    department_id: int | None = None
    recipients: list[RecipientSpec] = field(default_factory=list)
    #: An issued document of the agency the new one replaces (thay thế).
    replaces_id: int | None = None


def _recipient(doc: OutgoingDocument, spec: RecipientSpec) -> Recipient:
    if spec.kind == RecipientKind.AGENCY:
        agency = db.session.get(Agency, spec.agency_id)
        _require(
            agency is not None and agency.active and agency.id != doc.agency_id,
            "Choose recipient agencies from the directory.",
        )
        return Recipient(kind=spec.kind, agency_id=agency.id, name=agency.name)
    if spec.kind == RecipientKind.DEPARTMENT:
        dept = db.session.get(Department, spec.department_id)
        _require(
            dept is not None and dept.agency_id == doc.agency_id,
            "Choose units of your own agency.",
        )
        return Recipient(kind=spec.kind, department_id=dept.id, name=dept.name)
    _require(bool(spec.name.strip()), "A recipient without a name.")
    return Recipient(kind=RecipientKind.PLACE, name=spec.name.strip()[:255])


def create_draft(
    actor: User,
    values: DraftValues,
    stream: BinaryIO,
    filename: str,
    attachments: list[tuple[BinaryIO, str]] = (),
) -> OutgoingDocument:  # type: ignore[assignment]
    """A specialist (or anyone drafting for the agency) creates an outgoing document."""
    _require(values.doc_type in ABBREVIATIONS, "Unknown document type.")
    _require(bool(values.subject.strip()), "The subject is required.")
    doc = OutgoingDocument(
        agency_id=actor.agency_id,
        doc_type=values.doc_type,
        subject=values.subject.strip(),
        urgency=values.urgency,
        secrecy=values.secrecy,
        department_id=values.department_id or actor.department_id,
        drafted_by_id=actor.id,
    )
    db.session.add(doc)
    db.session.flush()
    if values.replaces_id:
        doc.replaces_id = _replaceable(doc, values.replaces_id).id
    for spec in values.recipients:
        recipient = _recipient(doc, spec)
        recipient.document_id = doc.id
        db.session.add(recipient)
    _add_version(actor, doc, stream, filename, note=None)
    for att_stream, att_name in attachments:
        stored = store_file(
            att_stream,
            original_name=att_name,
            agency_id=doc.agency_id,
            uploaded_by_id=actor.id,
            allowed=frozenset({PDF}),
        )
        db.session.add(OutgoingAttachment(document_id=doc.id, file_id=stored.id))
    _event(doc, "created", actor)
    _audit("outgoing.create", doc, actor, subject=doc.subject)
    db.session.commit()
    return doc


def _replaceable(doc: OutgoingDocument, old_id: int) -> OutgoingDocument:
    old = db.session.get(OutgoingDocument, old_id)
    _require(
        old is not None
        and old.agency_id == doc.agency_id
        and old.id != doc.id
        and old.issued_at is not None,
        "Only an issued document of your agency can be replaced.",
    )
    _require(not old.is_revoked, "A revoked document cannot be replaced.")
    other = db.session.scalar(
        select(OutgoingDocument.number, OutgoingDocument.notation).where(
            OutgoingDocument.replaces_id == old.id,
            OutgoingDocument.issued_at.is_not(None),
        )
    )
    _require(
        other is None,
        "This document has already been replaced by %(number)s.",
        number=f"{other[0]:02d}/{other[1]}" if other else "",
    )
    return old


def set_replaces(actor: User, doc: OutgoingDocument, old_id: int | None) -> None:
    """Mark a document not issued yet as replacing an issued one (or not any more)."""
    _require(
        actor.agency_id == doc.agency_id
        and (actor.id == doc.drafted_by_id or actor.role == Role.RECORDS_OFFICER),
        "Only the drafter or a records officer says what the document replaces.",
    )
    _require(
        doc.issued_at is None, "An issued document cannot change what it replaces."
    )
    old = _replaceable(doc, old_id) if old_id else None
    doc.replaces_id = old.id if old else None
    _event(doc, "replaces_set", actor, old.number_notation if old else "—")
    _audit("outgoing.replaces", doc, actor, replaces=doc.replaces_id)
    db.session.commit()


def _add_version(
    actor: User,
    doc: OutgoingDocument,
    stream: BinaryIO,
    filename: str,
    note: str | None,
) -> OutgoingVersion:
    source = store_file(
        stream,
        original_name=filename,
        agency_id=doc.agency_id,
        uploaded_by_id=actor.id,
        allowed=frozenset({PDF, DOCX, ODT}),
    )
    number = (doc.current_version.number + 1) if doc.versions else 1
    version = OutgoingVersion(
        document_id=doc.id,
        number=number,
        source_file_id=source.id,
        created_by_id=actor.id,
        note=note,
    )
    db.session.add(version)
    db.session.flush()
    if source.media_type == PDF:
        try:
            prepared = sig.prepare_draft(_read(source), place=_place_name(doc))
        except AlreadySigned as exc:
            raise ActionRefused(
                "A draft must not be signed yet: upload the unsigned version."
            ) from exc
        except SigningError as exc:
            raise ActionRefused(
                "The PDF cannot be read: %(reason)s", reason=str(exc)
            ) from exc
        version.file_id = _store_bytes(prepared, filename, doc, actor).id
        version.state = "ready"
    else:
        version.state = "converting"
        enqueue_after_commit("outgoing.convert_draft", version.id)
    db.session.refresh(doc)
    return version


def _place_name(doc: OutgoingDocument) -> str | None:
    """The place written before the date ("Thanh Hóa, ngày ..."): the agency's address."""
    return (doc.agency.address or "").split(",")[-1].strip() or None


def add_version(
    actor: User, doc: OutgoingDocument, stream: BinaryIO, filename: str, note: str = ""
) -> OutgoingVersion:
    _require(
        doc.status in (S.DRAFT, S.RETURNED),
        "Only drafts and returned documents take new versions.",
    )
    _require(actor.id == doc.drafted_by_id, "Only the drafter uploads new versions.")
    version = _add_version(actor, doc, stream, filename, note=note.strip() or None)
    if doc.status == S.RETURNED:
        doc.status = S.DRAFT
    _event(
        doc,
        "version",
        actor,
        f"v{version.number}" + (f": {note.strip()}" if note.strip() else ""),
    )
    _audit("outgoing.version", doc, actor, version=version.number)
    db.session.commit()
    return version


# ------------------------------------------------------------------ review
def submit(
    actor: User, doc: OutgoingDocument, reviewer_ids: list[int], signer_id: int
) -> None:
    """Send the current version through the review chain; the signer is a leader."""
    _require(actor.id == doc.drafted_by_id, "Only the drafter submits the document.")
    _require(doc.status in (S.DRAFT, S.RETURNED), "Only drafts can be submitted.")
    version = doc.current_version
    _require(
        version is not None and version.state == "ready",
        "The current version is not ready (still converting?).",
    )
    signer = db.session.get(User, signer_id)
    _require(
        signer is not None
        and signer.agency_id == doc.agency_id
        and signer.role == Role.LEADER
        and signer.active,
        "The signer must be a leader of the agency.",
    )
    chain = [db.session.get(User, uid) for uid in reviewer_ids]
    _require(
        all(u is not None and u.agency_id == doc.agency_id and u.active for u in chain),
        "Reviewers must be people of the agency.",
    )
    _require(len({u.id for u in chain}) == len(chain), "A reviewer appears twice.")
    if not chain or chain[-1].id != signer.id:
        chain.append(signer)  # the signer always approves last
    for old in doc.reviews:
        if old.decision == "pending":
            old.decision = "cancelled"
    for position, reviewer in enumerate(chain, start=1):
        db.session.add(
            ReviewStep(
                document_id=doc.id,
                version_id=version.id,
                position=position,
                reviewer_id=reviewer.id,
            )
        )
    doc.signer_id = signer.id
    doc.status = S.IN_REVIEW
    _event(doc, "submitted", actor, " → ".join(u.full_name for u in chain))
    _audit(
        "outgoing.submit",
        doc,
        actor,
        reviewers=[u.id for u in chain],
        version=version.number,
    )
    db.session.commit()


def current_step(doc: OutgoingDocument) -> ReviewStep | None:
    pending = [r for r in doc.reviews if r.decision == "pending"]
    return min(pending, key=lambda r: r.position) if pending else None


def review(
    actor: User, doc: OutgoingDocument, approve: bool, comment: str = ""
) -> None:
    _require(doc.status == S.IN_REVIEW, "This document is not in review.")
    step = current_step(doc)
    _require(
        step is not None and step.reviewer_id == actor.id,
        "It is not your turn to review this document.",
    )
    _require(approve or bool(comment.strip()), "Say what must be revised.")
    step.decision = "approved" if approve else "returned"
    step.comment = comment.strip() or None
    step.decided_at = utcnow()
    if not approve:
        for other in doc.reviews:
            if other.decision == "pending":
                other.decision = "cancelled"
        doc.status = S.RETURNED
        _event(doc, "returned", actor, step.comment)
    else:
        db.session.flush()
        if current_step(doc) is None:
            doc.status = S.APPROVED
        _event(doc, "approved", actor, step.comment)
    _audit("outgoing.review", doc, actor, approved=approve)
    db.session.commit()


# ------------------------------------------------------------------ signatures
def credential(agency_id: int, purpose: str, user_id: int | None = None) -> sig.KeySpec:
    row = db.session.scalar(
        select(SigningCredential)
        .where(
            SigningCredential.agency_id == agency_id,
            SigningCredential.purpose == purpose,
            SigningCredential.user_id.is_(None)
            if user_id is None
            else SigningCredential.user_id == user_id,
            SigningCredential.active.is_(True),
        )
        .order_by(SigningCredential.id.desc())
    )
    if row is None:
        raise ActionRefused(
            "No signing key is registered for this signature. Ask the administrator."
        )
    return sig.KeySpec(
        kind=row.kind,
        secret_env=row.secret_env,
        module_path=row.module_path,
        token_label=row.token_label,
        key_label=row.key_label,
        pkcs12_path=row.pkcs12_path,
    )


def sign(
    actor: User, doc: OutgoingDocument, method: sig.SignatureMethod | None = None
) -> None:
    """The approving leader signs the approved version (server-held key by default)."""
    _require(doc.status == S.APPROVED, "Only approved documents can be signed.")
    _require(
        actor.id == doc.signer_id, "Only the designated signer signs this document."
    )
    version = doc.current_version
    method = method or sig.ServerKeyMethod(
        credential(doc.agency_id, "approval", actor.id)
    )
    source = _read(version.file)
    try:
        signed = method.sign(source, name=actor.full_name, position=actor.position)
    except (SigningError, sig.CredentialMissing) as exc:
        raise ActionRefused(
            "The signature could not be made: %(reason)s", reason=str(exc)
        ) from exc
    _require(
        signed.startswith(source),
        "The signed file is not an incremental update of the approved version.",
    )
    stored = _store_bytes(signed, f"{doc.doc_type} - ký duyệt.pdf", doc, actor)
    doc.signed_file_id, doc.signed_at, doc.status = stored.id, utcnow(), S.SIGNED
    _event(doc, "signed", actor, method.name)
    _audit(
        "outgoing.sign",
        doc,
        actor,
        file=stored.sha256,
        method=method.name,
        version=version.number,
    )
    db.session.commit()


# ------------------------------------------------------------------ issuing
def default_register(agency_id: int, secret: bool) -> OutgoingRegister:
    from ..documents.numbering import get_or_create_register

    name = "Sổ văn bản đi mật" if secret else "Sổ văn bản đi"
    return get_or_create_register(OutgoingRegister, agency_id, name, secret)


def notation_for(doc: OutgoingDocument) -> str:
    """NĐ 30: "QĐ-UBND" for typed documents, "UBND-VX" for a công văn (agency-drafting unit)."""
    agency = doc.agency.short_name
    abbr = ABBREVIATIONS.get(doc.doc_type, "")
    if abbr:
        return f"{abbr}-{agency}"
    unit = (
        doc.department.short_name
        if doc.department and doc.department.short_name
        else ""
    )
    return f"{agency}-{unit}" if unit else agency


def issue(actor: User, doc: OutgoingDocument) -> None:
    """Number, date and seal the signed document, seal its attachments, then deliver it.

    Everything happens in one transaction: if sealing fails the number is not used
    (the counter update rolls back) and nothing is recorded; stored bytes without a
    record are collected by ``docflow storage gc``.
    """
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == doc.agency_id,
        "Only the agency's records officers issue documents.",
    )
    _require(doc.status == S.SIGNED, "Only signed documents can be issued.")
    seal_key = credential(doc.agency_id, "seal")
    reg = default_register(doc.agency_id, secret=doc.is_secret)
    now = utcnow()
    today = to_local(now).date()
    doc.register_id, doc.year = reg.id, today.year
    doc.number = next_number(reg.id, today.year, OutgoingCounter)
    doc.notation = notation_for(doc)
    try:
        issued = sig.issue_pdf(
            _read(doc.signed_file), seal_key, doc.number_notation, today
        )
        sealed = [
            (att, sig.seal_attachment(_read(att.file), seal_key, doc.number_notation))
            for att in doc.attachments
        ]
    except (SigningError, sig.CredentialMissing) as exc:
        db.session.rollback()
        raise ActionRefused(
            "The agency seal could not be applied: %(reason)s", reason=str(exc)
        ) from exc
    doc.issued_file_id = _store_bytes(
        issued, f"{doc.number:02d}-{doc.notation}.pdf", doc, actor
    ).id
    for att, data in sealed:
        att.sealed_file_id = _store_bytes(data, att.file.original_name, doc, actor).id
    doc.issued_at, doc.issued_by_id, doc.status = now, actor.id, S.ISSUED
    _event(doc, "issued", actor, doc.number_notation)
    if doc.replaces is not None:
        _event(doc.replaces, "replaced", actor, doc.number_notation)
        _audit("outgoing.replaced", doc.replaces, actor, by=doc.id)
    _audit(
        "outgoing.issue",
        doc,
        actor,
        number=doc.number_notation,
        register=reg.id,
        file=db.session.get(StoredFile, doc.issued_file_id).sha256,
    )
    _deliver(actor, doc)
    enqueue_after_commit("outgoing.validate_issued", doc.id)
    db.session.commit()


def _deliver(actor: User, doc: OutgoingDocument) -> None:
    """Deliver to every recipient not served yet (running it again re-sends only the rest)."""
    for recipient in doc.recipients:
        if recipient.delivery in (
            DeliveryState.DELIVERED,
            DeliveryState.NOT_ELECTRONIC,
        ):
            continue
        if doc.is_secret or recipient.kind == RecipientKind.PLACE:
            recipient.delivery = DeliveryState.NOT_ELECTRONIC
        elif recipient.kind == RecipientKind.DEPARTMENT:
            recipient.delivery, recipient.delivered_at = (
                DeliveryState.DELIVERED,
                utcnow(),
            )
        elif _is_local(recipient.agency):
            recipient.incoming_id = _deliver_locally(doc, recipient.agency).id
            recipient.delivery, recipient.delivered_at = (
                DeliveryState.DELIVERED,
                utcnow(),
            )
            _event(doc, "delivered", actor, recipient.name)
        else:  # another instance (or an inactive agency): the packet waits in the outbox
            from ..interchange.services import is_remote, queue_remote

            if (
                is_remote(recipient.agency)
                and queue_remote(doc, recipient).state == "sent"
            ):
                continue  # acknowledged by the other instance (re-sending changes nothing)
            recipient.delivery = DeliveryState.QUEUED
            _event(doc, "queued", actor, recipient.name)


def _is_local(agency: Agency) -> bool:
    """Agencies of the directory without a peer (another instance) are served here."""
    from ..interchange.services import is_remote

    return agency is not None and agency.active and not is_remote(agency)


def _deliver_locally(doc: OutgoingDocument, agency: Agency) -> IncomingDocument:
    """The same edXML packet path as between instances, received in this transaction."""
    from ..interchange.services import deliver_local

    return deliver_local(doc, agency)


def send_electronically(actor: User, doc: OutgoingDocument) -> None:
    """Re-send to recipients waiting in the outbox; secret documents are refused."""
    _require(
        not doc.is_secret,
        "Secret documents are never sent electronically: send them on paper.",
    )
    _require(doc.status == S.ISSUED, "Only issued documents can be sent.")
    _require(not doc.is_revoked, "This document has been revoked.")
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == doc.agency_id,
        "Only the agency's records officers send documents.",
    )
    _deliver(actor, doc)
    db.session.commit()


def store_validation(doc: OutgoingDocument, report: dict[str, Any]) -> None:
    doc.signature_report = json.dumps(report, ensure_ascii=False)
    db.session.commit()


def storage() -> Any:  # re-exported for jobs
    return get_storage()


__all__ = [
    "ActionRefused",
    "DraftValues",
    "RecipientSpec",
    "add_version",
    "create_draft",
    "current_step",
    "issue",
    "review",
    "send_electronically",
    "set_replaces",
    "sign",
    "submit",
    "current_app",
]
