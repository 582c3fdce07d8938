"""Tickets, certificate registration, and the checks on a file the agent uploads.

Upload checks, in order (each failure rejects the file, stores nothing but the
ticket's state, and is written to the audit trail):
1. the ticket exists, is unused, unexpired, and its document is still the approved
   version it was issued for (same version, same SHA-256, still waiting for this user);
2. the file is the approved bytes followed by exactly one incremental update that adds
   one signature over the whole file and changes nothing else (``added_signature``);
3. the signature is in the approval field and validates with the trust roots
   (intact, trusted, not revoked: ``validate_pdf``);
4. the signer certificate is registered to the ticket's user.
Then the outgoing document's sign step completes through ``BrowserAgentMethod``.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import delete, select, update

from signing.agent.checks import (
    CheckFailed,
    added_signature,
    check_certificate,
    parse_certificate,
)
from signing.documents import open_reader
from signing.errors import SigningError

from ..audit.services import record
from ..auth.models import User
from ..documents.services import ActionRefused
from ..extensions import db
from ..files.services import open_file
from ..i18n import N_
from ..outgoing import services as outgoing
from ..outgoing import signatures as sig
from ..outgoing.models import OutgoingDocument, OutgoingStatus
from ..timeutil import utcnow
from .models import SigningTicket, UserCertificate

logger = logging.getLogger(__name__)

#: How long the agent has to fetch, sign and upload (the PIN prompt included).
TICKET_LIFETIME = timedelta(minutes=10)
#: How long expired tickets are kept before issue_tickets purges them.
TICKET_KEPT = timedelta(days=7)

#: reason code -> (HTTP status, message msgid)
REASONS: dict[str, tuple[int, str]] = {
    "unknown_ticket": (404, N_("This signing link is not valid.")),
    "ticket_used": (
        409,
        N_("This signing link was already used. Start the signature again."),
    ),
    "ticket_expired": (
        410,
        N_("This signing link has expired. Start the signature again."),
    ),
    "document_changed": (
        409,
        N_(
            "The document changed since the signature was started: it is no longer "
            "the approved version waiting for your signature."
        ),
    ),
    "not_incremental": (
        422,
        N_("The signed file is not the approved version: its content was changed."),
    ),
    "extra_revisions": (
        422,
        N_("The signed file adds more than one signature to the approved version."),
    ),
    "signature_count": (422, N_("The signed file must add exactly one signature.")),
    "coverage": (422, N_("The new signature does not cover the whole document.")),
    "modified": (
        422,
        N_("The signed file changes the approved version beyond adding a signature."),
    ),
    "unreadable": (422, N_("The signed file cannot be read.")),
    "wrong_field": (422, N_("The signature is not in the approval signature field.")),
    "signature_invalid": (
        422,
        N_("The signature is broken: the file was altered after signing."),
    ),
    "certificate_revoked": (422, N_("The signer's certificate is revoked.")),
    "certificate_untrusted": (
        422,
        N_("The signer's certificate is not issued by a trusted authority."),
    ),
    "signature_not_valid": (422, N_("The signature is not valid: %(details)s")),
    "certificate_not_registered": (
        422,
        N_(
            "The signing certificate is not registered to you. "
            "Register your token's certificate first."
        ),
    ),
    "refused": (409, N_("The document cannot be signed now: %(details)s")),
}


class TicketRejected(Exception):
    def __init__(self, code: str, **params: Any):
        self.code, self.params = code, params
        self.status, self.message = REASONS[code]
        super().__init__(code)


class CertificateRejected(Exception):
    def __init__(self, message: str, **params: Any):
        super().__init__(message)
        self.message, self.params = message, params


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def _read(file) -> bytes:  # type: ignore[no-untyped-def]
    with open_file(file) as stream:
        return stream.read()


# ------------------------------------------------------------------ certificates
CERT_REASONS = {
    "untrusted": N_("The certificate is not issued by a trusted authority."),
    "revoked": N_("The certificate is revoked."),
    "expired": N_("The certificate is expired or not yet valid."),
    "key_usage": N_("The certificate does not allow digital signatures."),
}


def register_certificate(user: User, data: bytes) -> UserCertificate:
    """Register a token certificate (PEM or DER) for ``user`` after checking it."""
    try:
        cert = parse_certificate(data)
    except ValueError as exc:
        raise CertificateRejected(
            N_("This is not a certificate file (PEM or DER).")
        ) from exc
    der = cert.dump()
    digest = hashlib.sha256(der).hexdigest()
    existing = db.session.scalar(
        select(UserCertificate).where(UserCertificate.sha256 == digest)
    )
    if existing is not None:
        if existing.user_id == user.id:
            return existing
        raise CertificateRejected(
            N_("This certificate is already registered to another user.")
        )
    config = current_app.config
    try:
        check_certificate(
            cert,
            trust_roots=config["TRUST_ROOTS"],
            other_certs=config["SIGNING_CHAIN"],
            allow_fetching=config["REVOCATION_FETCHING"],
        )
    except CheckFailed as exc:
        logger.info("certificate of user %s refused: %s", user.id, exc)
        raise CertificateRejected(
            CERT_REASONS.get(exc.code, CERT_REASONS["untrusted"])
        ) from exc
    row = UserCertificate(
        user_id=user.id,
        der=der,
        sha256=digest,
        subject=cert.subject.human_friendly[:500],
        issuer=cert.issuer.human_friendly[:500],
        serial=format(cert.serial_number, "X"),
        not_after=cert.not_valid_after.replace(tzinfo=None),
    )
    db.session.add(row)
    db.session.flush()
    record(
        "signing_agent.certificate_registered",
        actor=user,
        agency_id=user.agency_id,
        obj=row,
        sha256=digest,
        subject=row.subject,
    )
    db.session.commit()
    return row


def remove_certificate(user: User, cert_id: int) -> None:
    row = db.session.get(UserCertificate, cert_id)
    if row is None or row.user_id != user.id:
        raise CertificateRejected(N_("No such certificate."))
    record(
        "signing_agent.certificate_removed",
        actor=user,
        agency_id=user.agency_id,
        obj=row,
        sha256=row.sha256,
    )
    db.session.delete(row)
    db.session.commit()


def certificates_of(user: User) -> list[UserCertificate]:
    return list(
        db.session.scalars(
            select(UserCertificate)
            .where(UserCertificate.user_id == user.id)
            .order_by(UserCertificate.id)
        )
    )


# ------------------------------------------------------------------ tickets
def waiting_for(user: User) -> list[OutgoingDocument]:
    """Approved documents waiting for ``user``'s signature, oldest first."""
    return list(
        db.session.scalars(
            select(OutgoingDocument)
            .where(
                OutgoingDocument.agency_id == user.agency_id,
                OutgoingDocument.status == OutgoingStatus.APPROVED,
                OutgoingDocument.signer_id == user.id,
            )
            .order_by(OutgoingDocument.updated_at)
        )
    )


