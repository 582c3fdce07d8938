"""The REST API for changes to issued outgoing documents: recall, revoke, update, the changes
and recipients' states, and marking a draft as replacing an issued document."""

# ruff: noqa: F811 - the interchange fixture issue_document is imported and used by name
from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import func, select

from docflow.api.tokens import create_token
from docflow.audit.models import AuditEntry
from docflow.documents import services as incoming_services
from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from docflow.interchange.models import OutboxMessage
from docflow.outgoing.models import (
    ChangeDelivery,
    OutgoingChange,
    OutgoingDocument,
    OutgoingStatus,
)
from tests.docflow.api.conftest import Api
from tests.docflow.interchange.conftest import issue_document  # noqa: F401 - fixture

SENDER, RECEIVER, OTHER = "000.00.60.H56", "000.00.61.H56", "000.00.62.H56"


@pytest.fixture
def api(app):
    tokens: dict[int, str] = {}

    def for_user(user: Any) -> Api:
        if user.id not in tokens:
            tokens[user.id] = create_token(user, "test")[1]
        return Api(app.test_client(), tokens[user.id], "en")

    return for_user


def _incoming(agency_id: int) -> IncomingDocument | None:
    return db.session.scalar(
        select(IncomingDocument).where(IncomingDocument.agency_id == agency_id)
    )


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _error(response, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["error"] == code and body["message"]
    return body


def test_update_then_revoke_reach_the_receiver_on_this_instance(
    make_office, issue_document, api
) -> None:
    sender, receiver = make_office(code=SENDER), make_office(code=RECEIVER)
    doc = issue_document(sender, [receiver.agency])
    incoming = _incoming(receiver.agency.id)
    incoming_services.register(receiver.clerk, incoming, {})
    clerk, url = api(sender.clerk), f"/api/v1/outgoing/{doc.id}"

    response = clerk.post(
        f"{url}/update",
        json={
            "reason": "Sửa trích yếu",
            "subject": "Về việc tổ chức hội nghị tổng kết",
            "page_count": 3,
        },
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["subject"] == "Về việc tổ chức hội nghị tổng kết"
    db.session.expire_all()
    assert _incoming(receiver.agency.id).subject == "Về việc tổ chức hội nghị tổng kết"
    assert _incoming(receiver.agency.id).page_count == 3

    response = clerk.post(f"{url}/revoke", json={"reason": "Ban hành sai thẩm quyền"})
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["revoked_at"] and body["revoke_reason"] == "Ban hành sai thẩm quyền"
    db.session.expire_all()
    kept = _incoming(receiver.agency.id)
    assert kept.status == IncomingStatus.REGISTERED  # registered: kept, with a note
    assert "thu hồi" in kept.events[-1].text
    assert _count(AuditEntry, AuditEntry.action == "outgoing.update") == 1
    assert _count(AuditEntry, AuditEntry.action == "outgoing.revoke") == 1

    changes = clerk.get(f"{url}/changes")
    assert changes.status_code == 200
    data = changes.get_json()
    assert [c["kind"] for c in data["changes"]] == ["update", "revoke"]
    assert data["changes"][0]["changed"] == {
        "subject": ["Về việc tổ chức hội nghị", "Về việc tổ chức hội nghị tổng kết"],
        "page_count": [None, 3],
    }
    assert data["changes"][1]["actor"]["id"] == sender.clerk.id
    (recipient,) = data["recipients"]
    assert recipient["agency"]["code"] == RECEIVER and recipient["state"] == "sent"
    assert [(c["kind"], c["state"], c["answer"]) for c in recipient["changes"]] == [
        ("update", "applied", "15"),
        ("revoke", "applied", "15"),
    ]
    assert [st["code"] for st in recipient["statuses"]] == ["01", "03", "15", "15"]

    # Revoked: no more changes (422, nothing recorded).
    for path, body in (
        ("update", {"reason": "Sửa", "subject": "Khác"}),
        ("revoke", {"reason": "Lần nữa"}),
        ("recall", {"reason": "Lấy lại"}),
    ):
        _error(clerk.post(f"{url}/{path}", json=body), 422, "action_refused")
    assert _count(OutgoingChange) == 2


def test_recall_gives_back_a_document_not_registered_yet(
    make_office, issue_document, api
) -> None:
    sender, receiver = make_office(code=SENDER), make_office(code=RECEIVER)
    doc = issue_document(sender, [receiver.agency])
    url = f"/api/v1/outgoing/{doc.id}"

    response = api(sender.clerk).post(f"{url}/recall", json={"reason": "Gửi nhầm"})
    assert response.status_code == 200, response.get_json()
    kinds = [e["kind"] for e in response.get_json()["timeline"]]
    assert "recall_requested" in kinds and kinds[-1] == "status_15"  # answered at once
    db.session.expire_all()
    assert _incoming(receiver.agency.id).status == IncomingStatus.RETURNED
    assert _count(AuditEntry, AuditEntry.action == "outgoing.recall") == 1

    data = api(sender.clerk).get(f"{url}/changes").get_json()
    assert [(c["kind"], c["reason"]) for c in data["changes"]] == [
        ("recall", "Gửi nhầm")
    ]
    (recipient,) = data["recipients"]
    assert recipient["state"] == "recalled"
    assert recipient["changes"][0]["answer"] == "15"


def test_a_missing_or_invalid_body_records_nothing(
    make_office, issue_document, api
) -> None:
    sender, receiver = make_office(code=SENDER), make_office(code=RECEIVER)
    doc = issue_document(sender, [receiver.agency])
    clerk, url = api(sender.clerk), f"/api/v1/outgoing/{doc.id}"

    for path in ("recall", "revoke", "update"):
        body = _error(clerk.post(f"{url}/{path}", json={}), 400, "validation_error")
        assert body["details"] == {"reason": "This field is required."}
        body = _error(
            clerk.post(f"{url}/{path}", json={"reason": "   "}), 400, "validation_error"
        )
        assert body["details"] == {"reason": "This field is required."}
        _error(
            clerk.post(f"{url}/{path}", data="reason=x"), 415, "unsupported_media_type"
        )
    body = _error(
        clerk.post(
            f"{url}/update",
            json={
                "reason": "Sửa",
                "doc_type": "Thư tình",
                "page_count": 0,
                "due_date": "31/12/2026",
                "number": 5,
            },
        ),
        400,
        "validation_error",
    )
    assert set(body["details"]) == {"doc_type", "page_count", "due_date", "number"}
    # Valid but refused by the service: 422 with its message.
    body = _error(
        clerk.post(f"{url}/update", json={"reason": "Sửa"}), 422, "action_refused"
    )
    assert body["message"] == "Nothing to update: change at least one field."
    body = _error(
        clerk.post(f"{url}/update", json={"reason": "Sửa", "subject": " "}),
        422,
        "action_refused",
    )
    assert body["message"] == "The subject is required."

    db.session.expire_all()
    assert doc.revoked_at is None and doc.subject == "Về việc tổ chức hội nghị"
    assert _count(OutgoingChange) == 0 and _count(ChangeDelivery) == 0
    assert _count(AuditEntry, AuditEntry.action.like("outgoing.re%")) == 0
    assert _count(AuditEntry, AuditEntry.action == "outgoing.update") == 0
    assert _incoming(receiver.agency.id).status == IncomingStatus.PENDING


def test_only_the_issuing_agencys_records_officers(
    make_office, issue_document, api
) -> None:
    sender, receiver = make_office(code=SENDER), make_office(code=RECEIVER)
    doc = issue_document(sender, [receiver.agency])
    url = f"/api/v1/outgoing/{doc.id}"
    bodies = {
        "recall": {"reason": "Lấy lại"},
        "revoke": {"reason": "Thu hồi"},
        "update": {"reason": "Sửa", "subject": "Khác"},
    }
    # The receiving agency's records officer: the sender's record does not exist for it.
    outsider = api(receiver.clerk)
    for path, body in bodies.items():
        _error(outsider.post(f"{url}/{path}", json=body), 404, "not_found")
    _error(outsider.get(f"{url}/changes"), 404, "not_found")
    _error(api(sender.clerk).get("/api/v1/outgoing/999999/changes"), 404, "not_found")
    # The drafter and the signer see the document and its changes, but may not change it.
    for user in (sender.specialist, sender.leader):
        for path, body in bodies.items():
            _error(api(user).post(f"{url}/{path}", json=body), 403, "forbidden")
        assert api(user).get(f"{url}/changes").status_code == 200

    db.session.expire_all()
    assert doc.revoked_at is None and doc.subject == "Về việc tổ chức hội nghị"
    assert _count(OutgoingChange) == 0
    assert _incoming(receiver.agency.id).status == IncomingStatus.PENDING


def test_secret_documents_are_changed_but_never_sent(
    make_office, issue_document, api
) -> None:
    sender, receiver = make_office(code=SENDER), make_office(code=RECEIVER)
    doc = issue_document(sender, [receiver.agency], secrecy=Secrecy.SECRET)
    clerk, url = api(sender.clerk), f"/api/v1/outgoing/{doc.id}"

    response = clerk.post(
        f"{url}/update", json={"reason": "Sửa", "subject": "Về việc (mật, sửa)"}
    )
    assert response.status_code == 200, response.get_json()
    response = clerk.post(f"{url}/revoke", json={"reason": "Thu hồi bản mật"})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["subject"] == "Về việc (mật, sửa)"
    assert response.get_json()["revoked_at"]

    data = clerk.get(f"{url}/changes").get_json()
    assert [c["kind"] for c in data["changes"]] == ["update", "revoke"]
    assert data["recipients"] == []
    assert _count(ChangeDelivery) == 0 and _count(OutboxMessage) == 0
    assert _incoming(receiver.agency.id) is None
    assert _count(AuditEntry, AuditEntry.action == "outgoing.revoke") == 1


def test_a_draft_replaces_an_issued_document(make_office, issue_document, api) -> None:
    sender, other = make_office(code=SENDER), make_office(code=OTHER)
    old = issue_document(sender, [])
    foreign = issue_document(other, [])
    draft = OutgoingDocument(
        agency_id=sender.agency.id,
        doc_type="Công văn",
        subject="Về việc tổ chức hội nghị (thay thế)",
        drafted_by_id=sender.specialist.id,
        status=OutgoingStatus.DRAFT,
    )
    db.session.add(draft)
    db.session.commit()
    url = f"/api/v1/outgoing/{draft.id}/replaces"
    drafter = api(sender.specialist)

    _error(drafter.post(url, json={}), 400, "validation_error")
    _error(drafter.post(url, json={"replaces_id": "x"}), 400, "validation_error")
    for target in (foreign.id, draft.id, 999999):
        body = _error(
            drafter.post(url, json={"replaces_id": target}), 422, "action_refused"
        )
        assert (
            body["message"] == "Only an issued document of your agency can be replaced."
        )
    _error(api(other.clerk).post(url, json={"replaces_id": old.id}), 404, "not_found")
    _error(
        api(sender.other_specialist).post(url, json={"replaces_id": old.id}),
        404,
        "not_found",
    )
    db.session.expire_all()
    assert draft.replaces_id is None

    response = drafter.post(url, json={"replaces_id": old.id})
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["replaces_id"] == old.id
    assert response.get_json()["timeline"][-1]["kind"] == "replaces_set"
    # The issued document itself cannot be changed into a replacement.
    _error(
        api(sender.clerk).post(
            f"/api/v1/outgoing/{old.id}/replaces", json={"replaces_id": None}
        ),
        422,
        "action_refused",
    )
    response = drafter.post(url, json={"replaces_id": None})
    assert response.status_code == 200 and response.get_json()["replaces_id"] is None
    assert _count(AuditEntry, AuditEntry.action == "outgoing.replaces") == 2
