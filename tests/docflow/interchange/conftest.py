"""Interchange fixtures: issued outgoing documents without the signing ceremony, and a second
docflow instance (its own app and SQLite database) reachable through a test transport."""

from __future__ import annotations

import io
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any

import pytest

from docflow.extensions import db
from docflow.files.services import store_file
from docflow.interchange.models import Peer
from docflow.interchange.transport import Reply, Transport, TransportError
from docflow.outgoing import services as outgoing
from docflow.outgoing.models import (
    OutgoingDocument,
    OutgoingStatus,
    Recipient,
    RecipientKind,
)
from docflow.timeutil import to_local, utcnow
from tests.docflow.office import make_pdf

SECRET_ENV = "DOCFLOW_TEST_INTERCHANGE_SECRET"  # noqa: S105 - a variable name


@pytest.fixture
def issue_document():
    """Factory: an issued outgoing document of ``office`` to ``agencies``, delivered (committed)."""
    counter = iter(range(1, 100))

    def factory(
        office: Any,
        agencies: list[Any],
        subject: str = "Về việc tổ chức hội nghị",
        **kw: Any,
    ):
        n = next(counter)
        pdf = store_file(
            io.BytesIO(make_pdf(f"Công văn {n}")),
            original_name="cv.pdf",
            agency_id=office.agency.id,
            uploaded_by_id=office.clerk.id,
        )
        doc = OutgoingDocument(
            agency_id=office.agency.id,
            doc_type="Công văn",
            subject=subject,
            drafted_by_id=office.specialist.id,
            signer_id=office.leader.id,
            status=OutgoingStatus.ISSUED,
            number=n,
            notation="UBND-KT",
            year=to_local(utcnow()).year,
            issued_at=utcnow(),
            issued_by_id=office.clerk.id,
            issued_file_id=pdf.id,
            **kw,
        )
        db.session.add(doc)
        db.session.flush()
        for agency in agencies:
            db.session.add(
                Recipient(
                    document_id=doc.id,
                    kind=RecipientKind.AGENCY,
                    agency_id=agency.id,
                    name=agency.name,
                )
            )
        db.session.flush()
        db.session.refresh(doc)
        outgoing._deliver(office.clerk, doc)
        db.session.commit()
        return doc

    return factory


class ClientTransport(Transport):
    """Posts to apps in this process through their test clients; ``down`` bases are unreachable."""

    def __init__(self) -> None:
        self.routes: dict[str, Any] = {}
        self.down: set[str] = set()
        self.lose_replies: dict[
            str, int
        ] = {}  #: base -> requests processed whose reply is then lost
        self.posts: list[str] = []

    def post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float = 30
    ) -> Reply:
        for base, app in self.routes.items():
            if url.startswith(base):
                self.posts.append(url)
                if base in self.down:
                    raise TransportError(f"connection refused: {base}")
                resp = app.test_client().post(
                    url[len(base) :],
                    data=body,
                    headers=headers,
                    content_type="application/xml",
                )
                if self.lose_replies.get(base):
                    self.lose_replies[base] -= 1
                    raise TransportError("connection reset while reading the reply")
                return Reply(resp.status_code, resp.get_data(), dict(resp.headers))
        raise TransportError(f"no route to {url}")


@dataclass
class Pair:
    """Instance A (the test's app) and instance B with one office each, each the other's peer.

    Both peer rows accept unsealed document packets (``seal_required=False``).
    """

    app_a: Any
    app_b: Any
    office_a: Any
    office_b: Any  #: ids in instance B: agency_id, clerk_id, leader_id
    transport: ClientTransport

    def in_b(self):  # noqa: ANN201 - a context manager
        return self.app_b.app_context()


@pytest.fixture
def peer_config() -> dict[str, Any]:
    """Extra settings of instance B (a module overrides it, e.g. with trust roots)."""
    return {}


@pytest.fixture
def pair(app, make_office, tmp_path, monkeypatch, peer_config) -> Pair:
    from docflow import create_app
    from docflow.agencies.models import Agency, AgencyLevel
    from docflow.cli import upgrade_database
    from tests.conftest import IsolatedClient, base_config

    monkeypatch.setenv(SECRET_ENV, "a-shared-secret-of-32-characters")
    transport = ClientTransport()
    office_a = make_office(code="000.00.60.H56", name="Ủy ban nhân dân tỉnh A")
    b_dir = tmp_path / "instance-b"
    app_b = create_app(
        base_config(
            b_dir,
            SQLALCHEMY_DATABASE_URI=f"sqlite:///{b_dir / 'docflow.db'}",
            **peer_config,
        ),
        instance_path=str(b_dir / "instance"),
    )
    app_b.test_client_class = IsolatedClient
    transport.routes = {"http://a.test": app, "http://b.test": app_b}
    app.extensions["docflow.interchange.transport"] = transport
    app_b.extensions["docflow.interchange.transport"] = transport
    # A's directory: agency B is served by instance B.
    remote_b = Agency(
        code="000.00.70.H56",
        name="Ủy ban nhân dân xã B",
        short_name="UBND",
        level=AgencyLevel.COMMUNE,
    )
    db.session.add_all(
        [
            remote_b,
            Peer(
                agency_code=remote_b.code,
                endpoint="http://b.test",
                secret_env=SECRET_ENV,
                seal_required=False,  # most tests send unsealed packets
            ),
        ]
    )
    db.session.commit()
    # Objects of one app's session must not be touched inside the other app's context.
    a_code, a_name, b_code = office_a.agency.code, office_a.agency.name, remote_b.code
    with app_b.app_context():
        upgrade_database()
        office_b = _office_in_b(b_code)
        remote_a = Agency(
            code=a_code, name=a_name, short_name="UBND", level=AgencyLevel.PROVINCE
        )
        db.session.add_all(
            [
                remote_a,
                Peer(
                    agency_code=remote_a.code,
                    endpoint="http://a.test",
                    secret_env=SECRET_ENV,
                    seal_required=False,  # test_peer_trust.py turns it on
                ),
            ]
        )
        db.session.commit()
    return Pair(app, app_b, office_a, office_b, transport)


def _office_in_b(code: str) -> Any:
    """An agency with a records officer and a leader in instance B (the current app context)."""
    from docflow.agencies.models import Agency, AgencyLevel, Department
    from docflow.auth.models import Role, User
    from docflow.auth.passwords import hash_password

    agency = Agency(
        code=code,
        name="Ủy ban nhân dân xã B",
        short_name="UBND",
        level=AgencyLevel.COMMUNE,
    )
    db.session.add(agency)
    db.session.flush()
    unit = Department(agency_id=agency.id, name="Văn phòng", short_name="VP")
    db.session.add(unit)
    db.session.flush()
    users = {}
    for username, role in (
        ("vanthu_b", Role.RECORDS_OFFICER),
        ("lanhdao_b", Role.LEADER),
    ):
        users[role] = User(
            agency_id=agency.id,
            username=username,
            role=role,
            full_name=username,
            password_hash=hash_password("x" * 12),
            department_id=unit.id,
        )
        db.session.add(users[role])
    db.session.commit()
    # Ids only: B's objects would be detached once B's app context ends.
    return SimpleNamespace(
        agency_id=agency.id,
        clerk_id=users[Role.RECORDS_OFFICER].id,
        leader_id=users[Role.LEADER].id,
    )
