from __future__ import annotations

import re

from docflow.agencies.models import Agency, AgencyLevel
from docflow.auth.models import Role, User
from docflow.extensions import db
from tests.helpers import login


def test_demo_creates_a_province_and_printed_credentials_sign_in(make_app) -> None:
    app = make_app(
        LOGIN_RATE_LIMIT="100 per minute"
    )  # 17 users sign in from one address
    with app.app_context():
        _check_demo(app)


def _check_demo(app) -> None:
    result = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert result.exit_code == 0, result.output
    password = re.search(r"Password for every demo user: (\S+)", result.output).group(1)
    province = db.session.scalar(
        db.select(Agency).where(Agency.code == "000.00.00.H56")
    )
    assert (
        province.name == "Ủy ban nhân dân tỉnh Thanh Hóa"
        and len(province.departments) == 3
    )
    children = province.children
    assert sum(c.level == AgencyLevel.COMMUNE for c in children) == 3
    assert sum(c.level == AgencyLevel.PROVINCE for c in children) == 3
    roles = {
        u.role
        for u in db.session.scalars(
            db.select(User).where(User.agency_id == province.id)
        )
    }
    assert roles == set(Role)
    for username in re.findall(
        r"^  (\S+)\s+(?:admin|records_officer|leader|department_head|specialist)\s",
        result.output,
        re.M,
    ):
        client = app.test_client()
        assert login(client, username, password).status_code == 302, username
        assert client.get("/").status_code == 200
    # Running it again is harmless.
    again = app.test_cli_runner().invoke(args=["demo", "--no-serve"])
    assert again.exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Agency.id))) == 7


def test_demo_keys_let_the_outgoing_flow_run(make_app) -> None:
    import io

    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.outgoing import services as s
    from docflow.outgoing.models import OutgoingStatus
    from tests.docflow.office import make_pdf

    app = make_app()
    with app.app_context():
        assert app.test_cli_runner().invoke(args=["demo", "--no-serve"]).exit_code == 0
        users = {u.username: u for u in db.session.scalars(db.select(User))}
        drafter, leader, clerk = users["chuyenvien"], users["lanhdao"], users["vanthu"]
        values = s.DraftValues(
            doc_type="Quyết định",
            subject="Thử quy trình văn bản đi trong bản demo",
            urgency=Urgency.NORMAL,
            secrecy=Secrecy.NONE,
        )
        doc = s.create_draft(
            drafter, values, io.BytesIO(make_pdf("demo")), "du-thao.pdf"
        )
        s.submit(drafter, doc, [], leader.id)
        s.review(leader, doc, True)
        s.sign(leader, doc)
        s.issue(clerk, doc)
        assert (
            doc.status == OutgoingStatus.ISSUED and doc.number_notation == "01/QĐ-UBND"
        )
