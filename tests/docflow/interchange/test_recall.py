"""Recall (lấy lại): the sender's 13, answered 15 when the receiver had not registered, else 16."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from docflow.documents import services as incoming_services
from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.documents.services import ActionRefused
from docflow.extensions import db
from docflow.interchange import changes, services
from docflow.interchange.models import RecipientStatus
from tests.helpers import csrf_token, login


def _codes(recipient) -> list[str]:
    return list(
        db.session.scalars(
            select(RecipientStatus.code)
            .where(RecipientStatus.recipient_id == recipient.id)
            .order_by(RecipientStatus.id)
        )
    )


def test_recall_is_agreed_before_registration_and_refused_after(
    make_office, issue_document
) -> None:
    sender = make_office(code="000.00.60.H56")
    early, late = make_office(code="000.00.61.H56"), make_office(code="000.00.62.H56")
    doc = issue_document(sender, [early.agency, late.agency])
    by_agency = {d.agency_id: d for d in db.session.scalars(select(IncomingDocument))}
    incoming_services.register(late.clerk, by_agency[late.agency.id], {})
    with pytest.raises(ActionRefused, match="records officers"):
        changes.recall(sender.leader, doc, "Sai sót")
    with pytest.raises(ActionRefused, match="reason"):
        changes.recall(sender.clerk, doc, " ")
    assert changes.recall(sender.clerk, doc, "Phát hiện sai sót ở Điều 2") == 2
    db.session.expire_all()
    first, second = doc.recipients
    assert (
        _codes(first) == ["01", "15"]
        and services.delivery_of(first).state == "recalled"
    )
    assert (
        _codes(second) == ["01", "03", "16"]
        and services.delivery_of(second).state == "sent"
    )
    given_back = db.session.get(IncomingDocument, by_agency[early.agency.id].id)
    assert (
        given_back.status == IncomingStatus.RETURNED
        and "Điều 2" in given_back.return_reason
    )
    assert (
        db.session.get(IncomingDocument, by_agency[late.agency.id].id).status
        == IncomingStatus.REGISTERED
    )
    assert any(e.kind == "recall_requested" for e in doc.events)


def test_recall_between_instances(pair, issue_document) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    doc = issue_document(pair.office_a, [remote_b])
    clerk = db.session.get(type(pair.office_a.clerk), pair.office_a.clerk.id)
    assert changes.recall(clerk, doc, "Gửi nhầm") == 1
    db.session.expire_all()
    assert _codes(doc.recipients[0]) == ["01", "15"]
    with pair.in_b():
        [incoming] = db.session.scalars(select(IncomingDocument)).all()
        assert incoming.status == IncomingStatus.RETURNED


def test_recall_form_on_the_outgoing_page(make_office, issue_document, client) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    login(client, sender.clerk.username)
    page = f"/outgoing/{doc.id}"
    assert "interchange-recall" in client.get(page).get_data(as_text=True)
    resp = client.post(
        f"/interchange/outgoing/{doc.id}/recall",
        data={"csrf_token": csrf_token(client, page), "reason": "Sai thể thức"},
    )
    assert resp.status_code == 302
    html = client.get(page).get_data(as_text=True)
    assert 'data-interchange="recalled"' in html and "interchange-recall" not in html


# ------------------------------------------------------------------ revoke, update, replace (BussinessDocType 1-3)
def _packet_from_outside(receiver_code: str, doc_id: str, **kw):
    from datetime import date

    from docflow.interchange import edxml
    from tests.docflow.office import make_pdf

    values = dict(
        sender=edxml.Organization("000.00.00.G22", "Văn phòng Chính phủ"),
        receivers=[edxml.Organization(receiver_code)],
        code_number=doc_id.rsplit(",", 1)[1].split("/")[0],
        code_notation="VPCP-TTĐT",
        promulgation_date=date(2026, 11, 20),
        subject="V/v kết nối liên thông",
        document_id=doc_id,
        attachments=[edxml.Attachment("1", "vb.pdf", make_pdf(doc_id))],
    )
    values.update(kw)
    return edxml.parse_packet(edxml.build_document(edxml.DocumentPacket(**values)))


def test_revocation_update_and_replacement_from_another_system(make_office) -> None:
    from docflow.interchange import edxml

    office = make_office(code="000.00.00.H41")
    first, second = (
        "000.00.00.G22,2026/11/20,7816/VPCP-TTĐT",
        "000.00.00.G22,2026/11/20,7817/VPCP-TTĐT",
    )
    [a] = services.accept_document(
        _packet_from_outside(office.agency.code, first), via="http"
    )
    [b] = services.accept_document(
        _packet_from_outside(office.agency.code, second), via="http"
    )
    db.session.commit()
    incoming_services.register(office.clerk, b, {})

    [same] = services.accept_document(
        _packet_from_outside(
            office.agency.code,
            first,
            business_type=edxml.UPDATE,
            subject="V/v kết nối liên thông (sửa đổi)",
            business_reason="Sửa trích yếu",
        ),
        via="http",
    )
    db.session.commit()
    assert same.id == a.id and a.subject == "V/v kết nối liên thông (sửa đổi)"
    assert any("subject" in (e.text or "") for e in a.events)

    [c] = services.accept_document(
        _packet_from_outside(
            office.agency.code,
            "000.00.00.G22,2026/11/21,7820/VPCP-TTĐT",
            business_type=edxml.REPLACE,
            replacements=[edxml.Replacement(second, [office.agency.code])],
        ),
        via="http",
    )
    db.session.commit()
    assert c.id not in (a.id, b.id) and c.status == IncomingStatus.PENDING
    assert (
        b.status == IncomingStatus.REGISTERED and "thay thế" in b.events[-1].text
    )  # registered: noted

    services.accept_document(
        _packet_from_outside(
            office.agency.code,
            first,
            business_type=edxml.REVOKE,
            business_reason="Ban hành sai thẩm quyền",
        ),
        via="http",
    )
    db.session.commit()
    assert a.status == IncomingStatus.RETURNED and "sai thẩm quyền" in a.return_reason
    with pytest.raises(services.PacketRejected, match="no document"):
        services.accept_document(
            _packet_from_outside(
                office.agency.code,
                "000.00.00.G22,2026/11/20,1/X-Y",
                business_type=edxml.REVOKE,
            ),
            via="http",
        )
