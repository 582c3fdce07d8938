from __future__ import annotations

import re

from docflow.agencies.models import Agency, AgencyLevel
from docflow.auth.models import Role, User
from docflow.extensions import db
from tests.helpers import login


def test_demo_creates_a_province_and_printed_credentials_sign_in(make_app) -> None:
    app = make_app(LOGIN_RATE_LIMIT="100 per minute")  # 17 users sign in from one address
    with app.app_context():
        _check_demo(app)


def _check_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password for every demo user: (\S+)", result.output).group(1)
    province = db.session.scalar(db.select(Agency).where(Agency.code == "000.00.00.H56"))
    assert province.name == "Ủy ban nhân dân tỉnh Thanh Hóa" and len(province.departments) == 3
    children = province.children
    assert sum(c.level == AgencyLevel.COMMUNE for c in children) == 3
    assert sum(c.level == AgencyLevel.PROVINCE for c in children) == 3
    roles = {u.role for u in db.session.scalars(db.select(User).where(User.agency_id == province.id))}
    assert roles == set(Role)
    for username in re.findall(r"^  (\S+)\s+(?:admin|records_officer|leader|department_head|specialist)\s",
                               result.output, re.M):
        client = app.test_client()
        assert login(client, username, password).status_code == 302, username
        assert client.get("/").status_code == 200
    # Running it again is harmless.
    again = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert again.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Agency.id))) == 7
