"""The server side of browser signing: tickets, certificate registration, and every
reason an uploaded signed file is refused (nothing stored then)."""

from __future__ import annotations

import io
import re
from datetime import timedelta

import pytest

from docflow.extensions import db
from docflow.files.services import open_file
from docflow.outgoing.models import OutgoingStatus
from docflow.signing_agent import services as sa
from docflow.signing_agent.models import SigningTicket, UserCertificate
from signing.fields import fill_issue_fields
from tests.docflow.signing_agent.conftest import agent_sign
from tests.helpers import login


def _bytes(file) -> bytes:
    with open_file(file) as stream:
        return stream.read()


def _login(client, user) -> None:
    assert login(client, user.username).status_code in (302, 303)


def _ticket(user, doc):
    tickets, refused = sa.issue_tickets(user, [doc.id])
    assert refused == {}
    return tickets[0]


def _upload(client, ticket, data: bytes):
    return client.post(
        f"/sign/t/{ticket.token}/upload",
        data={"uploadfile": (io.BytesIO(data), "signed.pdf"), "FileID": "1"},
        content_type="multipart/form-data",
    )


def _register(user, pki, label: str = "leader-rsa"):
    return sa.register_certificate(user, pki.cert(label).dump())


def _assert_nothing_stored(doc) -> None:
    db.session.expire_all()
    doc = db.session.get(type(doc), doc.id)
    assert doc.status == OutgoingStatus.APPROVED and doc.signed_file_id is None


def test_signed_upload_completes_the_sign_step(
    app, keyed_office, approved_doc, token_key, pki, pdfsig
) -> None:
    leader = keyed_office.leader
    _register(leader, pki)
    doc = approved_doc()
    ticket = _ticket(leader, doc)
    assert (
        ticket.meta["FieldName"] == "ky_duyet"
        and ticket.meta["SignerName"] == leader.full_name
    )
    client = app.test_client()
    response = client.get(f"/sign/t/{ticket.token}/file")
    approved = _bytes(doc.current_version.file)
    assert response.status_code == 200 and response.data == approved
    assert response.headers["Cache-Control"] == "no-store"
    signed = agent_sign(approved, token_key(), ticket.meta)
    response = _upload(client, ticket, signed)
    assert response.status_code == 200, response.json
    assert (
        response.json["status"] == "ok"
        and response.json["indication"] == "TOTAL-PASSED"
    )
    assert response.json["signer"] == "Nguyễn Văn An"
    db.session.expire_all()
    doc = db.session.get(type(doc), doc.id)
    assert doc.status == OutgoingStatus.SIGNED and _bytes(doc.signed_file) == signed
    assert doc.events[-1].kind == "signed" and doc.events[-1].text == "browser-agent"
    assert db.session.scalar(db.select(SigningTicket.result)) == "signed"
    assert [c["validation"] for c in pdfsig(signed)] == ["Signature is Valid."]
    # The ticket worked once: a replay is refused, the download too.
    again = _upload(client, ticket, signed)
    assert again.status_code == 409 and again.json["error"] == "ticket_used"
    assert client.get(f"/sign/t/{ticket.token}/file").status_code == 409


def test_replayed_ticket_after_a_rejection(
    app, keyed_office, approved_doc, token_key, pki
) -> None:
    _register(keyed_office.leader, pki)
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    client = app.test_client()
    assert (
        _upload(client, ticket, b"%PDF-1.7 not the approved file").json["error"]
        == "not_incremental"
    )
    good = agent_sign(_bytes(doc.current_version.file), token_key(), ticket.meta)
    response = _upload(client, ticket, good)
    assert response.status_code == 409 and response.json["error"] == "ticket_used"
    _assert_nothing_stored(doc)


def test_expired_ticket(app, keyed_office, approved_doc, token_key, pki) -> None:
    _register(keyed_office.leader, pki)
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    row = db.session.scalar(db.select(SigningTicket))
    row.expires_at -= sa.TICKET_LIFETIME + timedelta(seconds=1)
    db.session.commit()
    client = app.test_client()
    assert client.get(f"/sign/t/{ticket.token}/file").status_code == 410
    response = _upload(
        client,
        ticket,
        agent_sign(_bytes(doc.current_version.file), token_key(), ticket.meta),
    )
    assert response.status_code == 410 and response.json["error"] == "ticket_expired"
    assert "hết hạn" in response.json["message"]  # Vietnamese by default
    _assert_nothing_stored(doc)


def test_unknown_ticket(app) -> None:
    client = app.test_client()
    assert client.get("/sign/t/nope/file").status_code == 404
    assert client.post("/sign/t/nope/upload", data=b"%PDF").status_code == 404


