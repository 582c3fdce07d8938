"""Which seals a peer agency's document packets must carry.

A peer row says whether its document packets must be sealed (``seal_required``, on for
new peers) and which seal certificates may seal for it (``PeerCertificate`` pins, by the
SHA-256 of the certificate). On arrival (``check_seal``): a packet without a seal is
refused when one is required; a seal must verify against the trust roots (``seal``) and,
when the peer has pins, its certificate must be one of them — a certificate from a
trusted authority sealing for an agency it does not belong to is refused. Status packets
carry the HMAC only and are not concerned.
"""

from __future__ import annotations

import hashlib
from typing import Any

from sqlalchemy import select

from signing.agent.checks import parse_certificate

from ..audit.services import record
from ..extensions import db
from .edxml import PacketRejected
from .models import Peer, PeerCertificate
from .seal import Seal


class CertificateInvalid(ValueError):
    """The uploaded file is not one certificate (PEM or DER)."""


def check_seal(peer: Peer, sealed: Seal | None) -> None:
    """Raise ``PacketRejected`` unless ``sealed`` (verified, or None) satisfies ``peer``."""
    if sealed is None:
        if peer.seal_required:
            raise PacketRejected(
                f"a seal (XML-DSig) is required on document packets from {peer.agency_code}"
            )
        return
    pins = {c.sha256 for c in peer.certificates}
    if pins and sealed.sha256 not in pins:
        raise PacketRejected(
            f"the seal certificate ({sealed.subject}, SHA-256 {sealed.sha256}) "
            f"is not pinned for {peer.agency_code}"
        )


def certificate_info(data: bytes) -> dict[str, Any]:
    """DER, SHA-256, subject and expiry of one certificate (PEM or DER bytes)."""
    try:
        cert = parse_certificate(data)
    except ValueError as exc:
        raise CertificateInvalid(str(exc)) from None
    der = cert.dump()
    return {
        "der": der,
        "sha256": hashlib.sha256(der).hexdigest(),
        "subject": cert.subject.human_friendly[:500],
        "not_after": cert.not_valid_after.replace(tzinfo=None),
    }


def pin_certificate(peer: Peer, data: bytes, *, actor: Any = None) -> PeerCertificate:
    """Pin a seal certificate for ``peer`` (pinning it twice keeps one row; no commit)."""
    info = certificate_info(data)
    existing = db.session.scalar(
        select(PeerCertificate).where(
            PeerCertificate.peer_id == peer.id,
            PeerCertificate.sha256 == info["sha256"],
        )
    )
    if existing is not None:
        return existing
    row = PeerCertificate(peer=peer, **info)
    db.session.add(row)
    db.session.flush()
    record(
        "interchange.peer_certificate_pinned",
        actor=actor,
        obj=peer,
        agency_code=peer.agency_code,
        sha256=row.sha256,
        subject=row.subject,
    )
    return row


def unpin_certificate(peer: Peer, sha256: str, *, actor: Any = None) -> bool:
    """Remove a pin of ``peer``; False if it had none with that SHA-256 (no commit)."""
    row = next((c for c in peer.certificates if c.sha256 == sha256.lower()), None)
    if row is None:
        return False
    peer.certificates.remove(row)
    db.session.flush()
    record(
        "interchange.peer_certificate_unpinned",
        actor=actor,
        obj=peer,
        agency_code=peer.agency_code,
        sha256=row.sha256,
        subject=row.subject,
    )
    return True
