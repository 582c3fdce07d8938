"""Fixtures for search inside docflow: the office of tests/docflow/documents, PDFs with a
real text layer, and helpers that drive a document through its workflow."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from tests.search.pdfgen import text_pdf

# Own office fixtures (same shape as the documents tests'), so these tests do not depend
# on where the other domains keep theirs.
METADATA = {
    "issuer_name": "Bộ Nội vụ",
    "issuer_code": "000.00.00.G09",
    "code_number": "15",
    "code_notation": "QĐ-BNV",
    "doc_type": "Quyết định",
    "subject": "Về việc tổ chức bộ máy chính quyền địa phương hai cấp",
    "signer_name": "Nguyễn Văn A",
    "signer_position": "Thứ trưởng",
}


@dataclass
class Office:
    agency: Any
    unit: Any
    clerk: Any
    leader: Any
    head: Any
    specialist: Any
    other_specialist: Any


@pytest.fixture
def make_office(app, create_agency, create_user):
    from docflow.agencies.models import Department
    from docflow.auth.models import Role
    from docflow.extensions import db

    counter = iter(range(1, 50))

    def factory(code: str | None = None, name: str = "Ủy ban nhân dân tỉnh Thử nghiệm") -> Office:
        n = next(counter)
        agency = create_agency(code=code, name=name)
        unit = Department(agency_id=agency.id, name="Phòng Kinh tế", short_name="KT")
        other_unit = Department(agency_id=agency.id, name="Phòng Văn hóa - Xã hội", short_name="VX")
        db.session.add_all([unit, other_unit])
        db.session.commit()
        return Office(
            agency=agency, unit=unit,
            clerk=create_user(agency, f"vanthu{n}", Role.RECORDS_OFFICER),
            leader=create_user(agency, f"lanhdao{n}", Role.LEADER),
            head=create_user(agency, f"truongphong{n}", Role.DEPARTMENT_HEAD, department_id=unit.id),
            specialist=create_user(agency, f"chuyenvien{n}", Role.SPECIALIST, department_id=unit.id),
            other_specialist=create_user(agency, f"chuyenvienkhac{n}", Role.SPECIALIST, department_id=other_unit.id),
        )

    return factory


@pytest.fixture
def office(make_office) -> Office:
    return make_office()


@pytest.fixture
def app(make_app):
    # OCR is a per-deployment choice (auto = only with workers); these tests need text PDFs only.
    app = make_app(SEARCH_OCR="off")
    with app.app_context():
        yield app


@pytest.fixture
def pdf(tmp_path: Path):
    counter = iter(range(1000))

    def make(*lines: str) -> bytes:
        return text_pdf(list(lines), tmp_path / f"doc{next(counter)}.pdf").read_bytes()

    return make


@pytest.fixture
def registered(office, pdf):
    """Factory: a received and registered document of ``office`` (or another office)."""
    from docflow.documents import services as s

    def make(text: str = "Nội dung văn bản", who=None, **meta):
        who = who or office
        values = dict(METADATA, issued_date=date(2024, 3, 15), **meta)
        doc = s.receive(who.clerk, io.BytesIO(pdf(text)), "van-ban.pdf")
        return s.register(who.clerk, doc, values, presented_to=who.leader, confirm_duplicate=True)

    return make


@pytest.fixture
def assign_to():
    """assign_to(office, doc, user=... | department=...): the leader's assignment."""
    from docflow.documents import services as s

    def assign(office, doc, user=None, department=None):
        target = s.Target(user_id=user.id) if user is not None else s.Target(department_id=department.id)
        return s.assign(office.leader, doc, s.AssignmentPlan(lead=target))

    return assign
