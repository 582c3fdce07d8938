"""Delivery by edXML packets: same instance, two instances over HTTP, statuses back, outbox retries."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from docflow.auth.models import User
from docflow.documents import services as incoming_services
from docflow.documents.models import IncomingDocument, IncomingStatus, Source
from docflow.documents.services import ActionRefused, AssignmentPlan, Target
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from docflow.interchange import edxml, services
from docflow.interchange.jobs import retry_due
from docflow.interchange.models import OutboxMessage, Receipt, RecipientStatus
from docflow.interchange.transport import request_headers
from docflow.outgoing import services as outgoing
from docflow.outgoing.models import DeliveryState
from tests.docflow.interchange.conftest import SECRET_ENV


def _codes(recipient) -> list[str]:
    return list(
        db.session.scalars(
            select(RecipientStatus.code)
            .where(RecipientStatus.recipient_id == recipient.id)
            .order_by(RecipientStatus.id)
        )
    )


def _incoming(agency_id: int) -> list[IncomingDocument]:
    return list(
        db.session.scalars(
            select(IncomingDocument).where(IncomingDocument.agency_id == agency_id)
        )
    )


# ------------------------------------------------------------------ same instance
def test_local_delivery_goes_through_a_packet_and_statuses_come_back(
    make_office, issue_document
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56", name="UBND xã Nhận"),
    )
    doc = issue_document(sender, [receiver.agency])
    recipient = doc.recipients[0]
    assert recipient.delivery == DeliveryState.DELIVERED
    [incoming] = _incoming(receiver.agency.id)
    assert (
        incoming.status,
        incoming.source,
        incoming.number_notation,
        incoming.issuer_code,
    ) == (IncomingStatus.PENDING, Source.INTERCHANGE, "01/UBND-KT", "000.00.60.H56")
    receipt = db.session.scalar(
        select(Receipt).where(Receipt.incoming_id == incoming.id)
    )
    assert (
        receipt.edxml_document_id == services.document_id_of(doc)
        and receipt.via == "local"
    )
    assert _codes(recipient) == ["01"]  # đã đến, automatically

    incoming_services.register(
        receiver.clerk, incoming, {}, presented_to=receiver.leader
    )
    incoming_services.assign(
        receiver.leader,
        incoming,
        AssignmentPlan(lead=Target(user_id=receiver.specialist.id)),
    )
    incoming_services.comment(receiver.specialist, incoming, "Đang chuẩn bị địa điểm")
    incoming_services.comment(
        receiver.specialist, incoming, "Đã gửi giấy mời"
    )  # 05 only once
    incoming_services.complete(receiver.specialist, incoming, "Đã tổ chức hội nghị")
    assert _codes(recipient) == ["01", "03", "04", "05", "06"]
    view = services.delivery_of(recipient)
    assert view.state == "sent" and view.last.code == "06"


def test_return_sends_02_with_the_reason_and_the_sender_sees_returned(
    make_office, issue_document
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    [incoming] = _incoming(receiver.agency.id)
    incoming_services.return_document(receiver.clerk, incoming, "Gửi nhầm đơn vị")
    recipient = doc.recipients[0]
    view = services.delivery_of(recipient)
    assert (
        view.state == "returned"
        and view.last.code == "02"
        and view.last.description == "Gửi nhầm đơn vị"
    )
    assert any(
        e.kind == "status_02" and "Gửi nhầm đơn vị" in e.text for e in doc.events
    )


def test_a_packet_delivered_twice_creates_one_incoming_document(
    make_office, issue_document
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    packet = edxml.parse_packet(
        edxml.build_document(services.packet_for(doc, [receiver.agency]))
    )
    again = services.accept_document(packet, via="http")
    db.session.commit()
    assert [d.id for d in again] == [d.id for d in _incoming(receiver.agency.id)]
    outgoing.send_electronically(sender.clerk, doc)  # an operator re-sends: still one
    assert len(_incoming(receiver.agency.id)) == 1


def test_secret_documents_never_travel(make_office, issue_document) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency], secrecy=Secrecy.SECRET)
    assert doc.recipients[0].delivery == DeliveryState.NOT_ELECTRONIC
    with pytest.raises(ActionRefused, match="never sent electronically"):
        outgoing.send_electronically(sender.clerk, doc)
    assert _incoming(receiver.agency.id) == []
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_slow_recipients_are_flagged(make_office, issue_document) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56"),
    )
    doc = issue_document(sender, [receiver.agency])
    recipient = doc.recipients[0]
    assert services.delivery_of(recipient).state == "sent"
    recipient.delivered_at -= services.SLOW_AFTER + timedelta(minutes=1)
    db.session.commit()
    assert (
        services.delivery_of(recipient).state == "slow"
    )  # arrived (01) but nobody registered it


# ------------------------------------------------------------------ two instances
def test_two_instances_exchange_a_document_and_its_statuses(
    pair, issue_document
) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    doc = issue_document(pair.office_a, [remote_b])
    recipient = doc.recipients[0]
    db.session.expire_all()
    assert recipient.delivery == DeliveryState.DELIVERED  # acknowledged by instance B
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == recipient.id)
    )
    assert msg.state == "sent" and msg.attempts == 1
    outgoing.send_electronically(pair.office_a.clerk, doc)  # re-sending changes nothing
    assert recipient.delivery == DeliveryState.DELIVERED and msg.attempts == 1
    assert _codes(recipient) == ["01"]  # instance B said "đã đến" over HTTP
    with pair.in_b():
        [incoming] = _incoming(pair.office_b.agency_id)
        assert (incoming.source, incoming.number_notation, incoming.issuer_code) == (
            Source.INTERCHANGE,
            "01/UBND-KT",
            "000.00.60.H56",
        )
        assert (
            incoming.main_file is not None
            and incoming.main_file.media_type == "application/pdf"
        )
        clerk = db.session.get(User, pair.office_b.clerk_id)
        incoming_services.register(clerk, incoming, {})
    db.session.expire_all()
    assert _codes(recipient) == ["01", "03"]
    assert services.delivery_of(recipient).state == "sent"


def test_receiver_down_then_back_gets_exactly_one_copy(pair, issue_document) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )
    assert (msg.state, msg.attempts) == (
        "pending",
        1,
    ) and "connection refused" in msg.last_error
    assert services.delivery_of(doc.recipients[0]).state == "not_sent"
    assert doc.recipients[0].delivery == DeliveryState.QUEUED
    assert retry_due() == 0  # not due yet (back-off)
    # The receiver comes back but the first reply is lost after it stored the document.
    pair.transport.down.clear()
    pair.transport.lose_replies["http://b.test"] = 1
    msg.next_attempt_at -= timedelta(hours=1)
    db.session.commit()
    assert retry_due() == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, msg.id).state == "pending"
    db.session.get(OutboxMessage, msg.id).next_attempt_at -= timedelta(hours=1)
    db.session.commit()
    assert retry_due() == 1
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, msg.id)
    assert (msg.state, msg.attempts) == ("sent", 3)
    with pair.in_b():
        assert len(_incoming(pair.office_b.agency_id)) == 1


def test_a_receiver_that_died_after_storing_finishes_the_arrival_on_the_resend(
    pair, issue_document
) -> None:
    """Killed between its commit and the arrival's jobs, B still owes 01 and the report."""
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    data = edxml.build_document(services.packet_for(doc, [remote_b]))
    with pair.in_b():
        services.accept_document(edxml.parse_packet(data), via="http")
        db.session.info.pop("docflow.pending_jobs")  # the process dies after commit
        db.session.commit()
    pair.transport.down.clear()
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )
    msg.next_attempt_at -= timedelta(hours=1)
    db.session.commit()
    assert retry_due() == 1
    db.session.expire_all()
    assert db.session.get(OutboxMessage, msg.id).state == "sent"
    assert _codes(doc.recipients[0]) == ["01"]
    with pair.in_b():
        [incoming] = _incoming(pair.office_b.agency_id)
        assert incoming.signature_report is not None
        # Sent once more, nothing new: 01 is already in B's outbox.
        services.accept_document(edxml.parse_packet(data), via="http")
        db.session.commit()
        assert (
            db.session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.kind == "status"
                )
            )
            == 1
        )
    db.session.expire_all()
    assert _codes(doc.recipients[0]) == ["01"]


