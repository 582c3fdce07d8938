"""Administration pages of the interchange: the peer directory and the outbox (superadmin)."""

from __future__ import annotations

import io

import pytest
from sqlalchemy import func, select

from docflow.audit.models import AuditEntry
from docflow.auth.models import Role
from docflow.extensions import db
from docflow.interchange import services
from docflow.interchange.models import OutboxMessage, Peer, PeerCertificate
from tests.helpers import csrf_token, login, post_form

SECRET_VALUE = "a-shared-secret-of-32-characters"  # noqa: S105 - test value


@pytest.fixture
def root(office, create_user):
    """The system administrator (a user of some agency, flagged superadmin)."""
    return create_user(office.agency, "root", Role.ADMIN, is_superadmin=True)


def _audit_count() -> int:
    """Audit entries of the interchange (logins are audited too)."""
    return db.session.scalar(
        select(func.count(AuditEntry.id)).where(AuditEntry.action.like("interchange.%"))
    )


def _urls(app, peer: Peer, cert: PeerCertificate, msg: OutboxMessage) -> list[str]:
    values = {"peer_id": peer.id, "cert_id": cert.id, "message_id": msg.id}
    return [
        rule.build({k: values[k] for k in rule.arguments})[1]
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("interchange_admin.")
    ]


def test_only_the_superadmin_opens_the_interchange_pages(
    app, client, office, root, pki
) -> None:
    peer = Peer(
        agency_code="000.00.70.H56",
        endpoint="https://b.test",
        secret_env="X",  # noqa: S106 - a variable name
    )
    db.session.add(peer)
    db.session.flush()
    cert = PeerCertificate(
        peer_id=peer.id,
        der=b"x",
        sha256="0" * 64,
        subject="s",
        not_after=pki.cert("seal").not_valid_after.replace(tzinfo=None),
    )
    msg = OutboxMessage(
        kind="document",
        sender_code=office.agency.code,
        receiver_code=peer.agency_code,
        edxml_document_id="x,2026/01/01,1/X",
        payload=b"<x/>",
        state="failed",
    )
    db.session.add_all([cert, msg])
    db.session.commit()
    urls = _urls(app, peer, cert, msg)
    assert len(urls) >= 8
    before = _audit_count()
    # An agency's own administrator and a records officer: 403 everywhere, GET and POST.
    for username in (office.admin.username, office.clerk.username):
        user_client = app.test_client()
        login(user_client, username)
        token = csrf_token(user_client, "/")
        for url in urls:
            get = user_client.get(url).status_code
            post = user_client.post(
                url, data={"csrf_token": token, "active": "0"}
            ).status_code
            # 405 is the method the route does not take; the other one is refused.
            assert sorted({get, post}) in ([403], [403, 405]), url
        html = user_client.get("/admin/agencies").get_data(as_text=True)
        assert "/admin/interchange/peers" not in html
    anonymous = app.test_client()
    resp = anonymous.get("/admin/interchange/outbox")
    assert resp.status_code == 302 and "/login" in resp.headers["Location"]
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).active is True
    assert db.session.get(OutboxMessage, msg.id).state == "failed"
    assert _audit_count() == before
    # The superadmin sees the link in the admin navigation, and the pages.
    login(client, "root")
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert "/admin/interchange/peers" in html and "/admin/interchange/outbox" in html
    for url in urls:
        if not url.endswith(("/retry", "/delete", "/active", "/certificates")):
            assert client.get(url).status_code == 200, url
    assert client.get("/admin/interchange/peers/9999").status_code == 404


