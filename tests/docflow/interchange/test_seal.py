"""Packets signed with the agency seal (XML-DSig, key on the SoftHSM token) and checked by the receiver."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docflow.extensions import db
from docflow.interchange import edxml, services
from docflow.interchange.models import OutboxMessage
from docflow.interchange.transport import request_headers
from docflow.outgoing.models import SigningCredential

SEAL_PIN_ENV = "DOCFLOW_TEST_SEAL_PIN"


@pytest.fixture
def app(make_app, pki, softhsm_token, monkeypatch):
    """Instance A: the test PKI's intermediate and root, the seal PIN in the environment."""
    monkeypatch.setenv(SEAL_PIN_ENV, softhsm_token.pin)
    app = make_app(
        TRUST_ROOTS=[str(pki.root_path)],
        SIGNING_CHAIN=[str(pki.cert_path("interm"))],
        REVOCATION_FETCHING=False,
    )
    with app.app_context():
        yield app


@pytest.fixture
def peer_config(pki):
    return {
        "TRUST_ROOTS": [str(pki.root_path)],
        "SIGNING_CHAIN": [str(pki.cert_path("interm"))],
        "REVOCATION_FETCHING": False,
    }


@pytest.fixture
def sealed_pair(pair, softhsm_token):
    db.session.add(
        SigningCredential(
            agency_id=pair.office_a.agency.id,
            purpose="seal",
            kind="pkcs11",
            module_path=softhsm_token.module,
            token_label=softhsm_token.token_label,
            key_label="seal",
            secret_env=SEAL_PIN_ENV,
        )
    )
    db.session.commit()
    return pair


def _remote_b():
    return db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )


def test_a_sealed_packet_is_verified_by_the_receiver(
    sealed_pair, issue_document
) -> None:
    pair = sealed_pair
    doc = issue_document(pair.office_a, [_remote_b()])
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )
    assert b"<ds:Signature" in msg.payload and b"rsa-sha256" in msg.payload
    assert msg.state == "sent", msg.last_error
    assert edxml.parse_packet(msg.payload).document_id == services.document_id_of(
        doc
    )  # still a valid packet
    with pair.in_b():
        from docflow.documents.models import IncomingDocument

        [incoming] = db.session.scalars(select(IncomingDocument)).all()
        assert "ký số bởi" in incoming.events[0].text

    # A tampered sealed packet with a genuine HMAC is refused for its seal.
    tampered = msg.payload.replace(
        "Về việc tổ chức".encode(), "Về việc hủy bỏ".encode()
    )
    path = services.PACKETS_PATH
    headers = request_headers(
        "a-shared-secret-of-32-characters", "000.00.60.H56", path, tampered
    )
    resp = pair.app_b.test_client().post(
        path, data=tampered, headers=headers, content_type="application/xml"
    )
    assert (
        resp.status_code == 422
        and "seal signature does not match" in resp.get_json()["reason"]
    )


def test_a_seal_the_receiver_does_not_trust_is_refused(
    sealed_pair, issue_document
) -> None:
    pair = sealed_pair
    pair.app_b.config["TRUST_ROOTS"] = []
    doc = issue_document(pair.office_a, [_remote_b()])
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )
    assert (
        msg.state == "failed" and "seal certificate is not accepted" in msg.last_error
    )