@dataclass
class Ticket:
    document: OutgoingDocument
    token: str
    meta: dict[str, str]


def _placement_meta(pdf: bytes, position: str | None) -> dict[str, str]:
    """Where the approval signature goes, resolved here so the agent needs no text search."""
    placement = sig.approval_placement(pdf, position)
    pages = int(open_reader(pdf).root["/Pages"]["/Count"])
    page, box = placement.resolve(pdf, pages)
    return {"Page": str(page), "Rect": ",".join(f"{v:.1f}" for v in box)}


def issue_ticket(user: User, doc: OutgoingDocument) -> Ticket:
    """A single-use ticket for the current approved version; raises ActionRefused."""
    if (
        doc.status != OutgoingStatus.APPROVED
        or doc.signer_id != user.id
        or doc.agency_id != user.agency_id
    ):
        raise ActionRefused("Only the designated signer signs this document.")
    version = doc.current_version
    if version is None or version.file is None:
        raise ActionRefused("Only approved documents can be signed.")
    pdf = _read(version.file)
    try:
        meta = _placement_meta(pdf, user.position)
    except (SigningError, ValueError, KeyError) as exc:
        raise ActionRefused(
            "The signature could not be made: %(reason)s", reason=str(exc)
        ) from exc
    position = (user.position or "").upper()
    meta.update(
        {
            "FieldName": sig.APPROVAL_FIELD,
            "SignerName": user.full_name,
            "SignerPosition": position,
            "DocumentId": str(doc.id),
            "SignType": "approved",
        }
    )
    token = secrets.token_urlsafe(32)
    now = utcnow()
    db.session.add(
        SigningTicket(
            token_hash=_hash(token),
            user_id=user.id,
            document_id=doc.id,
            version_id=version.id,
            version_sha256=hashlib.sha256(pdf).hexdigest(),
            created_at=now,
            expires_at=now + TICKET_LIFETIME,
        )
    )
    return Ticket(doc, token, meta)


def purge_tickets(now: datetime | None = None) -> int:
    """Delete tickets expired more than TICKET_KEPT ago; returns how many.

    Recently expired ones stay, so a late upload is told "expired" rather than
    "unknown"; every upload (accepted or refused) is in the audit trail anyway.
    """
    cutoff = (now or utcnow()) - TICKET_KEPT
    result = db.session.execute(
        delete(SigningTicket).where(SigningTicket.expires_at < cutoff)
    )
    return result.rowcount or 0


def issue_tickets(
    user: User, doc_ids: list[int]
) -> tuple[list[Ticket], dict[int, str]]:
    """Tickets for several documents; refusals per document do not stop the others.

    Also purges long-expired tickets (no cron job needed: tickets are only ever
    created here).
    """
    purge_tickets()
    tickets, refused = [], {}
    for doc_id in dict.fromkeys(doc_ids):
        doc = db.session.get(OutgoingDocument, doc_id)
        try:
            if doc is None:
                raise ActionRefused("Only the designated signer signs this document.")
            tickets.append(issue_ticket(user, doc))
        except ActionRefused as exc:
            refused[doc_id] = exc.message % exc.params if exc.params else exc.message
    db.session.commit()
    return tickets, refused