def _sign_with_hidden_change(pdf: bytes, key) -> bytes:
    """One incremental update that adds the signature *and* draws on the page."""
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import signers

    writer = IncrementalPdfFileWriter(io.BytesIO(pdf))
    stream = writer.add_object(
        generic.StreamObject(stream_data=b"0 0 1 rg 100 100 200 50 re f")
    )
    writer.add_stream_to_page(0, stream)
    out = io.BytesIO()
    with key.open_signer() as signer:
        signers.PdfSigner(
            signers.PdfSignatureMetadata(field_name="ky_duyet"), signer
        ).sign_pdf(writer, output=out)
    return out.getvalue()


@pytest.mark.parametrize(
    "tamper",
    [
        "content_changed",
        "extra_revision",
        "signature_bytes",
        "wrong_field",
        "hidden_change",
    ],
)
def test_tampered_uploads_are_refused(
    app, keyed_office, approved_doc, token_key, pki, tamper
) -> None:
    _register(keyed_office.leader, pki)
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    approved = _bytes(doc.current_version.file)
    if (
        tamper == "content_changed"
    ):  # the text the leader approved is not what is signed
        changed = approved.replace(b"/MediaBox", b"/MediaBox ", 1)
        data, expected = (
            agent_sign(changed, token_key(), ticket.meta),
            {"not_incremental"},
        )
    elif tamper == "extra_revision":  # a form change slipped in before the signature
        filled = fill_issue_fields(
            approved, "99/QĐ-UBND", __import__("datetime").date(2026, 1, 2)
        )
        data, expected = (
            agent_sign(filled, token_key(), ticket.meta),
            {"extra_revisions"},
        )
    elif tamper == "signature_bytes":
        signed = bytearray(agent_sign(approved, token_key(), ticket.meta))
        at = signed.index(b"/Contents <", len(approved)) + 11 + 400
        signed[at : at + 1] = b"0" if signed[at : at + 1] != b"0" else b"1"
        data, expected = (
            bytes(signed),
            {"signature_invalid", "unreadable", "signature_not_valid"},
        )
    elif (
        tamper == "hidden_change"
    ):  # same revision as the signature: only the diff analysis sees it
        data, expected = _sign_with_hidden_change(approved, token_key()), {"modified"}
    else:
        data, expected = (
            agent_sign(approved, token_key(), ticket.meta, field_name="Signature9"),
            {"wrong_field"},
        )
    response = _upload(app.test_client(), ticket, data)
    assert response.status_code == 422 and response.json["error"] in expected, (
        response.json
    )
    _assert_nothing_stored(doc)
    assert db.session.scalar(db.select(SigningTicket.reason)) == response.json["error"]


def test_another_users_certificate(
    app, keyed_office, approved_doc, token_key, pki, create_user
) -> None:
    from docflow.auth.models import Role

    other = create_user(
        keyed_office.agency, "lanhdao_khac", Role.LEADER, full_name="Nguyễn Văn An"
    )
    _register(
        other, pki, "leader-rsa"
    )  # the RSA key's certificate belongs to the other leader
    _register(keyed_office.leader, pki, "leader-ec")
    with pytest.raises(sa.CertificateRejected, match="another user"):
        _register(keyed_office.leader, pki, "leader-rsa")
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    response = _upload(
        app.test_client(),
        ticket,
        agent_sign(
            _bytes(doc.current_version.file), token_key("leader-rsa"), ticket.meta
        ),
    )
    assert (
        response.status_code == 422
        and response.json["error"] == "certificate_not_registered"
    )
    _assert_nothing_stored(doc)


def test_untrusted_certificate(app, keyed_office, approved_doc, p12_key, pki) -> None:
    with pytest.raises(sa.CertificateRejected, match="trusted authority"):
        _register(keyed_office.leader, pki, "untrusted-leaf")
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    response = _upload(
        app.test_client(),
        ticket,
        agent_sign(
            _bytes(doc.current_version.file), p12_key("untrusted-leaf"), ticket.meta
        ),
    )
    assert (
        response.status_code == 422
        and response.json["error"] == "certificate_untrusted"
    ), response.json
    _assert_nothing_stored(doc)


def test_revoked_certificate(app, keyed_office, approved_doc, p12_key, pki) -> None:
    with pytest.raises(sa.CertificateRejected, match="revoked"):
        _register(keyed_office.leader, pki, "revoked")
    # Registered before it was revoked: the upload check still refuses it.
    cert = pki.cert("revoked")
    import hashlib

    db.session.add(
        UserCertificate(
            user_id=keyed_office.leader.id,
            der=cert.dump(),
            sha256=hashlib.sha256(cert.dump()).hexdigest(),
            subject="revoked",
            issuer="interm",
            serial="1",
            not_after=cert.not_valid_after.replace(tzinfo=None),
        )
    )
    db.session.commit()
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    response = _upload(
        app.test_client(),
        ticket,
        agent_sign(_bytes(doc.current_version.file), p12_key("revoked"), ticket.meta),
    )
    assert (
        response.status_code == 422 and response.json["error"] == "certificate_revoked"
    ), response.json
    _assert_nothing_stored(doc)


