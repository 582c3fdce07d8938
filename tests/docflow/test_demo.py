from __future__ import annotations

import re

from docflow.agencies.models import Agency, AgencyLevel
from docflow.auth.models import Role, User
from docflow.extensions import db
from tests.helpers import login


def test_demo_creates_a_province_and_printed_credentials_sign_in(make_app) -> None:
    app = make_app(
        LOGIN_RATE_LIMIT="100 per minute"
    )  # 17 users sign in from one address
    with app.app_context():
        _check_demo(app)


def _check_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password for every demo user: (\S+)", result.output).group(1)
    province = db.session.scalar(
        db.select(Agency).where(Agency.code == "000.00.00.H56")
    )
    assert (
        province.name == "Ủy ban nhân dân tỉnh Thanh Hóa"
        and len(province.departments) == 3
    )
    children = province.children
    assert sum(c.level == AgencyLevel.COMMUNE for c in children) == 3
    assert sum(c.level == AgencyLevel.PROVINCE for c in children) == 3
    roles = {
        u.role
        for u in db.session.scalars(
            db.select(User).where(User.agency_id == province.id)
        )
    }
    assert roles == set(Role)
    for username in re.findall(
        r"^  (\S+)\s+(?:admin|records_officer|leader|department_head|specialist)\s",
        result.output,
        re.M,
    ):
        client = app.test_client()
        assert login(client, username, password).status_code == 302, username
        assert client.get("/").status_code == 200
    counts = _check_demo_documents(province)
    # Running it again is harmless.
    again = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert again.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Agency.id))) == 7
    assert _check_demo_documents(province) == counts  # nothing made twice


def _check_demo_documents(province) -> dict:
    """The demo office is at work: documents at every stage, made through the services."""
    from docflow.documents.models import IncomingDocument, IncomingStatus
    from docflow.dossiers.models import Dossier
    from docflow.outgoing.models import DeliveryState, OutgoingDocument, OutgoingStatus

    incoming = list(db.session.scalars(db.select(IncomingDocument)))
    mine = [d for d in incoming if d.agency_id == province.id]
    statuses = sorted(d.status for d in mine)
    assert statuses.count(IncomingStatus.PENDING) == 2
    assert statuses.count(IncomingStatus.REGISTERED) == 1
    assert sum(bool(d.assignments) for d in mine) == 2
    outgoing = list(db.session.scalars(db.select(OutgoingDocument)))
    assert sorted(d.status for d in outgoing) == sorted(
        [OutgoingStatus.IN_REVIEW, OutgoingStatus.APPROVED, OutgoingStatus.ISSUED]
    )
    [issued] = [d for d in outgoing if d.status == OutgoingStatus.ISSUED]
    delivered = [r for r in issued.recipients if r.delivery == DeliveryState.DELIVERED]
    assert len(delivered) == 2
    # ... and arrived in the two agencies' "waiting to be registered" queues.
    arrived = [d for d in incoming if d.agency_id != province.id]
    assert {d.agency_id for d in arrived} == {r.agency_id for r in delivered}
    assert all(d.status == IncomingStatus.PENDING for d in arrived)
    # Their signatures have revocation data offline: the demo CA is trusted and its
    # CRL is a local file (REVOCATION_FILES), and the number and date the records
    # officer filled after the leader signed are covered by the seal
    # (later_signed_fields): both signatures pass at the receiving agencies.
    import json

    for doc in arrived:
        report = json.loads(doc.signature_report)
        sigs = {s["field_name"]: s for s in report["signatures"]}
        assert set(sigs) == {"ky_duyet", "ky_phat_hanh"}, report
        assert all(s["trusted"] and s["revoked"] is False for s in sigs.values())
        assert all(s["indication"] == "TOTAL-PASSED" for s in sigs.values()), report
        assert report["summary"]["passed"] == 2, report
    [dossier] = db.session.scalars(db.select(Dossier)).all()
    assert len(dossier.items) == 3
    # The PDFs carry Vietnamese text (searchable, printable).
    from docflow.files.services import open_file

    with open_file(mine[0].main_file) as fh:
        data = fh.read()
    import subprocess

    text = subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-", "-"],  # noqa: S607 - poppler-utils, installed by the scripts
        input=data,
        capture_output=True,
        check=True,
    ).stdout.decode()
    assert mine[0].subject in " ".join(text.split())
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in text
    return {"incoming": len(incoming), "outgoing": len(outgoing)}


def test_demo_keys_let_the_outgoing_flow_run(make_app) -> None:
    import io

    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.outgoing import services as s
    from docflow.outgoing.models import OutgoingDocument, OutgoingStatus
    from tests.docflow.office import make_pdf

    app = make_app()
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["demo", "--no-serve"]).exit_code == 0
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        drafter, leader, clerk = users["chuyenvien"], users["lanhdao"], users["vanthu"]
        values = s.DraftValues(
            doc_type="Quyết định",
            subject="Thử quy trình văn bản đi trong bản demo",
            urgency=Urgency.NORMAL,
            secrecy=Secrecy.NONE,
        )
        doc = s.create_draft(
            drafter, values, io.BytesIO(make_pdf("demo")), "du-thao.pdf"
        )
        s.submit(drafter, doc, [], leader.id)
        s.review(leader, doc, True)
        s.sign(leader, doc)
        # The demo issued one document already; numbers follow in the same register.
        before = db.session.scalar(
            db.select(db.func.max(OutgoingDocument.number)).where(
                OutgoingDocument.agency_id == clerk.agency_id
            )
        )
        s.issue(clerk, doc)
        assert (
            doc.status == OutgoingStatus.ISSUED
            and doc.number_notation == f"{before + 1:02d}/QĐ-UBND"
        )


def test_the_demo_crl_is_kept_while_current_and_made_again_when_due(tmp_path) -> None:
    from datetime import UTC, datetime, timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization

    from docflow.demo_keys import ensure_demo_keys

    ca_path, _files, passphrase = ensure_demo_keys(tmp_path, {})
    crl_path = tmp_path / "demo-root.crl"
    ca = x509.load_pem_x509_certificate(ca_path.read_bytes())
    crl = x509.load_pem_x509_crl(crl_path.read_bytes())
    now = datetime.now(UTC)
    assert crl.issuer == ca.subject and crl.is_signature_valid(ca.public_key())
    assert len(crl) == 0 and crl.next_update_utc > now + timedelta(days=360)
    first = crl_path.read_bytes()
    ensure_demo_keys(tmp_path, {})
    assert crl_path.read_bytes() == first  # still current: kept
    # An expired CRL (signed by the same CA) is made again on the next run.
    key = serialization.load_pem_private_key(
        (tmp_path / "demo-root.key").read_bytes(), passphrase.encode()
    )
    expired = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca.subject)
        .last_update(now - timedelta(days=10))
        .next_update(now - timedelta(days=1))
        .sign(key, hashes.SHA256())
    )
    crl_path.write_bytes(expired.public_bytes(serialization.Encoding.PEM))
    ensure_demo_keys(tmp_path, {})
    renewed = x509.load_pem_x509_crl(crl_path.read_bytes())
    assert renewed.next_update_utc > now + timedelta(days=360)
    assert renewed.is_signature_valid(ca.public_key())
