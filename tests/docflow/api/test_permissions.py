"""Every /api/v1/ route against people who must not see or act on a document.

Routes are taken from the url_map, so a new route is checked without editing this test.
"""

from __future__ import annotations

import re
from datetime import date, timedelta

from tests.docflow.api.conftest import PNG, assign_to_specialist, receive_and_register


def _document_routes(app) -> list[tuple[str, str]]:
    routes = []
    for rule in app.url_map.iter_rules():
        if rule.rule.startswith("/api/v1/") and "<int:doc_id>" in rule.rule:
            routes += [
                (m, rule.rule) for m in sorted(rule.methods - {"HEAD", "OPTIONS"})
            ]
    return routes


def _call(api, method: str, rule: str, ids: dict[str, int]):
    path = re.sub(r"<int:(\w+)>", lambda m: str(ids[m.group(1)]), rule)
    if method == "GET":
        return api.get(path)
    if rule.endswith("/attach"):
        return api.upload(path, PNG, "scan.png")
    # Bodies that would be valid for an insider: refusal must come from the rules, not validation.
    bodies = {
        "register": {"confirm_duplicate": True},
        "return": {"reason": "Nhầm"},
        "assign": {"lead": {"user_id": ids["specialist"]}},
        "comment": {"text": "Ý kiến"},
        "forward": {"user_id": ids["bystander"]},
        "extension": {
            "new_deadline": (date.today() + timedelta(days=40)).isoformat(),
            "reason": "Thêm thời gian",
        },
        "decide": {"grant": True},
        "complete": {"result": "Xong"},
    }
    return api.post(path, json=bodies[rule.rsplit("/", 1)[-1]])


def _setup(world) -> dict[str, int]:
    doc_id = receive_and_register(world)
    assign_to_specialist(world, doc_id)
    specialist = world.api("specialist")
    attachment = specialist.upload(
        f"/api/v1/incoming/{doc_id}/attach", PNG, "scan.png"
    ).get_json()
    new_deadline = (date.today() + timedelta(days=20)).isoformat()
    req = specialist.post(
        f"/api/v1/incoming/{doc_id}/extension",
        json={"new_deadline": new_deadline, "reason": "Chờ"},
    )
    assert req.status_code == 201
    return {
        "doc_id": doc_id,
        "attachment_id": attachment["files"]["attachments"][0]["id"],
        "req_id": req.get_json()["id"],
        "specialist": world.users["specialist"].id,
        "bystander": world.users["bystander"].id,
    }


def test_outsiders_get_404_on_every_document_route(world) -> None:
    ids = _setup(world)
    routes = _document_routes(world.app)
    assert len(routes) >= 12
    for who in ("other_clerk", "other_leader", "bystander"):
        api = world.api(who)
        for method, rule in routes:
            response = _call(api, method, rule, ids)
            assert response.status_code == 404, (who, method, rule, response.get_json())
            assert response.get_json()["error"] == "not_found"
        listing = api.get("/api/v1/incoming?tab=all").get_json()
        assert ids["doc_id"] not in [d["id"] for d in listing["items"]]
        assert listing["counts"]["all"] == 0
    # The same reads work for the people handling it: the 404s above are about who asks.
    specialist = world.api("specialist")
    for method, rule in routes:
        if method == "GET":
            assert _call(specialist, method, rule, ids).status_code == 200, rule


def test_insiders_with_the_wrong_role_get_403(world) -> None:
    ids = _setup(world)
    doc = f"/api/v1/incoming/{ids['doc_id']}"
    specialist, clerk, head = (
        world.api("specialist"),
        world.api("clerk"),
        world.api("head"),
    )
    checks = [
        (specialist, "register", {"confirm_duplicate": True}),
        (specialist, "return", {"reason": "Nhầm"}),
        (specialist, "assign", {"lead": {"user_id": ids["specialist"]}}),
        (specialist, f"extension/{ids['req_id']}/decide", {"grant": True}),
        (clerk, "assign", {"lead": {"user_id": ids["specialist"]}}),
        (clerk, f"extension/{ids['req_id']}/decide", {"grant": False}),
        (clerk, "complete", {"result": "Xong"}),
        (clerk, "forward", {"user_id": ids["bystander"]}),
        (
            head,
            "extension",
            {
                "new_deadline": (date.today() + timedelta(days=40)).isoformat(),
                "reason": "x",
            },
        ),
    ]
    for api, action, body in checks:
        response = api.post(f"{doc}/{action}", json=body)
        assert response.status_code == 403, (action, response.get_json())
        assert response.get_json()["error"] == "forbidden"
    upload = specialist.upload("/api/v1/incoming", PNG, "scan.png", subject="x")
    assert upload.status_code == 403 and upload.get_json()["error"] == "forbidden"
    # Nothing changed.
    assert clerk.get(doc).get_json()["status"] == "in_progress"


def test_other_agency_receives_into_its_own_agency(world) -> None:
    other = world.api("other_clerk")
    response = other.upload(
        "/api/v1/incoming", PNG, "scan.png", subject="Của tỉnh khác"
    )
    assert response.status_code == 201
    doc_id = response.get_json()["id"]
    assert world.api("clerk").get(f"/api/v1/incoming/{doc_id}").status_code == 404
    assert [d["id"] for d in other.get("/api/v1/incoming").get_json()["items"]] == [
        doc_id
    ]


def test_secret_document_content_only_for_named_people(world) -> None:
    doc_id = receive_and_register(world, secrecy="confidential")
    assign_to_specialist(world, doc_id)
    path = f"/api/v1/incoming/{doc_id}"
    attach = world.api("specialist").upload(f"{path}/attach", PNG, "mat.png")
    attachment_url = attach.get_json()["files"]["attachments"][0]["url"]
    # Named: the registering clerk, the leader it was presented to, the lead handler.
    for who in ("clerk", "leader", "specialist"):
        api = world.api(who)
        body = api.get(path).get_json()
        assert (
            body["content_available"] is True
            and body["files"]["main"]["url"] == f"{path}/file"
        )
        assert api.get(f"{path}/file").status_code == 200
        assert api.get(attachment_url).status_code == 200
    # They see the record (agency-wide roles, the specialist's head) but not the content.
    for who in ("clerk2", "leader2", "head"):
        api = world.api(who)
        body = api.get(path).get_json()
        assert body["secrecy"] == "confidential"
        assert body["content_available"] is False and body["files"] is None
        assert api.get(f"{path}/file").status_code == 404
        assert api.get(attachment_url).status_code == 404


def test_attachment_of_another_document_is_404(world) -> None:
    ids = _setup(world)
    second = receive_and_register(world, code_number="16")
    clerk = world.api("clerk")
    assert (
        clerk.get(
            f"/api/v1/incoming/{second}/attachments/{ids['attachment_id']}"
        ).status_code
        == 404
    )
    assert (
        clerk.get(
            f"/api/v1/incoming/{ids['doc_id']}/attachments/{ids['attachment_id']}"
        ).status_code
        == 200
    )
    leader = world.api("leader")
    response = leader.post(
        f"/api/v1/incoming/{second}/extension/{ids['req_id']}/decide",
        json={"grant": True},
    )
    assert response.status_code == 404
