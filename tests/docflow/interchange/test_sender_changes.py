"""The sender's side of BussinessDocType 1 (thu hồi), 2 (cập nhật) and 3 (thay thế)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select

from docflow.audit.models import AuditEntry
from docflow.documents import services as incoming_services
from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.documents.services import ActionRefused
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from docflow.interchange import edxml, sender_changes, services
from docflow.interchange.changes import recall
from docflow.interchange.models import ChangeReceipt, OutboxMessage, RecipientStatus
from docflow.outgoing.models import ChangeDelivery, OutgoingChange, OutgoingDocument


def _codes(recipient) -> list[str]:
    return list(
        db.session.scalars(
            select(RecipientStatus.code)
            .where(RecipientStatus.recipient_id == recipient.id)
            .order_by(RecipientStatus.id)
        )
    )


def _incoming(agency_id: int) -> IncomingDocument:
    return db.session.scalar(
        select(IncomingDocument).where(IncomingDocument.agency_id == agency_id)
    )


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _values(doc, **kw) -> sender_changes.UpdateValues:
    values = sender_changes.current_values(doc)
    for key, value in kw.items():
        setattr(values, key, value)
    return values


# ------------------------------------------------------------------ same instance
def test_revocation_reaches_every_receiver_and_is_answered(
    make_office, issue_document
) -> None:
    sender = make_office(code="000.00.60.H56")
    early, late = make_office(code="000.00.61.H56"), make_office(code="000.00.62.H56")
    doc = issue_document(sender, [early.agency, late.agency])
    incoming_services.register(late.clerk, _incoming(late.agency.id), {})

    with pytest.raises(ActionRefused, match="records officers"):
        sender_changes.revoke(sender.leader, doc, "Sai thẩm quyền")
    with pytest.raises(ActionRefused, match="reason"):
        sender_changes.revoke(sender.clerk, doc, "   ")
    db.session.rollback()
    assert doc.revoked_at is None and _count(OutgoingChange) == 0

    change = sender_changes.revoke(sender.clerk, doc, "Ban hành sai thẩm quyền")
    db.session.expire_all()
    assert doc.is_revoked and doc.revoked_by_id == sender.clerk.id
    assert doc.revoke_reason == "Ban hành sai thẩm quyền"
    kinds = [e.kind for e in doc.events]
    assert kinds[-3:] == ["revoked", "status_15", "status_15"]
    # Not registered yet: given back. Registered: the timeline says so.
    given_back = _incoming(early.agency.id)
    assert given_back.status == IncomingStatus.RETURNED
    assert "sai thẩm quyền" in given_back.return_reason
    kept = _incoming(late.agency.id)
    assert kept.status == IncomingStatus.REGISTERED
    assert "thu hồi" in kept.events[-1].text
    # Both answered 15, matched with the revocation; a 15 to a revocation is no recall.
    first, second = doc.recipients
    assert _codes(first) == ["01", "15"] and _codes(second) == ["01", "03", "15"]
    assert [(d.recipient_id, d.answer) for d in change.deliveries] == [
        (first.id, "15"),
        (second.id, "15"),
    ]
    assert services.delivery_of(first).state == "sent"
    assert services.delivery_of(first).changes[0].change.kind == "revoke"
    assert _count(AuditEntry, AuditEntry.action == "outgoing.revoke") == 1

    with pytest.raises(ActionRefused, match="revoked"):
        sender_changes.revoke(sender.clerk, doc, "Lần nữa")
    with pytest.raises(ActionRefused, match="revoked"):
        recall(sender.clerk, doc, "Lấy lại")
    with pytest.raises(ActionRefused, match="revoked"):
        sender_changes.update(sender.clerk, doc, _values(doc, subject="Khác"), "Sửa")


def test_two_updates_both_reach_the_receiver(make_office, issue_document) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    incoming = _incoming(receiver.agency.id)
    assert incoming.signer_name == "Trần Đức Hùng" and incoming.due_date is None

    sender_changes.update(
        sender.clerk,
        doc,
        _values(doc, subject="Về việc tổ chức hội nghị tổng kết năm 2026"),
        "Sửa trích yếu",
    )
    sender_changes.update(
        sender.clerk,
        doc,
        _values(
            doc,
            due_date=date(2026, 12, 31),
            page_count=3,
            signer_position="KT. CHỦ TỊCH — PHÓ CHỦ TỊCH",
            doc_type="Thông báo",
        ),
        "Bổ sung hạn xử lý",
    )
    db.session.expire_all()
    incoming = _incoming(receiver.agency.id)
    assert incoming.subject == "Về việc tổ chức hội nghị tổng kết năm 2026"
    assert (incoming.due_date, incoming.page_count, incoming.doc_type) == (
        date(2026, 12, 31),
        3,
        "Thông báo",
    )
    assert incoming.signer_position == "KT. CHỦ TỊCH — PHÓ CHỦ TỊCH"
    notes = [e.text for e in incoming.events if "cập nhật" in (e.text or "")]
    assert len(notes) == 2 and "Bổ sung hạn xử lý" in notes[1]
    # Two answers, one per update (even within the same second), each matched.
    [recipient] = doc.recipients
    assert _codes(recipient) == ["01", "15", "15"]
    changes = db.session.scalars(select(OutgoingChange).order_by(OutgoingChange.id))
    assert [(c.kind, c.deliveries[0].answer) for c in changes] == [
        ("update", "15"),
        ("update", "15"),
    ]
    assert [e.kind for e in doc.events].count("updated") == 2
    assert doc.due_date == date(2026, 12, 31) and doc.doc_type == "Thông báo"
    # The export of the document now carries the corrected header.
    packet = edxml.parse_packet(
        edxml.build_document(services.packet_for(doc, [receiver.agency]))
    )
    assert packet.page_amount == 3 and packet.due_date == date(2026, 12, 31)


def test_update_is_validated_and_changes_nothing_when_refused(
    make_office, issue_document
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    for values, reason, message in (
        (_values(doc, subject="Mới"), "", "reason"),
        (_values(doc), "Không đổi gì", "Nothing to update"),
        (_values(doc, subject="  "), "Sửa", "subject is required"),
        (_values(doc, doc_type="Thư tình"), "Sửa", "Unknown document type"),
        (_values(doc, page_count=0), "Sửa", "page count"),
        (_values(doc, signer_name="x" * 51), "Sửa", "too long"),
    ):
        with pytest.raises(ActionRefused, match=message):
            sender_changes.update(sender.clerk, doc, values, reason)
        db.session.rollback()
    with pytest.raises(ActionRefused, match="records officers"):
        sender_changes.update(sender.specialist, doc, _values(doc, subject="M"), "S")
    db.session.rollback()
    db.session.expire_all()
    assert doc.subject == "Về việc tổ chức hội nghị" and _count(OutgoingChange) == 0
    assert _incoming(receiver.agency.id).subject == "Về việc tổ chức hội nghị"
    assert _count(AuditEntry, AuditEntry.action == "outgoing.update") == 0


def test_a_change_packet_delivered_twice_is_applied_once(make_office) -> None:
    """At-least-once delivery: same DocumentId as the original, same packet twice."""
    office = make_office(code="000.00.00.H41")
    doc_id = "000.00.00.G22,2026/11/20,7816/VPCP-TTĐT"
    base = dict(
        sender=edxml.Organization("000.00.00.G22", "Văn phòng Chính phủ"),
        receivers=[edxml.Organization(office.agency.code)],
        code_number="7816",
        code_notation="VPCP-TTĐT",
        promulgation_date=date(2026, 11, 20),
        subject="V/v kết nối liên thông",
        document_id=doc_id,
        traces=[("000.00.00.G22", "2026/11/20 08:00:00")],
    )
    from tests.docflow.office import make_pdf

    original = edxml.DocumentPacket(
        **base, attachments=[edxml.Attachment("1", "vb.pdf", make_pdf("x"))]
    )
    [incoming] = services.accept_document(
        edxml.parse_packet(edxml.build_document(original)), via="http"
    )
    db.session.commit()
    update = edxml.build_document(
        edxml.DocumentPacket(
            **dict(base, subject="V/v kết nối liên thông (sửa)"),
            business_type=edxml.UPDATE,
            business_reason="Sửa trích yếu",
        )
    )
    for _ in range(2):
        [same] = services.accept_document(edxml.parse_packet(update), via="http")
        db.session.commit()
        assert same.id == incoming.id
    assert incoming.subject == "V/v kết nối liên thông (sửa)"
    assert sum("cập nhật" in (e.text or "") for e in incoming.events) == 1
    assert _count(ChangeReceipt) == 1
    # A second, different update with the same DocumentId is a new change.
    again = edxml.build_document(
        edxml.DocumentPacket(
            **dict(
                base,
                subject="V/v kết nối liên thông (sửa lần 2)",
                traces=[("000.00.00.G22", "2026/11/20 09:00:00")],
            ),
            business_type=edxml.UPDATE,
            business_reason="Sửa lần 2",
        )
    )
    services.accept_document(edxml.parse_packet(again), via="http")
    db.session.commit()
    assert incoming.subject == "V/v kết nối liên thông (sửa lần 2)"
    assert _count(ChangeReceipt) == 2


def test_replacing_document_is_a_type_3_packet(make_office, issue_document) -> None:
    sender = make_office(code="000.00.60.H56")
    registered, pending = (
        make_office(code="000.00.61.H56"),
        make_office(code="000.00.62.H56"),
    )
    old = issue_document(sender, [registered.agency, pending.agency])
    incoming_services.register(registered.clerk, _incoming(registered.agency.id), {})
    new = issue_document(
        sender,
        [registered.agency, pending.agency],
        subject="Về việc tổ chức hội nghị (thay thế)",
        replaces_id=old.id,
    )
    packet = services.packet_for(new, [registered.agency], files=False)
    assert packet.business_type == edxml.REPLACE
    assert [(r.document_id, r.organ_ids) for r in packet.replacements] == [
        (
            services.document_id_of(old),
            sorted([registered.agency.code, pending.agency.code]),
        )
    ]
    db.session.expire_all()
    for office, old_status in (
        (registered, IncomingStatus.REGISTERED),
        (pending, IncomingStatus.RETURNED),
    ):
        copies = db.session.scalars(
            select(IncomingDocument)
            .where(IncomingDocument.agency_id == office.agency.id)
            .order_by(IncomingDocument.id)
        ).all()
        assert [c.status for c in copies] == [old_status, IncomingStatus.PENDING]
        assert new.number_notation in (
            copies[0].return_reason or copies[0].events[-1].text
        )
    # The type-3 packet delivered again: still two copies, the replacement noted once.
    again = edxml.parse_packet(
        edxml.build_document(services.packet_for(new, [registered.agency]))
    )
    services.accept_document(again, via="http")
    db.session.commit()
    old_copy = db.session.scalars(
        select(IncomingDocument)
        .where(IncomingDocument.agency_id == registered.agency.id)
        .order_by(IncomingDocument.id)
    ).first()
    notes = [e for e in old_copy.events if new.number_notation in (e.text or "")]
    assert len(notes) == 1
    assert (
        _count(IncomingDocument, IncomingDocument.agency_id == registered.agency.id)
        == 2
    )


def test_drafting_a_replacement_is_checked(make_office, issue_document) -> None:
    from docflow.outgoing import services as outgoing

    sender, other = make_office(code="000.00.60.H56"), make_office(code="000.00.61.H56")
    old = issue_document(sender, [other.agency])
    foreign = issue_document(other, [sender.agency])
    draft = OutgoingDocument(
        agency_id=sender.agency.id,
        doc_type="Công văn",
        subject="Thay thế",
        drafted_by_id=sender.specialist.id,
    )
    db.session.add(draft)
    db.session.commit()
    with pytest.raises(ActionRefused, match="issued document of your agency"):
        outgoing.set_replaces(sender.specialist, draft, foreign.id)
    db.session.rollback()
    with pytest.raises(ActionRefused, match="drafter or a records officer"):
        outgoing.set_replaces(sender.other_specialist, draft, old.id)
    db.session.rollback()
    outgoing.set_replaces(sender.clerk, draft, old.id)
    assert draft.replaces_id == old.id and draft.events[-1].kind == "replaces_set"
    sender_changes.revoke(sender.clerk, old, "Sai")
    with pytest.raises(ActionRefused, match="revoked document cannot be replaced"):
        outgoing.set_replaces(sender.specialist, draft, old.id)


def test_secret_documents_never_leave_for_a_change(make_office, issue_document) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency], secrecy=Secrecy.SECRET)
    assert _incoming(receiver.agency.id) is None
    sender_changes.update(
        sender.clerk, doc, _values(doc, subject="Về việc (mật, sửa)"), "Sửa"
    )
    sender_changes.revoke(sender.clerk, doc, "Thu hồi bản mật")
    assert doc.is_revoked and doc.subject == "Về việc (mật, sửa)"
    assert _incoming(receiver.agency.id) is None
    assert _count(ChangeDelivery) == 0 and _count(OutboxMessage) == 0
    # Not even to a recipient marked as delivered by mistake.
    doc.recipients[0].delivery = services.DeliveryState.DELIVERED
    assert (
        sender_changes._send(
            doc,
            OutgoingChange(document_id=doc.id, kind="update", reason="x"),
            edxml.UPDATE,
        )
        == 0
    )


# ------------------------------------------------------------------ two instances
def _remote_b():
    return db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )


def test_revoke_and_updates_between_instances(pair, issue_document) -> None:
    doc = issue_document(pair.office_a, [_remote_b()])
    clerk = db.session.get(type(pair.office_a.clerk), pair.office_a.clerk.id)
    sender_changes.update(
        clerk, doc, _values(doc, subject="Về việc hội nghị (sửa lần 1)"), "Sửa 1"
    )
    # The reply to the second update is lost: the outbox posts it again.
    pair.transport.lose_replies["http://b.test"] = 1
    sender_changes.update(clerk, doc, _values(doc, page_count=7), "Sửa 2")
    msgs = db.session.scalars(
        select(OutboxMessage)
        .where(OutboxMessage.kind == "change")
        .order_by(OutboxMessage.id)
    ).all()
    assert [m.state for m in msgs] == ["sent", "pending"]
    services.deliver_message(msgs[1].id)
    sender_changes.revoke(clerk, doc, "Gửi nhầm nơi nhận")
    db.session.expire_all()
    with pair.in_b():
        [incoming] = db.session.scalars(select(IncomingDocument)).all()
        assert incoming.subject == "Về việc hội nghị (sửa lần 1)"
        assert incoming.page_count == 7
        assert incoming.status == IncomingStatus.RETURNED
        assert sum("cập nhật" in (e.text or "") for e in incoming.events) == 2
        assert _count(ChangeReceipt) == 3
        answers = db.session.scalars(
            select(OutboxMessage.state).where(
                OutboxMessage.kind == "status", OutboxMessage.status_code == "15"
            )
        ).all()
        assert answers == ["sent", "sent", "sent"]
    [recipient] = doc.recipients
    assert _codes(recipient) == ["01", "15", "15", "15"]
    kinds = db.session.scalars(select(OutgoingChange.kind).order_by(OutgoingChange.id))
    assert list(kinds) == ["update", "update", "revoke"]
    assert [d.answer for d in services.delivery_of(recipient).changes] == ["15"] * 3
    assert [
        services.change_state(d)[0] for d in services.delivery_of(recipient).changes
    ] == ["sent"] * 3


def test_a_change_waits_for_its_document_between_instances(
    pair, issue_document
) -> None:
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [_remote_b()])
    clerk = db.session.get(type(pair.office_a.clerk), pair.office_a.clerk.id)
    sender_changes.update(clerk, doc, _values(doc, subject="Về việc (sửa)"), "Sửa")
    change_msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "change")
    )
    posts = len(pair.transport.posts)
    services.deliver_message(change_msg.id)  # the document is not there yet: waits
    assert len(pair.transport.posts) == posts and change_msg.state == "pending"
    assert change_msg.attempts == 0
    pair.transport.down.clear()
    doc_msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "document")
    )
    services.deliver_message(doc_msg.id)  # the document, then its change
    db.session.expire_all()
    assert (doc_msg.state, change_msg.state) == ("sent", "sent")
    with pair.in_b():
        [incoming] = db.session.scalars(select(IncomingDocument)).all()
        assert incoming.subject == "Về việc (sửa)"
    assert _codes(doc.recipients[0]) == ["01", "15"]


def test_replacement_between_instances(pair, issue_document) -> None:
    old = issue_document(pair.office_a, [_remote_b()])
    new = issue_document(
        pair.office_a, [_remote_b()], subject="Thay thế", replaces_id=old.id
    )
    number = new.number_notation
    with pair.in_b():
        copies = db.session.scalars(
            select(IncomingDocument).order_by(IncomingDocument.id)
        ).all()
        assert [c.status for c in copies] == [
            IncomingStatus.RETURNED,
            IncomingStatus.PENDING,
        ]
        assert number in copies[0].return_reason


# ------------------------------------------------------------------ pages
def test_revoke_and_update_on_the_outgoing_page(
    make_office, issue_document, client
) -> None:
    from tests.helpers import csrf_token, login

    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    page = f"/outgoing/{doc.id}"
    login(client, sender.clerk.username)
    html = client.get(page).get_data(as_text=True)
    assert "interchange-update" in html and "interchange-revoke" in html
    assert "Thu hồi văn bản" in html  # Vietnamese by default
    token = csrf_token(client, page)
    update = {
        "csrf_token": token,
        "subject": "Về việc tổ chức hội nghị (sửa)",
        "doc_type": "Công văn",
        "signer_name": "Trần Đức Hùng",
        "signer_position": "Phó Chủ tịch",
        "due_date": "2026-12-15",
        "page_count": "2",
        "reason": "",
    }
    # No reason: the form comes back with the message next to the field, nothing changed.
    resp = client.post(f"/interchange/outgoing/{doc.id}/update", data=update)
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400 and "Hãy nêu lý do." in html
    assert "Về việc tổ chức hội nghị (sửa)" in html  # what the user typed is kept
    db.session.expire_all()
    assert doc.subject == "Về việc tổ chức hội nghị" and _count(OutgoingChange) == 0
    # Without the CSRF token: refused.
    no_csrf = dict(update, reason="Sửa trích yếu", csrf_token="")
    assert (
        client.post(f"/interchange/outgoing/{doc.id}/update", data=no_csrf).status_code
        == 400
    )
    assert _count(OutgoingChange) == 0
    resp = client.post(
        f"/interchange/outgoing/{doc.id}/update",
        data=dict(update, reason="Sửa trích yếu"),
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert _incoming(receiver.agency.id).due_date == date(2026, 12, 15)
    html = client.get(page).get_data(as_text=True)
    assert 'data-change="update"' in html and 'data-answer="15"' in html
    assert "15/12/2026" in html
    assert "interchange-recall" in html  # a 15 to an update is no recall

    resp = client.post(
        f"/interchange/outgoing/{doc.id}/revoke",
        data={"csrf_token": token, "reason": ""},
    )
    assert resp.status_code == 302 and doc.revoked_at is None
    assert "Hãy nêu lý do." in client.get(page).get_data(as_text=True)
    client.post(
        f"/interchange/outgoing/{doc.id}/revoke",
        data={"csrf_token": token, "reason": "Ban hành nhầm"},
    )
    db.session.expire_all()
    assert doc.is_revoked
    html = client.get(page).get_data(as_text=True)
    assert 'id="revoked"' in html and "Ban hành nhầm" in html
    assert 'data-change="revoke"' in html and "interchange-revoke" not in html
    assert "interchange-recall" not in html
    listing = client.get("/outgoing/?tab=issued").get_data(as_text=True)
    assert "data-revoked" in listing and "Đã thu hồi" in listing
    assert _incoming(receiver.agency.id).status == IncomingStatus.RETURNED


def test_only_the_issuing_agencys_records_officers_change_a_document(
    make_office, issue_document, client
) -> None:
    from tests.helpers import csrf_token, login

    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    # Another agency's records officer: the document does not exist for them.
    login(client, receiver.clerk.username)
    token = csrf_token(client, "/outgoing/")
    for action in ("revoke", "update"):
        resp = client.post(
            f"/interchange/outgoing/{doc.id}/{action}",
            data={"csrf_token": token, "reason": "x", "subject": "x"},
        )
        assert resp.status_code == 404
    client.post("/logout", data={"csrf_token": token})
    # The agency's leader sees the document but may not revoke it.
    login(client, sender.leader.username)
    page = f"/outgoing/{doc.id}"
    html = client.get(page).get_data(as_text=True)
    assert "interchange-revoke" not in html
    client.post(
        f"/interchange/outgoing/{doc.id}/revoke",
        data={"csrf_token": csrf_token(client, page), "reason": "Không được"},
    )
    db.session.expire_all()
    assert doc.revoked_at is None and _count(OutgoingChange) == 0
    assert "Chỉ văn thư" in client.get(page).get_data(as_text=True)


def test_export_writes_a_change_packet(app, pair, issue_document, tmp_path) -> None:
    doc = issue_document(pair.office_a, [_remote_b()])
    clerk = db.session.get(type(pair.office_a.clerk), pair.office_a.clerk.id)
    change = sender_changes.revoke(clerk, doc, "Gửi nhầm")
    runner = app.test_cli_runner()
    out = tmp_path / "revoke.edxml"
    result = runner.invoke(
        args=[
            "edxml",
            "export",
            str(doc.id),
            "--change",
            str(change.id),
            "-o",
            str(out),
        ]
    )
    assert result.exit_code == 0, result.output
    sent = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == "change")
    )
    assert out.read_bytes() == sent.payload  # the very bytes posted
    packet = edxml.parse_packet(out.read_bytes())
    assert (packet.business_type, packet.business_reason) == (edxml.REVOKE, "Gửi nhầm")
    assert packet.document_id == services.document_id_of(doc)
    result = runner.invoke(args=["edxml", "export", str(doc.id), "--change", "999"])
    assert result.exit_code != 0 and f"{change.id} (revoke" in result.output


def test_records_officer_marks_a_draft_as_replacing_on_its_page(
    make_office, issue_document, client
) -> None:
    from tests.helpers import csrf_token, login

    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    old = issue_document(sender, [receiver.agency])
    draft = OutgoingDocument(
        agency_id=sender.agency.id,
        doc_type="Công văn",
        subject="Thay thế",
        drafted_by_id=sender.specialist.id,
    )
    db.session.add(draft)
    db.session.commit()
    login(client, sender.clerk.username)
    page = f"/outgoing/{draft.id}"
    html = client.get(page).get_data(as_text=True)
    assert 'id="replaces-form"' in html and old.number_notation in html
    token = csrf_token(client, page)
    resp = client.post(
        f"/outgoing/{draft.id}/replaces", data={"csrf_token": token, "replaces": "999"}
    )
    assert resp.status_code == 302
    db.session.expire_all()
    assert draft.replaces_id is None
    client.post(
        f"/outgoing/{draft.id}/replaces",
        data={"csrf_token": token, "replaces": str(old.id)},
    )
    db.session.expire_all()
    assert draft.replaces_id == old.id
    assert 'id="replaces"' in client.get(page).get_data(as_text=True)
    assert (
        client.post(
            f"/outgoing/{draft.id}/replaces", data={"replaces": "0"}
        ).status_code
        == 400
    )  # no CSRF token
    assert draft.replaces_id == old.id
