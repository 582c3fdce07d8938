"""Mandatory seals and seal certificates pinned per peer agency, with real keys (SoftHSM)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docflow.audit.models import AuditEntry
from docflow.extensions import db
from docflow.interchange import services, trust
from docflow.interchange.models import OutboxMessage, Peer
from docflow.interchange.transport import request_headers
from docflow.outgoing.models import SigningCredential
from tests.docflow.interchange.test_seal import (  # noqa: F401 - fixtures
    SEAL_PIN_ENV,
    app,
    peer_config,
)

A_CODE, B_CODE = "000.00.60.H56", "000.00.70.H56"


@pytest.fixture
def seal_with(pair, softhsm_token):
    """Give agency A a seal key on the token: ``seal_with("seal")`` or another label."""

    def give(key_label: str):
        db.session.add(
            SigningCredential(
                agency_id=pair.office_a.agency.id,
                purpose="seal",
                kind="pkcs11",
                module_path=softhsm_token.module,
                token_label=softhsm_token.token_label,
                key_label=key_label,
                secret_env=SEAL_PIN_ENV,
            )
        )
        db.session.commit()
        return pair

    return give


def _b_trusts_a(pair, *, required: bool, pins: list[bytes] = ()) -> None:
    """Instance B's peer row for agency A: seal required or not, pinned certificates."""
    with pair.in_b():
        peer = db.session.scalar(select(Peer).where(Peer.agency_code == A_CODE))
        peer.seal_required = required
        for pem in pins:
            trust.pin_certificate(peer, pem)
        db.session.commit()


def _send(pair, issue_document) -> OutboxMessage:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == B_CODE)
    )
    doc = issue_document(pair.office_a, [remote_b])
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )


def _incoming_in_b(pair) -> int:
    with pair.in_b():
        from docflow.documents.models import IncomingDocument

        return len(db.session.scalars(select(IncomingDocument)).all())


def test_a_seal_with_a_pinned_certificate_is_accepted(
    seal_with, pki, issue_document
) -> None:
    pair = seal_with("seal")
    # Two pins (a key rotation): the old one, unused, and the current one.
    _b_trusts_a(
        pair,
        required=True,
        pins=[
            pki.cert_path("leader-ec").read_bytes(),
            pki.cert_path("seal").read_bytes(),
        ],
    )
    msg = _send(pair, issue_document)
    assert msg.state == "sent", msg.last_error
    assert _incoming_in_b(pair) == 1


def test_a_trusted_but_unpinned_certificate_is_refused(
    seal_with, pki, issue_document
) -> None:
    """The leader's key chains to the same trusted root, but is not agency A's seal."""
    pair = seal_with("leader-rsa")
    _b_trusts_a(pair, required=True, pins=[pki.cert_path("seal").read_bytes()])
    msg = _send(pair, issue_document)
    assert msg.state == "failed" and msg.attempts == 1  # refused at once
    assert "is not pinned for 000.00.60.H56" in msg.last_error
    assert _incoming_in_b(pair) == 0
    # Without pins the same trusted seal is accepted (trust roots only).
    with pair.in_b():
        peer = db.session.scalar(select(Peer).where(Peer.agency_code == A_CODE))
        assert trust.unpin_certificate(peer, peer.certificates[0].sha256)
        db.session.commit()
        assert db.session.scalar(
            select(AuditEntry).where(
                AuditEntry.action == "interchange.peer_certificate_unpinned"
            )
        )
    doc = _send(pair, issue_document)
    assert doc.state == "sent", doc.last_error


def test_a_missing_seal_is_refused_when_required(pair, issue_document) -> None:
    _b_trusts_a(pair, required=True)
    msg = _send(pair, issue_document)
    assert msg.state == "failed" and msg.attempts == 1
    assert "a seal (XML-DSig) is required" in msg.last_error
    assert _incoming_in_b(pair) == 0
    # What instance B answers: 422 with the reason in JSON, signed back (HMAC).
    path = services.PACKETS_PATH
    headers = request_headers(
        "a-shared-secret-of-32-characters", A_CODE, path, msg.payload
    )
    resp = pair.app_b.test_client().post(
        path, data=msg.payload, headers=headers, content_type="application/xml"
    )
    assert resp.status_code == 422 and resp.get_json() == {
        "result": "rejected",
        "reason": f"a seal (XML-DSig) is required on document packets from {A_CODE}",
    }
    assert resp.headers.get("X-Edxml-Signature")


def test_an_unsealed_packet_is_accepted_when_not_required(
    pair, pki, issue_document
) -> None:
    # Pins do not make a seal mandatory: they restrict which seal is accepted.
    _b_trusts_a(pair, required=False, pins=[pki.cert_path("seal").read_bytes()])
    msg = _send(pair, issue_document)
    assert msg.state == "sent", msg.last_error
    assert _incoming_in_b(pair) == 1


def test_new_peers_require_a_seal_and_the_cli_pins_certificates(
    app,  # noqa: F811 - the module's app fixture (test PKI trusted)
    pki,
    tmp_path,
) -> None:
    runner = app.test_cli_runner()
    code = "000.00.99.H56"
    result = runner.invoke(
        args=["interchange", "peer", code, "https://docflow.xa.gov.vn", "PEER_SECRET"]
    )
    assert result.exit_code == 0, result.output
    assert "seal required" in result.output and "NOT SET" in result.output
    peer = db.session.scalar(select(Peer).where(Peer.agency_code == code))
    assert peer.seal_required is True and peer.certificates == []

    seal_pem = pki.cert_path("seal")
    result = runner.invoke(
        args=[
            "interchange",
            "peer",
            code,
            "--certificate",
            str(seal_pem),
            "--no-require-seal",
        ]
    )
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    peer = db.session.scalar(select(Peer).where(Peer.agency_code == code))
    assert peer.seal_required is False and peer.endpoint == "https://docflow.xa.gov.vn"
    [pin] = peer.certificates
    assert pin.sha256 in result.output
    assert pin.subject == pki.cert("seal").subject.human_friendly

    result = runner.invoke(args=["interchange", "peer", code, "--unpin", pin.sha256])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    assert (
        db.session.scalar(select(Peer).where(Peer.agency_code == code)).certificates
        == []
    )

    # Bad input: a clear message, nothing written.
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate")
    result = runner.invoke(
        args=["interchange", "peer", code, "--certificate", str(junk)]
    )
    assert result.exit_code == 1 and "not a certificate" in result.output
    result = runner.invoke(
        args=["interchange", "peer", "000.00.98.H56", "ftp://x", "PEER_SECRET"]
    )
    assert result.exit_code == 1 and "base URL" in result.output
    result = runner.invoke(args=["interchange", "peer", "000.00.97.H56"])
    assert result.exit_code == 1 and "give ENDPOINT and SECRET_ENV" in result.output
    assert (
        db.session.scalar(select(Peer).where(Peer.agency_code == "000.00.98.H56"))
        is None
    )
    actions = set(
        db.session.scalars(
            select(AuditEntry.action).where(AuditEntry.action.like("interchange.peer%"))
        )
    )
    assert {
        "interchange.peer_create",
        "interchange.peer_update",
        "interchange.peer_certificate_pinned",
        "interchange.peer_certificate_unpinned",
    } <= actions
