"""The whole life of an incoming document through the API (runs on SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date, timedelta

from tests.docflow.api.conftest import PDF, PNG


def test_receive_register_assign_comment_complete(world) -> None:
    clerk, leader, specialist = (
        world.api("clerk"),
        world.api("leader"),
        world.api("specialist"),
    )

    response = clerk.upload(
        "/api/v1/incoming",
        subject="Về việc  tổ chức hội nghị",
        issuer_name="Sở Nội vụ",
        code_number="15",
        code_notation="SNV-VP",
        issued_date="2026-01-05",
        urgency="urgent",
        doc_type="Công văn",
    )
    assert response.status_code == 201, response.get_json()
    doc = response.get_json()
    doc_id = doc["id"]
    assert response.headers["Location"] == f"/api/v1/incoming/{doc_id}"
    assert (
        doc["status"] == "pending"
        and doc["urgency"] == "urgent"
        and doc["issued_date"] == "2026-01-05"
    )
    assert doc["files"]["main"]["media_type"] == "application/pdf"
    assert doc["timeline"][0]["kind"] == "received"

    listing = clerk.get("/api/v1/incoming?tab=pending").get_json()
    assert listing["counts"]["pending"] == 1 and [
        d["id"] for d in listing["items"]
    ] == [doc_id]

    response = clerk.post(
        f"/api/v1/incoming/{doc_id}/register",
        json={"presented_to_id": world.users["leader"].id},
    )
    assert response.status_code == 200, response.get_json()
    doc = response.get_json()
    assert doc["status"] == "registered" and doc["arrival_number"] == 1
    assert doc["presented_to"]["id"] == world.users["leader"].id

    deadline = (date.today() + timedelta(days=10)).isoformat()
    response = leader.post(
        f"/api/v1/incoming/{doc_id}/assign",
        json={
            "lead": {"user_id": world.users["specialist"].id},
            "coordinate": [{"department_id": world.department.id}],
            "deadline": deadline,
            "instruction": "Chủ trì tham mưu",
        },
    )
    assert response.status_code == 200, response.get_json()
    doc = response.get_json()
    assert doc["status"] == "in_progress" and doc["due_date"] == deadline
    assert [(a["role"], a["active"]) for a in doc["assignments"]] == [
        ("lead", True),
        ("coordinate", True),
    ]

    assert [
        d["id"]
        for d in specialist.get("/api/v1/incoming?tab=in_progress").get_json()["items"]
    ] == [doc_id]
    response = specialist.post(
        f"/api/v1/incoming/{doc_id}/comment", json={"text": "Đã liên hệ Sở Nội vụ"}
    )
    assert response.status_code == 200
    assert response.get_json()["timeline"][-1]["text"] == "Đã liên hệ Sở Nội vụ"

    file = specialist.get(f"/api/v1/incoming/{doc_id}/file")
    assert (
        file.status_code == 200
        and file.data == PDF
        and file.headers["Cache-Control"] == "private, no-store"
    )

    response = specialist.post(
        f"/api/v1/incoming/{doc_id}/complete",
        json={"result": "Đã tham mưu văn bản trả lời"},
    )
    assert response.status_code == 200
    doc = response.get_json()
    assert (
        doc["status"] == "completed" and doc["result"] == "Đã tham mưu văn bản trả lời"
    )
    kinds = [e["kind"] for e in doc["timeline"]]
    assert kinds == ["received", "registered", "assigned", "commented", "completed"]
    # The services audited each step with the token's owner as the actor.
    from docflow.audit.models import AuditEntry
    from docflow.audit.services import verify_chain
    from docflow.extensions import db

    audited = db.session.execute(
        db.select(AuditEntry.action, AuditEntry.actor_id).where(
            AuditEntry.object_id == str(doc_id)
        )
    ).all()
    assert ("incoming.receive", world.users["clerk"].id) in audited
    assert ("incoming.complete", world.users["specialist"].id) in audited
    assert verify_chain().ok


def test_forward_attach_and_extension(world) -> None:
    from tests.docflow.api.conftest import assign_to_specialist, receive_and_register

    doc_id = receive_and_register(world)
    assign_to_specialist(world, doc_id)
    specialist, leader = world.api("specialist"), world.api("leader")

    response = specialist.post(
        f"/api/v1/incoming/{doc_id}/forward",
        json={"user_id": world.users["bystander"].id, "note": "Nhờ anh xử lý"},
    )
    assert response.status_code == 200, response.get_json()
    assert world.api("bystander").get(f"/api/v1/incoming/{doc_id}").status_code == 200

    response = specialist.upload(
        f"/api/v1/incoming/{doc_id}/attach", name="du-thao.pdf"
    )
    assert response.status_code == 201
    attachment = response.get_json()["files"]["attachments"][0]
    assert specialist.get(attachment["url"]).data == PDF

    new_deadline = (date.today() + timedelta(days=30)).isoformat()
    response = specialist.post(
        f"/api/v1/incoming/{doc_id}/extension",
        json={"new_deadline": new_deadline, "reason": "Chờ số liệu"},
    )
    assert response.status_code == 201, response.get_json()
    req_id = response.get_json()["id"]
    # Only leaders decide.
    assert (
        specialist.post(
            f"/api/v1/incoming/{doc_id}/extension/{req_id}/decide", json={"grant": True}
        ).status_code
        == 403
    )
    response = leader.post(
        f"/api/v1/incoming/{doc_id}/extension/{req_id}/decide", json={"grant": True}
    )
    assert response.status_code == 200
    doc = response.get_json()
    assert (
        doc["due_date"] == new_deadline
        and doc["extension_requests"][0]["granted"] is True
    )
    # Deciding twice is refused by the service: 422.
    again = leader.post(
        f"/api/v1/incoming/{doc_id}/extension/{req_id}/decide", json={"grant": False}
    )
    assert again.status_code == 422 and again.get_json()["error"] == "action_refused"


def test_return_and_duplicates(world) -> None:
    from tests.docflow.api.conftest import receive_and_register

    clerk = world.api("clerk")
    receive_and_register(world)
    doc_id = clerk.upload(
        "/api/v1/incoming",
        PNG,
        "scan.png",
        subject="Về việc thử nghiệm",
        issuer_name="Sở Nội vụ",
        code_number="15",
        code_notation="SNV-VP",
    ).get_json()["id"]
    response = clerk.post(f"/api/v1/incoming/{doc_id}/register", json={})
    assert response.status_code == 409
    body = response.get_json()
    assert body["error"] == "duplicate" and body["duplicates"][0]["arrival_number"] == 1
    assert (
        clerk.get(f"/api/v1/incoming/{doc_id}").get_json()["status"] == "pending"
    )  # rolled back

    response = clerk.post(
        f"/api/v1/incoming/{doc_id}/return", json={"reason": "Gửi nhầm cơ quan"}
    )
    assert response.status_code == 200
    assert response.get_json()["status"] == "returned"
    # Returned documents can no longer be registered: the service refuses (422), in Vietnamese.
    response = clerk.post(
        f"/api/v1/incoming/{doc_id}/register", json={"confirm_duplicate": True}
    )
    assert response.status_code == 422
    assert (
        response.get_json()["message"] == "Văn bản này không ở trạng thái chờ vào sổ."
    )
