"""Fixtures: the outgoing app (test PKI trust root, chain, TSA; SoftHSM keys), approved
documents waiting for the leader, and signing as the agent would."""

from __future__ import annotations

import io

import pytest

from docflow.documents.vocab import Secrecy, Urgency
from docflow.outgoing import services as s
from docflow.outgoing.models import RecipientKind
from signing.appearance import ApprovalAppearance
from signing.keys import Pkcs11Key, Pkcs12Key
from signing.placement import Placement
from signing.sign import sign_pdf
from tests.docflow.outgoing.conftest import app, keyed_office  # noqa: F401 - reused fixtures


@pytest.fixture
def approved_doc(keyed_office, sample_pdf):  # noqa: F811 - the imported fixture
    """Factory: an approved document waiting for the keyed office's leader."""

    def make(subject: str = "Về việc ban hành quy chế làm việc"):
        office = keyed_office
        values = s.DraftValues(
            doc_type="Quyết định",
            subject=subject,
            urgency=Urgency.NORMAL,
            secrecy=Secrecy.NONE,
            department_id=office.unit.id,
            recipients=[s.RecipientSpec(RecipientKind.PLACE, name="Lưu: VT")],
        )
        doc = s.create_draft(
            office.specialist, values, io.BytesIO(sample_pdf()), "Dự thảo.pdf", []
        )
        s.submit(office.specialist, doc, [office.head.id], office.leader.id)
        s.review(office.head, doc, True, "Đồng ý")
        s.review(office.leader, doc, True)
        return doc

    return make


@pytest.fixture
def token_key(softhsm_token, pki):
    def make(label: str = "leader-rsa") -> Pkcs11Key:
        return Pkcs11Key(
            softhsm_token.module,
            softhsm_token.token_label,
            pin=softhsm_token.pin,
            key_label=label,
            chain=(pki.cert("interm"),),
        )

    return make


@pytest.fixture
def p12_key(pkcs12_factory, pki):
    def make(label: str) -> Pkcs12Key:
        f = pkcs12_factory(label)
        return Pkcs12Key(f.path, f.passphrase, chain=(pki.cert("interm"),))

    return make


def agent_sign(
    pdf: bytes, key, meta: dict | None = None, field_name: str = "ky_duyet"
) -> bytes:
    """What the agent does with a ticket's metadata (Page/Rect, name, position)."""
    meta = meta or {"Page": "-1", "Rect": "330,120,500,220"}
    placement = Placement(
        page=int(meta["Page"]), box=tuple(float(v) for v in meta["Rect"].split(","))
    )
    out = io.BytesIO()
    sign_pdf(
        pdf,
        out,
        key,
        appearance=ApprovalAppearance(
            placement, name=meta.get("SignerName"), position=meta.get("SignerPosition")
        ),
        field_name=field_name,
    )
    return out.getvalue()
