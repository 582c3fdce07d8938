"""Outgoing-document fixtures: an agency whose leader and seal keys live on the session's SoftHSM token, with the
test PKI's TSA and trust root configured."""

from __future__ import annotations

import pytest

from docflow.extensions import db
from docflow.outgoing.models import SigningCredential

LEADER_PIN_ENV = "DOCFLOW_TEST_LEADER_PIN"
SEAL_PIN_ENV = "DOCFLOW_TEST_SEAL_PIN"


@pytest.fixture
def app(make_app, pki, softhsm_token, monkeypatch):
    """Overrides the default app: trust root, chain and TSA of the test PKI."""
    monkeypatch.setenv(LEADER_PIN_ENV, softhsm_token.pin)
    monkeypatch.setenv(SEAL_PIN_ENV, softhsm_token.pin)
    app = make_app(
        TRUST_ROOTS=[str(pki.root_path)],
        SIGNING_CHAIN=[str(pki.cert_path("interm"))],
        SIGNING_TSA_URL=pki.tsa_url,
        SIGNING_LEVEL="B-T",
    )
    with app.app_context():
        yield app


@pytest.fixture
def keyed_office(app, make_office, softhsm_token):
    office = make_office(code="000.00.50.H56")
    office.agency.address = (
        "Thử nghiệm"  # the place written before the date: "Thử nghiệm, ngày ..."
    )
    office.leader.full_name, office.leader.position = "Trần Thị Bình", "Phó Chủ tịch"
    for user, purpose, label, env in (
        (office.leader, "approval", "leader-rsa", LEADER_PIN_ENV),
        (None, "seal", "seal", SEAL_PIN_ENV),
    ):
        db.session.add(
            SigningCredential(
                agency_id=office.agency.id,
                user_id=user.id if user else None,
                purpose=purpose,
                kind="pkcs11",
                module_path=softhsm_token.module,
                token_label=softhsm_token.token_label,
                key_label=label,
                secret_env=env,
            )
        )
    db.session.commit()
    return office
