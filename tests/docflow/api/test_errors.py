"""Errors from /api/ are JSON {"error", "message"} with the right status, never HTML."""

from __future__ import annotations

import pytest

from tests.docflow.api.conftest import PNG, assign_to_specialist, receive_and_register


def _error(response, status: int, code: str) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"] == code and body["message"]
    return body


def test_unknown_routes_methods_and_ids(world) -> None:
    api = world.api("clerk")
    _error(api.get("/api/v1/nothing-here"), 404, "not_found")
    _error(api.get("/api/v1/incoming/999999"), 404, "not_found")
    _error(
        api.client.delete("/api/v1/incoming", headers=api._headers()),
        405,
        "method_not_allowed",
    )
    _error(world.app.test_client().get("/api/v1/nothing-here"), 404, "not_found")


def test_bodies_are_validated_field_by_field(world) -> None:
    doc_id = (
        world.api("clerk").upload("/api/v1/incoming", PNG, "scan.png").get_json()["id"]
    )
    api = world.api("clerk")
    body = _error(
        api.post(
            f"/api/v1/incoming/{doc_id}/register",
            json={
                "issued_date": "05/01/2026",
                "page_count": 0,
                "urgency": "asap",
                "subject": 5,
                "colour": "blue",
                "confirm_duplicate": "maybe",
            },
        ),
        400,
        "validation_error",
    )
    assert set(body["details"]) == {
        "issued_date",
        "page_count",
        "urgency",
        "subject",
        "colour",
        "confirm_duplicate",
    }
    assert body["details"]["issued_date"] == "Cần một ngày theo dạng YYYY-MM-DD."

    _error(
        api.client.post(
            f"/api/v1/incoming/{doc_id}/return",
            data="{not json",
            headers={**api._headers(), "Content-Type": "application/json"},
        ),
        400,
        "invalid_json",
    )
    _error(
        api.post(f"/api/v1/incoming/{doc_id}/return", json=["a list"]),
        400,
        "invalid_json",
    )
    _error(
        api.client.post(
            f"/api/v1/incoming/{doc_id}/return",
            data="reason=x",
            headers={
                **api._headers(),
                "Content-Type": "application/x-www-form-urlencoded",
            },
        ),
        415,
        "unsupported_media_type",
    )
    body = _error(
        api.post(f"/api/v1/incoming/{doc_id}/return", json={}), 400, "validation_error"
    )
    assert body["details"] == {"reason": "Trường này là bắt buộc."}
    body = _error(
        api.get("/api/v1/incoming?tab=nope&per_page=500"), 400, "validation_error"
    )
    assert set(body["details"]) == {"tab", "per_page"}


def test_assignment_targets_are_validated(world) -> None:
    doc_id = receive_and_register(world)
    leader = world.api("leader")
    body = _error(
        leader.post(
            f"/api/v1/incoming/{doc_id}/assign",
            json={
                "lead": {"user_id": 1, "department_id": 1},
                "coordinate": [{"user_id": "x"}],
                "inform": "all",
            },
        ),
        400,
        "validation_error",
    )
    assert set(body["details"]) == {"lead", "coordinate[0]", "inform"}
    # Someone of another agency: the service's rule, 422, and nothing is assigned.
    body = _error(
        leader.post(
            f"/api/v1/incoming/{doc_id}/assign",
            json={"lead": {"user_id": world.users["other_clerk"].id}},
        ),
        422,
        "action_refused",
    )
    assert body["message"] == "Chỉ phân công cho cán bộ và phòng ban của cơ quan."
    past = leader.post(
        f"/api/v1/incoming/{doc_id}/assign",
        json={
            "lead": {"user_id": world.users["specialist"].id},
            "deadline": "2000-01-01",
        },
    )
    _error(past, 422, "action_refused")
    assert leader.get(f"/api/v1/incoming/{doc_id}").get_json()["assignments"] == []


