"""The REST API for outgoing documents: draft -> review -> leader's signature -> issue with the
session's SoftHSM keys, who may see and do what, and secret documents that stay on paper."""

# ruff: noqa: F811 - the outgoing fixtures (app, keyed_office) are imported and used by name
from __future__ import annotations

import io
import json
import re
from typing import Any

import pytest

from docflow.api.tokens import create_token
from tests.docflow.api.conftest import Api
from tests.docflow.outgoing.conftest import app, keyed_office  # noqa: F401 - shared fixtures

PAPER_ONLY_VI = "Văn bản mật không được gửi qua mạng: hãy gửi bản giấy."


@pytest.fixture
def office(keyed_office):
    """The outgoing tests' agency: leader and seal keys on the session's SoftHSM token."""
    return keyed_office


@pytest.fixture
def api(app):
    tokens: dict[int, str] = {}

    def for_user(user: Any, lang: str | None = None) -> Api:
        if user.id not in tokens:
            tokens[user.id] = create_token(user, "test")[1]
        return Api(app.test_client(), tokens[user.id], lang)

    return for_user


def _create(
    api,
    office,
    sample_pdf,
    *,
    receiver=None,
    secrecy="none",
    attachment: bytes | None = None,
):
    recipients = {"departments": [office.unit.id], "places": ["Lưu: VT, KT"]}
    if receiver is not None:
        recipients["agencies"] = [receiver.agency.id]
    data: dict[str, Any] = {
        "file": (io.BytesIO(sample_pdf()), "Dự thảo.pdf"),
        "doc_type": "Quyết định",
        "subject": "Về việc ban hành quy chế làm việc",
        "urgency": "urgent",
        "secrecy": secrecy,
        "department_id": str(office.unit.id),
        "recipients": json.dumps(recipients),
    }
    if attachment is not None:
        data["attachments"] = [(io.BytesIO(attachment), "Phụ lục.pdf")]
    specialist = api(office.specialist)
    response = specialist.client.post(
        "/api/v1/outgoing",
        data=data,
        headers=specialist._headers(),
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert response.headers["Location"].endswith(f"/api/v1/outgoing/{body['id']}")
    return body


def _ok(response, status: int = 200) -> dict[str, Any]:
    assert response.status_code == status, response.get_json()
    return response.get_json()


def _refused(response, status: int, error: str) -> dict[str, Any]:
    body = response.get_json()
    assert response.status_code == status, body
    assert body["error"] == error, body
    return body


def test_draft_review_sign_issue_through_the_api(
    office, make_office, api, sample_pdf
) -> None:
    receiver = make_office(code="000.00.51.H56", name="Ủy ban nhân dân xã Nhận")
    attachment = sample_pdf([(250, 770, 13, "PHỤ LỤC")])
    doc = _create(api, office, sample_pdf, receiver=receiver, attachment=attachment)
    url = f"/api/v1/outgoing/{doc['id']}"
    assert doc["status"] == "draft" and doc["versions"][0]["state"] == "ready"
    assert [r["kind"] for r in doc["recipients"]] == ["agency", "department", "place"]
    assert {r["delivery"] for r in doc["recipients"]} == {"not_sent"}
    assert (
        doc["drafted_by"]["id"] == office.specialist.id
        and doc["department"]["id"] == office.unit.id
    )
    specialist, head, leader, clerk = (
        api(office.specialist),
        api(office.head),
        api(office.leader),
        api(office.clerk),
    )
    v1 = specialist.get(doc["versions"][0]["file"]["url"])
    assert v1.status_code == 200 and v1.data.startswith(b"%PDF")

    # Only the drafter submits (403); the chain ends with the signer.
    _refused(
        leader.post(f"{url}/submit", json={"signer_id": office.leader.id}),
        403,
        "forbidden",
    )
    doc = _ok(
        specialist.post(
            f"{url}/submit",
            json={"reviewer_ids": [office.head.id], "signer_id": office.leader.id},
        )
    )
    assert (
        doc["status"] == "in_review" and doc["current_reviewer"]["id"] == office.head.id
    )
    assert [(r["position"], r["reviewer"]["id"]) for r in doc["reviews"]] == [
        (1, office.head.id),
        (2, office.leader.id),
    ]
    assert doc["id"] in [
        d["id"] for d in _ok(head.get("/api/v1/outgoing?tab=to_review"))["items"]
    ]
    _refused(
        leader.post(f"{url}/review", json={"approve": True}), 403, "forbidden"
    )  # not their turn yet
    _refused(
        head.post(f"{url}/review", json={"approve": False}), 422, "action_refused"
    )  # say what to revise
    _ok(
        head.post(f"{url}/review", json={"approve": True, "comment": "Đồng ý trình ký"})
    )
    doc = _ok(leader.post(f"{url}/review", json={"approve": True}))
    assert doc["status"] == "approved" and doc["current_reviewer"] is None

    # The designated leader signs with the server-held key; nobody else may.
    listing = _ok(leader.get("/api/v1/outgoing?tab=to_sign"))
    assert [d["id"] for d in listing["items"]] == [doc["id"]] and listing["counts"][
        "to_sign"
    ] == 1
    _refused(specialist.post(f"{url}/sign"), 403, "forbidden")
    _refused(clerk.post(f"{url}/issue"), 422, "action_refused")  # not signed yet
    doc = _ok(leader.post(f"{url}/sign"))
    assert doc["status"] == "signed" and doc["signed_at"]
    signed = leader.get(doc["files"]["signed"]["url"])
    assert signed.status_code == 200

    # The records officer numbers, seals and delivers it.
    _refused(specialist.post(f"{url}/issue"), 403, "forbidden")
    doc = _ok(clerk.post(f"{url}/issue"))
    assert doc["status"] == "issued" and doc["number_notation"] == "01/QĐ-UBND"
    assert doc["issued_by"]["id"] == office.clerk.id and doc["register"]
    assert {r["kind"]: r["delivery"] for r in doc["recipients"]} == {
        "agency": "delivered",
        "department": "delivered",
        "place": "not_electronic",
    }
    issued = clerk.get(f"{url}/files/issued")
    assert issued.status_code == 200 and issued.data.startswith(
        signed.data
    )  # incremental: signature untouched
    assert issued.headers["Cache-Control"] == "private, no-store"
    att = doc["files"]["attachments"][0]
    assert att["sealed"] and clerk.get(att["url"]).status_code == 200
    assert '"TOTAL-PASSED"' in json.dumps(_ok(clerk.get(url))["signature_report"])
    assert [
        d["id"] for d in _ok(clerk.get("/api/v1/outgoing?tab=issued"))["items"]
    ] == [doc["id"]]
    _refused(specialist.post(f"{url}/send"), 403, "forbidden")
    # The receiving agency on this instance has it waiting to be registered.
    incoming = _ok(api(receiver.clerk).get("/api/v1/incoming?tab=all"))
    assert [d["number_notation"] for d in incoming["items"]] == ["01/QĐ-UBND"]


def test_secret_document_is_never_sent_electronically(
    office, make_office, api, sample_pdf
) -> None:
    receiver = make_office(code="000.00.52.H56")
    doc = _create(api, office, sample_pdf, receiver=receiver, secrecy="secret")
    url = f"/api/v1/outgoing/{doc['id']}"
    _ok(
        api(office.specialist).post(
            f"{url}/submit", json={"signer_id": office.leader.id}
        )
    )
    _ok(api(office.leader).post(f"{url}/review", json={"approve": True}))
    _ok(api(office.leader).post(f"{url}/sign", json={}))
    doc = _ok(api(office.clerk).post(f"{url}/issue"))
    assert doc["status"] == "issued" and doc["number_notation"] == "01/QĐ-UBND"
    assert {r["delivery"] for r in doc["recipients"]} == {"not_electronic"}
    body = _refused(api(office.clerk).post(f"{url}/send"), 422, "action_refused")
    assert body["message"] == PAPER_ONLY_VI
    english = api(office.clerk, "en").post(f"{url}/send").get_json()
    assert (
        english["message"]
        == "Secret documents are never sent electronically: send them on paper."
    )
    # The head of the drafting unit sees the secret document exists, not its content.
    head = api(office.head)
    seen = _ok(head.get(url))
    assert seen["content_available"] is False and seen["files"] is None
    assert all(v["file"] is None for v in seen["versions"])
    for kind in ("issued", "signed", "v1"):
        _refused(head.get(f"{url}/files/{kind}"), 404, "not_found")
    assert _ok(api(receiver.clerk).get("/api/v1/incoming?tab=all"))["total"] == 0


def _outgoing_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/outgoing/<int:outgoing_id>"):
            routes += [
                (m, rule.rule) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})
            ]
    return routes


