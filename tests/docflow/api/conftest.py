"""Fixtures of the API tests: two agencies with one user per role, each with a token."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from typing import Any

import pytest

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
#: A "scan": no signature validation job runs for images, which keeps most tests fast.
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


class Api:
    """A test client that sends a bearer token (and Accept-Language) with every request."""

    def __init__(self, client: Any, token: str | None, lang: str | None = None) -> None:
        self.client, self.token, self.lang = client, token, lang

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = {"Authorization": f"Bearer {self.token}"} if self.token else {}
        if self.lang:
            headers["Accept-Language"] = self.lang
        return {**headers, **(extra or {})}

    def get(self, path: str, **kw: Any) -> Any:
        return self.client.get(
            path, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def post(self, path: str, json: Any = None, **kw: Any) -> Any:
        if json is not None:
            kw["json"] = json
        return self.client.post(
            path, headers=self._headers(kw.pop("headers", None)), **kw
        )

    def upload(
        self, path: str, data: bytes = PDF, name: str = "cong-van.pdf", **fields: Any
    ) -> Any:
        import io

        form = {"file": (io.BytesIO(data), name), **fields}
        return self.client.post(
            path, data=form, headers=self._headers(), content_type="multipart/form-data"
        )


@dataclass
class World:
    app: Any
    users: dict[str, Any] = field(default_factory=dict)
    tokens: dict[str, str] = field(default_factory=dict)
    agency: Any = None
    other_agency: Any = None
    department: Any = None

    def api(self, who: str, lang: str | None = None) -> Api:
        return Api(self.app.test_client(), self.tokens[who], lang)


@functools.cache
def _password_hash() -> str:
    # One argon2 hash for every API test user: hashing costs ~0.5 s on a busy machine.
    from docflow.auth.passwords import hash_password
    from tests.helpers import PASSWORD

    return hash_password(PASSWORD)


@pytest.fixture
def world(app: Any, create_agency: Any) -> World:
    from docflow.agencies.models import Department
    from docflow.api.tokens import create_token
    from docflow.auth.models import Role, User
    from docflow.extensions import db

    agency = create_agency()
    other = create_agency(name="Ủy ban nhân dân tỉnh Khác")
    dept = Department(agency_id=agency.id, name="Phòng Tổng hợp")
    db.session.add(dept)
    db.session.commit()
    w = World(app=app, agency=agency, other_agency=other, department=dept)
    people = {
        "clerk": (agency, Role.RECORDS_OFFICER, {}),
        "leader": (agency, Role.LEADER, {}),
        "head": (agency, Role.DEPARTMENT_HEAD, {"department_id": dept.id}),
        "specialist": (agency, Role.SPECIALIST, {"department_id": dept.id}),
        "bystander": (agency, Role.SPECIALIST, {}),
        "clerk2": (agency, Role.RECORDS_OFFICER, {}),
        "leader2": (agency, Role.LEADER, {}),
        "other_clerk": (other, Role.RECORDS_OFFICER, {}),
        "other_leader": (other, Role.LEADER, {}),
    }
    for name, (ag, role, kw) in people.items():
        user = User(
            username=name,
            full_name=f"Người {name}",
            agency_id=ag.id,
            role=role,
            password_hash=_password_hash(),
            **kw,
        )
        db.session.add(user)
        db.session.commit()
        w.users[name] = user
        _row, w.tokens[name] = create_token(user, f"token {name}")
    return w


def receive_and_register(world: World, **metadata: Any) -> int:
    """A document received and registered by the clerk; its id."""
    clerk = world.api("clerk")
    response = clerk.upload(
        "/api/v1/incoming",
        PNG,
        "scan.png",
        subject="Về việc thử nghiệm",
        issuer_name="Sở Nội vụ",
        code_number=metadata.pop("code_number", "15"),
        code_notation="SNV-VP",
        **metadata,
    )
    assert response.status_code == 201, response.get_json()
    doc_id = response.get_json()["id"]
    response = clerk.post(
        f"/api/v1/incoming/{doc_id}/register",
        json={"presented_to_id": world.users["leader"].id, "confirm_duplicate": True},
    )
    assert response.status_code == 200, response.get_json()
    return doc_id


def assign_to_specialist(world: World, doc_id: int) -> None:
    response = world.api("leader").post(
        f"/api/v1/incoming/{doc_id}/assign",
        json={
            "lead": {"user_id": world.users["specialist"].id},
            "instruction": "Đề nghị xử lý",
        },
    )
    assert response.status_code == 200, response.get_json()