def test_outbox_gives_up_after_the_last_back_off(
    pair, issue_document, monkeypatch
) -> None:
    monkeypatch.setattr(services, "BACKOFF", (0,))
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    assert retry_due() == 1
    db.session.expire_all()
    view = services.delivery_of(doc.recipients[0])
    assert view.state == "failed" and "connection refused" in view.error
    # The records officer sends it again once the other instance is back: a fresh round.
    pair.transport.down.clear()
    outgoing.send_electronically(db.session.get(User, pair.office_a.clerk.id), doc)
    db.session.expire_all()
    assert services.delivery_of(doc.recipients[0]).state == "sent"
    assert doc.recipients[0].delivery == DeliveryState.DELIVERED


def _post(
    pair,
    path: str,
    body: bytes,
    sender: str,
    secret: str = "a-shared-secret-of-32-characters",
):
    headers = request_headers(secret, sender, path, body)
    return pair.app_b.test_client().post(
        path, data=body, headers=headers, content_type="application/xml"
    )


def test_unauthenticated_tampered_and_impersonating_packets_are_refused(
    pair, issue_document
) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    body = edxml.build_document(services.packet_for(doc, [remote_b]))
    path = services.PACKETS_PATH
    assert (
        _post(
            pair, path, body, "000.00.60.H56", secret="not-the-shared-secret-at-all"
        ).status_code
        == 401
    )
    assert _post(pair, path, body, "999.99.99.H99").status_code == 401  # unknown system
    headers = request_headers(
        "a-shared-secret-of-32-characters", "000.00.60.H56", path, body
    )
    tampered = body.replace("Về việc tổ chức".encode(), "Về việc hủy bỏ".encode())
    resp = pair.app_b.test_client().post(
        path, data=tampered, headers=headers, content_type="application/xml"
    )
    assert resp.status_code == 401
    forged = body.replace(
        b"000.00.60.H56", b"000.00.00.G22"
    )  # claims to be another agency
    resp = _post(pair, path, forged, "000.00.60.H56")
    assert (
        resp.status_code == 422 and "authenticated sender" in resp.get_json()["reason"]
    )
    hostile = b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY e SYSTEM "file:///etc/passwd">]><x>&e;</x>'
    resp = _post(pair, path, hostile, "000.00.60.H56")
    assert resp.status_code == 422 and "DOCTYPE" in resp.get_json()["reason"]
    # Replayed genuine packet: accepted once, the replay is the same document.
    first, replay = (
        _post(pair, path, body, "000.00.60.H56"),
        _post(pair, path, body, "000.00.60.H56"),
    )
    assert first.status_code == replay.status_code == 200
    assert first.get_json()["incoming"] == replay.get_json()["incoming"]
    with pair.in_b():
        assert len(_incoming(pair.office_b.agency_id)) == 1


def test_a_packet_the_receiver_refuses_is_failed_at_once(
    pair, issue_document, monkeypatch
) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    monkeypatch.setenv(SECRET_ENV, "a-shared-secret-of-32-characters")
    with pair.in_b():  # B no longer serves that agency
        agency = db.session.get(services.Agency, pair.office_b.agency_id)
        agency.active = False
        db.session.commit()
    doc = issue_document(pair.office_a, [remote_b])
    msg = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == doc.recipients[0].id)
    )
    assert msg.state == "failed" and "no recipient" in msg.last_error


# ------------------------------------------------------------------ what the sender sees
def test_the_outgoing_page_shows_each_recipients_state(
    make_office, issue_document, client
) -> None:
    from tests.helpers import login

    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56", name="UBND xã Nhận"),
    )
    doc = issue_document(sender, [receiver.agency])
    [incoming] = _incoming(receiver.agency.id)
    incoming_services.return_document(receiver.clerk, incoming, "Không đúng thẩm quyền")
    login(client, sender.clerk.username)
    html = client.get(f"/outgoing/{doc.id}").get_data(as_text=True)
    assert 'data-interchange="returned"' in html and 'data-status-code="02"' in html
    assert "Không đúng thẩm quyền" in html
