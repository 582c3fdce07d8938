from __future__ import annotations

import io
import subprocess
from datetime import date

import pytest

from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.documents.services import ActionRefused
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.files.services import open_file
from docflow.outgoing import services as s
from docflow.outgoing.models import (
    DeliveryState,
    OutgoingCounter,
    OutgoingStatus,
    RecipientKind,
)
from docflow.outgoing.signatures import ISSUE_FIELDS
from signing.validate import validate_pdf
from tests.signing.pki_support import DRAFT_LINES


def _bytes(file) -> bytes:
    with open_file(file) as stream:
        return stream.read()


def _draft(office, sample_pdf, receiver=None, secrecy=Secrecy.NONE, attachment=None):
    recipients = [
        s.RecipientSpec(RecipientKind.DEPARTMENT, department_id=office.unit.id),
        s.RecipientSpec(RecipientKind.PLACE, name="Lưu: VT, KT"),
    ]
    if receiver is not None:
        recipients.insert(
            0, s.RecipientSpec(RecipientKind.AGENCY, agency_id=receiver.agency.id)
        )
    values = s.DraftValues(
        doc_type="Quyết định",
        subject="Về việc ban hành quy chế làm việc",
        urgency=Urgency.URGENT,
        secrecy=secrecy,
        department_id=office.unit.id,
        recipients=recipients,
    )
    attachments = [(io.BytesIO(attachment), "Phụ lục.pdf")] if attachment else []
    return s.create_draft(
        office.specialist, values, io.BytesIO(sample_pdf()), "Dự thảo.pdf", attachments
    )


def _approved(office, sample_pdf, **kw):
    doc = _draft(office, sample_pdf, **kw)
    s.submit(office.specialist, doc, [office.head.id], office.leader.id)
    s.review(office.head, doc, True, "Đồng ý")
    s.review(office.leader, doc, True)
    return doc


def _pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "out.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"],
        capture_output=True,
        text=True,  # noqa: S603,S607
        check=True,
    ).stdout


def test_draft_review_sign_issue_deliver(
    keyed_office, make_office, sample_pdf, pki, pdfsig, tmp_path
) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.51.H56", name="Ủy ban nhân dân xã Nhận")
    doc = _draft(
        office,
        sample_pdf,
        receiver=receiver,
        attachment=sample_pdf(
            [(250, 770, 13, "PHỤ LỤC"), (60, 740, 11, "Danh sách đơn vị")]
        ),
    )
    assert doc.status == OutgoingStatus.DRAFT and doc.current_version.state == "ready"
    s.submit(office.specialist, doc, [office.head.id], office.leader.id)
    with pytest.raises(ActionRefused, match="not your turn"):
        s.review(office.leader, doc, True)
    s.review(office.head, doc, True, "Đồng ý trình ký")
    s.review(office.leader, doc, True)
    assert doc.status == OutgoingStatus.APPROVED

    with pytest.raises(ActionRefused, match="designated signer"):
        s.sign(office.specialist, doc)
    s.sign(office.leader, doc)
    assert doc.status == OutgoingStatus.SIGNED
    approved = _bytes(doc.current_version.file)
    signed = _bytes(doc.signed_file)
    assert signed.startswith(approved)  # only a signature was added

    with pytest.raises(ActionRefused, match="records officers"):
        s.issue(office.specialist, doc)
    s.issue(office.clerk, doc)
    assert doc.status == OutgoingStatus.ISSUED and doc.number_notation == "01/QĐ-UBND"
    issued = _bytes(doc.issued_file)
    assert issued.startswith(
        signed
    )  # incremental: the leader's signature bytes are untouched

    report = validate_pdf(
        issued, trust_roots=[pki.root_path], expected_changed_fields=ISSUE_FIELDS
    )
    assert [(r.field_name, r.indication) for r in report.signatures] == [
        ("ky_duyet", "TOTAL-PASSED"),
        ("ky_phat_hanh", "TOTAL-PASSED"),
    ], report.to_dict()
    assert set(report.signatures[0].changed_fields) <= ISSUE_FIELDS | {"ky_phat_hanh"}
    # The job validated it too and kept the report.
    assert '"TOTAL-PASSED"' in db.session.get(type(doc), doc.id).signature_report
    # Poppler, an independent validator, agrees the bytes are intact.
    checks = pdfsig(issued)
    assert len(checks) == 2 and all(
        c["validation"] == "Signature is Valid." for c in checks
    ), checks
    text = _pdftotext(issued, tmp_path)
    assert "01/QĐ-UBND" in text
    assert (
        f"tháng {date.today().month:02d}" in text
        or f"tháng {date.today().month}" in text
    )

    # The sealed attachment carries "số/ký hiệu; thời gian ký" and its own valid signature.
    att = doc.attachments[0]
    sealed = _bytes(att.sealed_file)
    assert "01/QĐ-UBND;" in _pdftotext(sealed, tmp_path)
    assert (
        validate_pdf(sealed, trust_roots=[pki.root_path]).signatures[0].indication
        == "TOTAL-PASSED"
    )

    # Delivery: the agency on this instance has it in its "waiting to be registered" queue.
    states = {r.kind: r.delivery for r in doc.recipients}
    assert states == {
        RecipientKind.AGENCY: DeliveryState.DELIVERED,
        RecipientKind.DEPARTMENT: DeliveryState.DELIVERED,
        RecipientKind.PLACE: DeliveryState.NOT_ELECTRONIC,
    }
    incoming = db.session.scalar(
        db.select(IncomingDocument).where(
            IncomingDocument.agency_id == receiver.agency.id
        )
    )
    assert incoming.status == IncomingStatus.PENDING
    assert (incoming.code_number, incoming.code_notation, incoming.issuer_code) == (
        "01",
        "QĐ-UBND",
        "000.00.50.H56",
    )
    assert _bytes(incoming.main_file) == issued
    assert (
        '"TOTAL-PASSED"' in incoming.signature_report
    )  # the receiver's check sees valid signatures


