"""Fixtures shared by docflow's domain tests: an agency with one user per role."""

from __future__ import annotations

import pytest

from docflow.agencies.models import Department
from docflow.auth.models import Role
from docflow.extensions import db
from tests.docflow.office import Office


@pytest.fixture
def make_office(app, create_agency, create_user):
    counter = iter(range(1, 50))

    def factory(
        code: str | None = None, name: str = "Ủy ban nhân dân tỉnh Thử nghiệm"
    ) -> Office:
        n = next(counter)
        agency = create_agency(code=code, name=name)
        unit = Department(agency_id=agency.id, name="Phòng Kinh tế", short_name="KT")
        other_unit = Department(
            agency_id=agency.id, name="Phòng Văn hóa - Xã hội", short_name="VX"
        )
        db.session.add_all([unit, other_unit])
        db.session.commit()
        return Office(
            agency=agency,
            unit=unit,
            clerk=create_user(
                agency, f"vanthu{n}", Role.RECORDS_OFFICER, full_name="Lê Thị Thư"
            ),
            leader=create_user(
                agency,
                f"lanhdao{n}",
                Role.LEADER,
                full_name="Trần Đức Hùng",
                position="Phó Chủ tịch",
            ),
            head=create_user(
                agency,
                f"truongphong{n}",
                Role.DEPARTMENT_HEAD,
                department_id=unit.id,
                full_name="Phạm Thị Hằng",
            ),
            specialist=create_user(
                agency,
                f"chuyenvien{n}",
                Role.SPECIALIST,
                department_id=unit.id,
                full_name="Đỗ Minh Tuấn",
            ),
            other_specialist=create_user(
                agency,
                f"chuyenvien_khac{n}",
                Role.SPECIALIST,
                department_id=other_unit.id,
                full_name="Vũ Văn Khác",
            ),
            admin=create_user(agency, f"quantri{n}", Role.ADMIN, full_name="Quản Trị"),
        )

    return factory


@pytest.fixture
def office(make_office) -> Office:
    return make_office()