def test_messages_follow_accept_language(world) -> None:
    vi, en = world.api("clerk"), world.api("clerk", lang="en")
    assert _error(vi.get("/api/v1/incoming/999"), 404, "not_found")["message"] == (
        "Không tìm thấy, hoặc bạn không có quyền xem."
    )
    assert (
        _error(en.get("/api/v1/incoming/999"), 404, "not_found")["message"]
        == "Not found, or you cannot see it."
    )
    doc_id = receive_and_register(world)
    body = _error(
        en.post(f"/api/v1/incoming/{doc_id}/comment", json={"text": "x"}),
        422,
        "action_refused",
    )
    assert body["message"] == "This document is not being processed."
    anonymous = world.app.test_client()
    assert anonymous.get(
        "/api/v1/me", headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).get_json()["message"] == ("Missing, invalid, expired or revoked API token.")


def test_uploads_missing_rejected_or_too_large(world) -> None:
    api = world.api("clerk")
    body = _error(
        api.client.post(
            "/api/v1/incoming", data={"subject": "x"}, headers=api._headers()
        ),
        400,
        "validation_error",
    )
    assert body["details"] == {"file": "Hãy chọn tệp."}
    body = _error(
        api.upload("/api/v1/incoming", b"MZ\x90\x00 not a document", "virus.exe"),
        400,
        "validation_error",
    )
    assert "virus.exe" in body["details"]["file"]
    _error(api.upload("/api/v1/incoming", b"", "empty.pdf"), 400, "validation_error")
    world.app.config["MAX_CONTENT_LENGTH"] = 2048
    _error(
        api.upload("/api/v1/incoming", PNG + b"\x00" * 4096, "big.png"),
        413,
        "too_large",
    )


def test_storage_unavailable_is_503_and_saves_nothing(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docflow.documents.models import IncomingDocument
    from docflow.extensions import db
    from storage.errors import StorageUnavailable

    storage = world.app.extensions["docflow.storage"]

    def down(*_a, **_kw):
        raise StorageUnavailable("connection refused")

    monkeypatch.setattr(storage, "put", down)
    _error(
        world.api("clerk").upload("/api/v1/incoming", PNG, "scan.png", subject="x"),
        503,
        "storage_unavailable",
    )
    assert (
        db.session.scalar(db.select(db.func.count()).select_from(IncomingDocument)) == 0
    )


def test_unexpected_errors_are_json_without_details(
    world, monkeypatch: pytest.MonkeyPatch
) -> None:
    from docflow.documents import services

    doc_id = receive_and_register(world)
    assign_to_specialist(world, doc_id)

    def broken(*_a, **_kw):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "comment", broken)
    response = world.api("specialist").post(
        f"/api/v1/incoming/{doc_id}/comment", json={"text": "x"}
    )
    body = _error(response, 500, "server_error")
    assert "secret internals" not in response.get_data(
        as_text=True
    ) and "Traceback" not in str(body)


def test_people_outside_the_agency_are_refused_like_unknown_ones(world) -> None:
    doc_id = (
        world.api("clerk")
        .upload("/api/v1/incoming", PNG, "scan.png", subject="x", issuer_name="y")
        .get_json()["id"]
    )
    clerk = world.api("clerk")
    for leader_id in (
        world.users["other_leader"].id,
        999999,
        world.users["specialist"].id,
    ):
        body = _error(
            clerk.post(
                f"/api/v1/incoming/{doc_id}/register",
                json={"presented_to_id": leader_id},
            ),
            422,
            "action_refused",
        )
        assert body["message"] == "Văn bản phải được trình lãnh đạo của cơ quan."
    registered = receive_and_register(world, code_number="77")
    assign_to_specialist(world, registered)
    specialist = world.api("specialist")
    for user_id in (world.users["other_clerk"].id, 999999):
        _error(
            specialist.post(
                f"/api/v1/incoming/{registered}/forward", json={"user_id": user_id}
            ),
            422,
            "action_refused",
        )


def test_rare_http_errors_still_have_a_message(world) -> None:
    from werkzeug.exceptions import ImATeapot

    from docflow.api.errors import error_response

    with world.app.test_request_context("/api/v1/me"):
        body = error_response(ImATeapot.code).get_json()
    assert body == {"error": "http_418", "message": "Yêu cầu không đúng định dạng."}