def _call(
    api: Api, method: str, rule: str, doc_id: int, sample_pdf, ids: dict[str, int]
):
    path = rule.replace("<int:outgoing_id>", str(doc_id)).replace("<kind>", "v1")
    if method == "GET":
        return api.get(path)
    if path.endswith("/versions"):
        return api.upload(path, sample_pdf(), "v2.pdf")
    # Bodies that would be valid for an insider: refusal must come from the rules, not validation.
    bodies = {
        "submit": {"reviewer_ids": [ids["head"]], "signer_id": ids["leader"]},
        "review": {"approve": True},
        "sign": {},
        "issue": {},
        "send": {},
        "recall": {"reason": "Gửi nhầm"},
        "revoke": {"reason": "Sai thẩm quyền"},
        "update": {"reason": "Sửa", "subject": "Về việc khác"},
        "replaces": {"replaces_id": None},
    }
    return api.post(path, json=bodies[path.rsplit("/", 1)[-1]])


def test_outsiders_get_404_on_every_outgoing_route(
    app, office, make_office, api, sample_pdf
) -> None:
    other = make_office(code="000.00.53.H56", name="Ủy ban nhân dân tỉnh Khác")
    doc = _create(api, office, sample_pdf)
    ids = {"head": office.head.id, "leader": office.leader.id}
    routes = _outgoing_routes(app)
    assert {r for _m, r in routes} >= {
        f"/api/v1/outgoing/<int:outgoing_id>{s}"
        for s in (
            "",
            "/files/<kind>",
            "/versions",
            "/submit",
            "/review",
            "/sign",
            "/issue",
            "/send",
            "/recall",
            "/revoke",
            "/update",
            "/changes",
            "/replaces",
        )
    }
    # Another agency's people, a colleague not on the document, the agency's administrator.
    outsiders = [
        other.clerk,
        other.leader,
        other.specialist,
        office.other_specialist,
        office.admin,
    ]
    for user in outsiders:
        client = api(user)
        for method, rule in routes:
            response = _call(client, method, rule, doc["id"], sample_pdf, ids)
            assert response.status_code == 404, (
                user.username,
                method,
                rule,
                response.get_json(),
            )
            assert response.get_json()["error"] == "not_found"
        listing = _ok(client.get("/api/v1/outgoing?tab=all"))
        assert listing["total"] == 0 and listing["counts"]["all"] == 0
    # A missing document is the same 404; the drafter reads everything.
    _refused(api(office.specialist).get("/api/v1/outgoing/999999"), 404, "not_found")
    for method, rule in routes:
        if method == "GET":
            assert (
                _call(
                    api(office.specialist), method, rule, doc["id"], sample_pdf, ids
                ).status_code
                == 200
            ), rule
    # Nothing happened to the document.
    assert (
        _ok(api(office.specialist).get(f"/api/v1/outgoing/{doc['id']}"))["status"]
        == "draft"
    )