def test_the_superadmin_manages_the_peer_directory(
    app, client, root, pki, monkeypatch
) -> None:
    login(client, "root")
    new = "/admin/interchange/peers/new"
    form = {
        "agency_code": "000.00.70.H56",
        "endpoint": "ftp://docflow.xa.gov.vn",
        "secret_env": "DOCFLOW PEER",
        "seal_required": "y",
        "active": "y",
    }
    resp = post_form(client, new, form)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 200 and "https://docflow.xa.gov.vn" in html
    assert "ftp://docflow.xa.gov.vn" in html  # what was typed is kept
    assert db.session.scalar(select(func.count(Peer.id))) == 0

    form.update(
        endpoint="https://docflow.xa.gov.vn",
        secret_env="DOCFLOW_PEER_XA_B",  # noqa: S106 - a variable name
    )
    resp = post_form(client, new, form)
    assert resp.status_code == 302
    peer = db.session.scalar(select(Peer))
    assert (peer.agency_code, peer.seal_required, peer.active) == (
        "000.00.70.H56",
        True,
        True,
    )
    page = f"/admin/interchange/peers/{peer.id}"
    # The same agency twice: an error next to the field, nothing created.
    resp = post_form(client, new, form)
    assert resp.status_code == 200 and "đã có trong danh bạ" in resp.get_data(
        as_text=True
    )
    assert db.session.scalar(select(func.count(Peer.id))) == 1

    # Whether the secret is set is shown; the secret itself never.
    html = client.get("/admin/interchange/peers").get_data(as_text=True)
    assert 'data-secret="missing"' in html
    monkeypatch.setenv("DOCFLOW_PEER_XA_B", SECRET_VALUE)
    html = client.get("/admin/interchange/peers").get_data(as_text=True)
    assert 'data-secret="set"' in html and SECRET_VALUE not in html
    assert SECRET_VALUE not in client.get(page).get_data(as_text=True)

    # Edit: seal optional (the checkbox is left out).
    form.pop("seal_required")
    assert post_form(client, page, form).status_code == 302
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).seal_required is False

    # Pin a certificate (PEM upload); a file that is not one is refused.
    seal_pem = pki.cert_path("seal").read_bytes()
    resp = client.post(
        f"{page}/certificates",
        data={
            "csrf_token": csrf_token(client, page),
            "certificate": (io.BytesIO(b"garbage"), "x.pem"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    assert "không phải chứng thư số" in client.get(page).get_data(as_text=True)
    resp = client.post(
        f"{page}/certificates",
        data={
            "csrf_token": csrf_token(client, page),
            "certificate": (io.BytesIO(seal_pem), "seal.pem"),
        },
        content_type="multipart/form-data",
    )
    assert resp.status_code == 302
    [cert] = db.session.get(Peer, peer.id).certificates
    html = client.get(page).get_data(as_text=True)
    assert cert.sha256 in html and "UBND tỉnh Thử nghiệm" in html
    assert cert.not_after.strftime("%d/%m/%Y") in html

    # Deactivate, then remove the pin.
    resp = client.post(
        f"{page}/active", data={"csrf_token": csrf_token(client, page), "active": "0"}
    )
    assert resp.status_code == 302
    resp = client.post(
        f"{page}/certificates/{cert.id}/delete",
        data={"csrf_token": csrf_token(client, page)},
    )
    assert resp.status_code == 302
    db.session.expire_all()
    peer = db.session.get(Peer, peer.id)
    assert peer.active is False and peer.certificates == []
    assert services.peer_for("000.00.70.H56") is None
    # Without a CSRF token nothing changes.
    resp = client.post(f"{page}/active", data={"active": "1"})
    assert resp.status_code == 400
    db.session.expire_all()
    assert db.session.get(Peer, peer.id).active is False
    actions = list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(AuditEntry.action.like("interchange.%"))
            .order_by(AuditEntry.seq)
        )
    )
    assert actions == [
        "interchange.peer_create",
        "interchange.peer_update",
        "interchange.peer_certificate_pinned",
        "interchange.peer_update",
        "interchange.peer_certificate_unpinned",
    ]


def test_the_outbox_lists_filters_and_sends_a_failed_message_again(
    pair, issue_document, create_user
) -> None:
    create_user(pair.office_a.agency, "root", Role.ADMIN, is_superadmin=True)
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.outgoing_id == doc.id)
    )
    msg.state = "failed"  # as after the last back-off attempt
    db.session.commit()
    pair.transport.down.clear()
    sent_doc = issue_document(pair.office_a, [remote_b], subject="Về việc khác")
    sent = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.outgoing_id == sent_doc.id)
    )
    assert sent.state == "sent"

    client = pair.app_a.test_client()
    login(client, "root")
    home = client.get("/").get_data(as_text=True)
    assert (
        'data-outbox-failed="1"' in home
        and "/admin/interchange/outbox?state=failed" in home
    )
    html = client.get("/admin/interchange/outbox?state=failed").get_data(as_text=True)
    assert (
        f'data-message="{msg.id}"' in html and f'data-message="{sent.id}"' not in html
    )
    assert "connection refused" in html and "Thử lại ngay" in html
    html = client.get(
        "/admin/interchange/outbox",
        query_string={"document_id": sent.edxml_document_id},
    ).get_data(as_text=True)
    assert (
        f'data-message="{sent.id}"' in html and f'data-message="{msg.id}"' not in html
    )
    html = client.get("/admin/interchange/outbox?receiver=000.00.99.H56").get_data(
        as_text=True
    )
    assert "data-message=" not in html

    # A sent message is not sent again; a failed one is, and reaches instance B.
    page = "/admin/interchange/outbox"
    resp = client.post(
        f"{page}/{sent.id}/retry", data={"csrf_token": csrf_token(client, page)}
    )
    assert resp.status_code == 302
    resp = client.post(
        f"{page}/{msg.id}/retry?state=failed",
        data={"csrf_token": csrf_token(client, page)},
    )
    assert resp.status_code == 302 and "state=failed" in resp.headers["Location"]
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, msg.id)
    assert msg.state == "sent" and msg.attempts == 1 and msg.payload
    with pair.in_b():
        from docflow.documents.models import IncomingDocument

        assert len(db.session.scalars(select(IncomingDocument)).all()) == 2
    assert (
        db.session.scalar(
            select(func.count(AuditEntry.id)).where(
                AuditEntry.action == "interchange.outbox_retry"
            )
        )
        == 1
    )