def _ticket(token: str) -> SigningTicket:
    ticket = db.session.scalar(
        select(SigningTicket).where(SigningTicket.token_hash == _hash(token))
    )
    if ticket is None:
        raise TicketRejected("unknown_ticket")
    if ticket.used_at is not None:
        raise TicketRejected("ticket_used")
    if ticket.expires_at <= utcnow():
        raise TicketRejected("ticket_expired")
    return ticket


def _approved(ticket: SigningTicket) -> bytes:
    doc, version = ticket.document, ticket.document.current_version
    if (
        doc.status != OutgoingStatus.APPROVED
        or doc.signer_id != ticket.user_id
        or version is None
        or version.id != ticket.version_id
        or not ticket.user.active
    ):
        raise TicketRejected("document_changed")
    pdf = _read(version.file)
    if hashlib.sha256(pdf).hexdigest() != ticket.version_sha256:
        raise TicketRejected("document_changed")
    return pdf


def download(token: str) -> tuple[SigningTicket, bytes]:
    """The approved PDF for a valid, unused ticket."""
    ticket = _ticket(token)
    return ticket, _approved(ticket)


class BrowserAgentMethod(sig.SignatureMethod):
    """The signature was made on the leader's token by the agent; the file is already checked."""

    name = "browser-agent"

    def __init__(self, signed: bytes) -> None:
        self.signed = signed

    def sign(self, pdf: bytes, *, name: str, position: str | None) -> bytes:
        if not self.signed.startswith(pdf):
            raise SigningError("the uploaded file is not based on the approved version")
        return self.signed


def accept_signed(
    token: str, data: bytes, ip: str | None = None
) -> tuple[OutgoingDocument, dict]:
    """Check and accept an uploaded signed file; raises TicketRejected (nothing stored)."""
    ticket = _ticket(token)
    # Use the ticket before anything else: a concurrent replay finds it used.
    used = db.session.execute(
        update(SigningTicket)
        .where(SigningTicket.id == ticket.id, SigningTicket.used_at.is_(None))
        .values(used_at=utcnow(), result="rejected", reason="checking")
    )
    if used.rowcount != 1:
        db.session.rollback()
        raise TicketRejected("ticket_used")
    db.session.commit()
    try:
        doc, report = _check_and_sign(ticket, data)
    except TicketRejected as exc:
        db.session.rollback()
        ticket = db.session.get(SigningTicket, ticket.id)
        ticket.reason = exc.code
        record(
            "signing_agent.upload_rejected",
            actor=ticket.user,
            agency_id=ticket.user.agency_id,
            obj=ticket.document,
            reason=exc.code,
            ip=ip,
            size=len(data),
            sha256=hashlib.sha256(data).hexdigest(),
        )
        db.session.commit()
        logger.info(
            "signed upload for document %s rejected: %s", ticket.document_id, exc.code
        )
        raise
    return doc, report


def _check_and_sign(
    ticket: SigningTicket, data: bytes
) -> tuple[OutgoingDocument, dict]:
    from signing.validate import validate_pdf

    approved = _approved(ticket)
    try:
        added = added_signature(approved, data)
    except CheckFailed as exc:
        raise TicketRejected(exc.code if exc.code in REASONS else "modified") from exc
    if added.field_name != sig.APPROVAL_FIELD:
        raise TicketRejected("wrong_field")
    config = current_app.config
    report = validate_pdf(
        data,
        trust_roots=config["TRUST_ROOTS"],
        other_certs=config["SIGNING_CHAIN"],
        allow_fetching=config["REVOCATION_FETCHING"],
        crls=config["REVOCATION_FILES"],
    )
    new = next(
        (s for s in report.signatures if s.field_name == sig.APPROVAL_FIELD), None
    )
    if new is None or report.reason is not None:
        raise TicketRejected("unreadable")
    if new.intact is False or new.crypto_valid is False:
        raise TicketRejected("signature_invalid")
    if new.revoked:
        raise TicketRejected("certificate_revoked")
    if new.trusted is False:
        raise TicketRejected("certificate_untrusted")
    if not all(s.passed for s in report.signatures):
        raise TicketRejected("signature_not_valid", details=new.message_vi)
    digest = hashlib.sha256(added.signer_cert).hexdigest()
    registered = db.session.scalar(
        select(UserCertificate).where(
            UserCertificate.sha256 == digest, UserCertificate.user_id == ticket.user_id
        )
    )
    if registered is None:
        raise TicketRejected("certificate_not_registered")
    doc = ticket.document
    ticket.result, ticket.reason = "signed", None  # committed with the signature below
    try:
        outgoing.sign(ticket.user, doc, method=BrowserAgentMethod(data))  # commits
    except ActionRefused as exc:
        raise TicketRejected(
            "refused", details=exc.message % exc.params if exc.params else exc.message
        ) from exc
    logger.info(
        "document %s signed through the agent by user %s", doc.id, ticket.user_id
    )
    return doc, report.to_dict()


__all__ = [
    "BrowserAgentMethod",
    "CertificateRejected",
    "TicketRejected",
    "accept_signed",
    "download",
    "issue_tickets",
    "register_certificate",
    "remove_certificate",
]