def test_validation_and_state_errors(office, api, sample_pdf) -> None:
    specialist = api(office.specialist)
    _refused(specialist.get("/api/v1/outgoing?tab=nope"), 400, "validation_error")
    body = _refused(
        specialist.post(
            "/api/v1/outgoing",
            data={"subject": "x"},
            content_type="multipart/form-data",
        ),
        400,
        "validation_error",
    )
    assert set(body["details"]) == {"doc_type"}
    body = _refused(
        specialist.upload(
            "/api/v1/outgoing",
            sample_pdf(),
            "d.pdf",
            doc_type="Quyết định",
            subject="Về việc",
            recipients='{"agencies": ["x"], "other": 1}',
        ),
        400,
        "validation_error",
    )
    assert set(body["details"]) == {"recipients.agencies[0]", "recipients.other"}
    _refused(
        specialist.upload(
            "/api/v1/outgoing",
            sample_pdf(),
            "d.pdf",
            doc_type="Quyết định",
            subject="x",
            recipients='{"agencies": [999999]}',
        ),
        422,
        "action_refused",
    )
    _refused(
        specialist.upload(
            "/api/v1/outgoing",
            b"not a pdf",
            "d.txt",
            doc_type="Quyết định",
            subject="x",
        ),
        400,
        "validation_error",
    )
    doc = _create(api, office, sample_pdf)
    url = f"/api/v1/outgoing/{doc['id']}"
    _refused(
        api(office.head).post(f"{url}/review", json={"approve": True}),
        422,
        "action_refused",
    )
    _refused(
        specialist.post(f"{url}/submit", json={"signer_id": office.head.id}),
        422,
        "action_refused",
    )
    _refused(
        specialist.post(
            f"{url}/submit", json={"reviewer_ids": "1", "signer_id": office.leader.id}
        ),
        400,
        "validation_error",
    )
    _refused(
        specialist.post(f"{url}/sign", json={"pin": "1234"}), 400, "validation_error"
    )
    _refused(
        specialist.post(f"{url}/submit", data="x", content_type="text/plain"),
        415,
        "unsupported_media_type",
    )
    _refused(specialist.get(f"{url}/files/issued"), 404, "not_found")
    _refused(specialist.get(f"{url}/files/zzz"), 404, "not_found")
    # A returned draft takes a new version from its drafter only.
    _ok(
        specialist.post(
            f"{url}/submit",
            json={"reviewer_ids": [office.head.id], "signer_id": office.leader.id},
        )
    )
    _refused(
        specialist.upload(f"{url}/versions", sample_pdf(), "v2.pdf"),
        422,
        "action_refused",
    )
    _ok(
        api(office.head).post(
            f"{url}/review", json={"approve": False, "comment": "Sửa trích yếu"}
        )
    )
    _refused(
        api(office.head).upload(f"{url}/versions", sample_pdf(), "v2.pdf"),
        403,
        "forbidden",
    )
    doc = _ok(
        specialist.upload(
            f"{url}/versions",
            sample_pdf([(60, 700, 11, "Bản sửa")]),
            "v2.pdf",
            note="Đã sửa",
        ),
        201,
    )
    assert doc["status"] == "draft" and [v["number"] for v in doc["versions"]] == [1, 2]
    assert doc["versions"][1]["note"] == "Đã sửa"
    assert re.fullmatch(
        r"/api/v1/outgoing/\d+/files/v2", doc["versions"][1]["file"]["url"]
    )