def test_numbers_follow_the_register_and_secret_documents_stay_on_paper(
    keyed_office, make_office, sample_pdf
) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.52.H56")
    first = _approved(office, sample_pdf, receiver=receiver)
    secret = _approved(office, sample_pdf, receiver=receiver, secrecy=Secrecy.SECRET)
    for doc in (first, secret):
        s.sign(office.leader, doc)
        s.issue(office.clerk, doc)
    assert first.number == 1 and secret.number == 1 and secret.register.is_secret
    assert all(r.delivery == DeliveryState.NOT_ELECTRONIC for r in secret.recipients)
    with pytest.raises(ActionRefused, match="never sent electronically"):
        s.send_electronically(office.clerk, secret)
    received = db.session.scalars(
        db.select(IncomingDocument).where(
            IncomingDocument.agency_id == receiver.agency.id
        )
    )
    assert [d.subject for d in received] == [
        first.subject
    ]  # only the ordinary one travelled


def test_issue_fails_cleanly_without_seal_pin(
    keyed_office, sample_pdf, monkeypatch
) -> None:
    office = keyed_office
    doc = _approved(office, sample_pdf)
    s.sign(office.leader, doc)
    monkeypatch.setenv("DOCFLOW_TEST_SEAL_PIN", "000000")  # wrong PIN
    with pytest.raises(ActionRefused, match="agency seal could not be applied"):
        s.issue(office.clerk, doc)
    db.session.expire_all()
    doc = db.session.get(type(doc), doc.id)
    assert doc.status == OutgoingStatus.SIGNED and doc.number is None
    assert db.session.scalar(db.select(OutgoingCounter.last_number)) in (
        None,
        0,
    )  # the number was not used


def test_returned_draft_takes_a_new_version(keyed_office, sample_pdf) -> None:
    office = keyed_office
    doc = _draft(office, sample_pdf)
    s.submit(office.specialist, doc, [office.head.id], office.leader.id)
    with pytest.raises(ActionRefused, match="what must be revised"):
        s.review(office.head, doc, False, "")
    s.review(office.head, doc, False, "Sửa lại trích yếu")
    assert doc.status == OutgoingStatus.RETURNED
    s.add_version(
        office.specialist,
        doc,
        io.BytesIO(sample_pdf(DRAFT_LINES + [(60, 520, 11, "Điều 3. Bản sửa.")])),
        "v2.pdf",
        "Đã sửa trích yếu",
    )
    assert [v.number for v in doc.versions] == [
        1,
        2,
    ] and doc.status == OutgoingStatus.DRAFT
    with pytest.raises(ActionRefused, match="unsigned version"):
        s.add_version(
            office.specialist,
            doc,
            io.BytesIO(_signed_pdf(office, sample_pdf)),
            "signed.pdf",
        )


def _signed_pdf(office, sample_pdf) -> bytes:
    doc = _approved(office, sample_pdf)
    s.sign(office.leader, doc)
    return _bytes(doc.signed_file)


def test_sending_again_reaches_only_recipients_still_waiting(
    keyed_office, make_office, sample_pdf
) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.53.H56")
    doc = _approved(office, sample_pdf, receiver=receiver)
    s.sign(office.leader, doc)
    s.issue(office.clerk, doc)
    s.send_electronically(office.clerk, doc)
    received = db.session.scalars(
        db.select(IncomingDocument).where(
            IncomingDocument.agency_id == receiver.agency.id
        )
    )
    assert len(list(received)) == 1
    assert [e.kind for e in doc.events].count(
        "delivered"
    ) == 1  # not delivered a second time
