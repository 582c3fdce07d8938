"""Fixtures for dossiers: an agency with one user per role and registered incoming documents.

Self-contained on purpose (the shared office fixtures are being reorganised); these
override any parent fixture of the same name inside this folder only.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import date
from typing import Any

import pytest

from docflow.agencies.models import Department
from docflow.auth.models import Role
from docflow.extensions import db

METADATA = {
    "issuer_name": "Bộ Nội vụ",
    "issuer_code": "000.00.00.G09",
    "code_notation": "QĐ-BNV",
    "doc_type": "Quyết định",
    "signer_name": "Nguyễn Văn A",
    "signer_position": "Thứ trưởng",
}


def make_pdf(text: str) -> bytes:
    """A small valid one-page PDF, different for each text."""
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

    def factory() -> Office:
        n = next(counter)
        agency = create_agency()
        unit = Department(agency_id=agency.id, name="Phòng Kinh tế", short_name="KT")
        other_unit = Department(agency_id=agency.id, name="Phòng Văn hóa - Xã hội", short_name="VX")
        db.session.add_all([unit, other_unit])
        db.session.commit()
        return Office(
            agency=agency,
            unit=unit,
            clerk=create_user(agency, f"hs_vanthu{n}", Role.RECORDS_OFFICER, full_name="Lê Thị Thư"),
            leader=create_user(agency, f"hs_lanhdao{n}", Role.LEADER, full_name="Trần Đức Hùng"),
            head=create_user(agency, f"hs_truongphong{n}", Role.DEPARTMENT_HEAD, department_id=unit.id,
                             full_name="Phạm Thị Hằng"),
            specialist=create_user(agency, f"hs_chuyenvien{n}", Role.SPECIALIST, department_id=unit.id,
                                   full_name="Đỗ Minh Tuấn"),
            other_specialist=create_user(agency, f"hs_chuyenvien_khac{n}", Role.SPECIALIST,
                                         department_id=other_unit.id, full_name="Vũ Văn Khác"),
            admin=create_user(agency, f"hs_quantri{n}", Role.ADMIN, full_name="Quản Trị"),
        )

    return factory


@pytest.fixture
def office(make_office) -> Office:
    return make_office()


@pytest.fixture
def make_incoming(app):
    """Factory: a registered incoming document (optionally secret, optionally assigned)."""
    from docflow.documents import services as s
    from docflow.documents.vocab import Secrecy

    counter = iter(range(100, 999))

    def factory(office: Office, *, issued: date, subject: str | None = None, secret: bool = False,
                present: bool = True, lead: Any = None) -> Any:
        n = next(counter)
        meta = dict(METADATA, code_number=str(n), subject=subject or f"Văn bản số {n}", issued_date=issued,
                    page_count=2, secrecy=Secrecy.CONFIDENTIAL if secret else Secrecy.NONE)
        doc = s.receive(office.clerk, io.BytesIO(make_pdf(f"Văn bản {n}")), f"van-ban-{n}.pdf")
        s.register(office.clerk, doc, meta, presented_to=office.leader if present else None)
        if lead is not None:
            s.assign(office.leader, doc, s.AssignmentPlan(lead=s.Target(user_id=lead.id)))
        return doc

    return factory