def test_document_changed_after_the_ticket(
    app, keyed_office, approved_doc, token_key, pki
) -> None:
    from docflow.outgoing import services as outgoing

    _register(keyed_office.leader, pki)
    doc = approved_doc()
    ticket = _ticket(keyed_office.leader, doc)
    approved = _bytes(doc.current_version.file)
    outgoing.sign(keyed_office.leader, doc)  # signed meanwhile with the server-held key
    response = _upload(
        app.test_client(), ticket, agent_sign(approved, token_key(), ticket.meta)
    )
    assert response.status_code == 409 and response.json["error"] == "document_changed"


def test_tickets_endpoint(app, keyed_office, approved_doc) -> None:
    first, second = approved_doc("Một"), approved_doc("Hai")
    client = app.test_client()
    _login(client, keyed_office.specialist)
    assert client.post("/sign/tickets", json={"documents": [first.id]}).status_code in (
        400,
        403,
    )
    client = app.test_client()
    _login(client, keyed_office.leader)
    # Without the CSRF header another site's page cannot ask for tickets.
    assert (
        client.post("/sign/tickets", json={"documents": [first.id]}).status_code == 400
    )
    page = client.get("/sign/batch")
    assert (
        page.status_code == 200
        and "ws://127.0.0.1:*" in page.headers["Content-Security-Policy"]
    )
    assert b"agent.js" in page.data and "Một".encode() in page.data
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    response = client.post(
        "/sign/tickets",
        json={"documents": [first.id, second.id, 999999]},
        headers={"X-CSRFToken": csrf},
    )
    assert response.status_code == 200
    body = response.json
    assert [t["document_id"] for t in body["tickets"]] == [first.id, second.id]
    assert body["tickets"][0]["upload_url"].startswith("http://localhost/sign/t/")
    assert [r["document_id"] for r in body["refused"]] == [999999]
    assert db.session.scalar(db.select(db.func.count()).select_from(SigningTicket)) == 2
    # Other pages keep the strict policy.
    assert "ws://" not in client.get("/").headers.get("Content-Security-Policy", "")


def test_register_certificate_pages(app, keyed_office, pki) -> None:
    client = app.test_client()
    _login(client, keyed_office.leader)
    page = client.get("/sign/certificates")
    csrf = re.search(rb'data-csrf="([^"]+)"', page.data).group(1).decode()
    import base64

    ok = client.post(
        "/sign/certificates",
        json={"certificate": base64.b64encode(pki.cert("leader-rsa").dump()).decode()},
        headers={"X-CSRFToken": csrf},
    )
    assert ok.status_code == 200 and "Nguyễn Văn An" in ok.json["subject"]
    bad = client.post(
        "/sign/certificates",
        headers={"X-CSRFToken": csrf},
        data={
            "certificate": (
                io.BytesIO(pki.cert_path("untrusted-leaf").read_bytes()),
                "c.pem",
            ),
            "csrf_token": csrf,
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert bad.status_code == 200
    assert [c.subject for c in sa.certificates_of(keyed_office.leader)] == [
        ok.json["subject"]
    ]


def test_the_pages_use_the_configured_agent_address(app, client, keyed_office) -> None:
    app.config["SIGNING_AGENT_URL"] = "ws://127.0.0.1:18987"
    _login(client, keyed_office.leader)
    for url in ("/sign/batch", "/sign/certificates"):
        page = client.get(url)
        assert page.status_code == 200
        assert b'data-agent-url="ws://127.0.0.1:18987"' in page.data, url
        assert b"wss://127.0.0.1:8987" not in page.data, url


def test_long_expired_tickets_are_purged_when_new_ones_are_issued(
    app, keyed_office, approved_doc, pki
) -> None:
    _register(keyed_office.leader, pki)
    first, second = approved_doc(), approved_doc("Về việc thứ hai")
    _ticket(keyed_office.leader, first)
    _ticket(keyed_office.leader, first)
    old, recent = db.session.scalars(
        db.select(SigningTicket).order_by(SigningTicket.id)
    ).all()
    old.expires_at -= sa.TICKET_KEPT + sa.TICKET_LIFETIME + timedelta(minutes=1)
    recent.expires_at -= sa.TICKET_LIFETIME + timedelta(minutes=1)
    db.session.commit()
    old_id, recent_id = old.id, recent.id
    _ticket(keyed_office.leader, second)
    db.session.expire_all()
    kept = set(db.session.scalars(db.select(SigningTicket.id)))
    assert old_id not in kept  # expired a week ago: gone
    assert recent_id in kept  # just expired: still answers "expired"
    assert len(kept) == 2
