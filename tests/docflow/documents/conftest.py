"""Fixtures for incoming documents: an agency with one user per role and a PDF factory."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

import pytest

from docflow.agencies.models import Department
from docflow.auth.models import Role
from docflow.extensions import db


def make_pdf(text: str = "Công văn số 15") -> bytes:
    """A small valid one-page PDF (pikepdf), different for each text."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@dataclass
class Office:
    agency: Any
    unit: Any
    clerk: Any
    leader: Any
    head: Any
    specialist: Any
    other_specialist: Any
    admin: Any


@pytest.fixture
def make_office(app, create_agency, create_user):
    counter = iter(range(1, 50))

    def factory(code: str | None = None, name: str = "Ủy ban nhân dân tỉnh Thử nghiệm") -> Office:
        n = next(counter)
        agency = create_agency(code=code, name=name)
        unit = Department(agency_id=agency.id, name="Phòng Kinh tế", short_name="KT")
        other_unit = Department(agency_id=agency.id, name="Phòng Văn hóa - Xã hội", short_name="VX")
        db.session.add_all([unit, other_unit])
        db.session.commit()
        return Office(
            agency=agency,
            unit=unit,
            clerk=create_user(agency, f"vanthu{n}", Role.RECORDS_OFFICER, full_name="Lê Thị Thư"),
            leader=create_user(agency, f"lanhdao{n}", Role.LEADER, full_name="Trần Đức Hùng", position="Phó Chủ tịch"),
            head=create_user(agency, f"truongphong{n}", Role.DEPARTMENT_HEAD, department_id=unit.id,
                             full_name="Phạm Thị Hằng"),
            specialist=create_user(agency, f"chuyenvien{n}", Role.SPECIALIST, department_id=unit.id,
                                   full_name="Đỗ Minh Tuấn"),
            other_specialist=create_user(agency, f"chuyenvien_khac{n}", Role.SPECIALIST,
                                         department_id=other_unit.id, full_name="Vũ Văn Khác"),
            admin=create_user(agency, f"quantri{n}", Role.ADMIN, full_name="Quản Trị"),
        )

    return factory


@pytest.fixture
def office(make_office) -> Office:
    return make_office()


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
