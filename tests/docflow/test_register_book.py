"""The incoming register (Sổ đăng ký văn bản đến): rows, period, access, PDF, audit."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import unicodedata
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from docflow.agencies.models import Department
from docflow.audit.models import AuditEntry
from docflow.audit.services import verify_chain
from docflow.auth.models import Role
from docflow.documents import register_book as book
from docflow.documents import services
from docflow.documents.deadlines import today
from docflow.documents.models import (
    Assignment,
    AssignmentRole,
    IncomingDocument,
    IncomingRegister,
    IncomingStatus,
)
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.timeutil import VN_TZ
from tests.helpers import login

SUBJECT = "Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ năm 2026"
FEB = {"from": "2026-02-01", "to": "2026-02-28"}


@dataclass
class Office:
    agency: Any
    unit: Any
    clerk: Any
    leader: Any
    head: Any
    specialist: Any
    admin: Any
    register: Any
    secret_register: Any


@pytest.fixture
def make_office(create_agency, create_user):
    counter = iter(range(1, 50))

    def factory(name: str = "Ủy ban nhân dân tỉnh Thanh Hóa") -> Office:
        n = next(counter)
        agency = create_agency(name=name)
        unit = Department(agency_id=agency.id, name="Phòng Kinh tế", short_name="KT")
        registers = [
            IncomingRegister(agency_id=agency.id, name="Sổ văn bản đến"),
            IncomingRegister(
                agency_id=agency.id, name="Sổ văn bản đến mật", is_secret=True
            ),
        ]
        db.session.add_all([unit, *registers])
        db.session.commit()
        return Office(
            agency=agency,
            unit=unit,
            clerk=create_user(
                agency, f"vanthu{n}", Role.RECORDS_OFFICER, full_name="Lê Thị Thư"
            ),
            leader=create_user(
                agency, f"lanhdao{n}", Role.LEADER, full_name="Trần Đức Hùng"
            ),
            head=create_user(
                agency, f"truongphong{n}", Role.DEPARTMENT_HEAD, department_id=unit.id
            ),
            specialist=create_user(
                agency,
                f"chuyenvien{n}",
                Role.SPECIALIST,
                department_id=unit.id,
                full_name="Đỗ Minh Tuấn",
            ),
            admin=create_user(agency, f"quantri{n}", Role.ADMIN),
            register=registers[0],
            secret_register=registers[1],
        )

    return factory


@pytest.fixture
def office(make_office) -> Office:
    return make_office()


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as the naive UTC value the database stores."""
    return (
        datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


def add_doc(
    office: Office, number: int, arrived: datetime, register: Any = None, **kw: Any
) -> IncomingDocument:
    register = register or office.register
    values = {
        "issuer_name": "Bộ Nội vụ",
        "code_number": str(number),
        "code_notation": "QĐ-BNV",
        "doc_type": "Quyết định",
        "subject": f"{SUBJECT} (số {number})",
        "issued_date": date(2026, 1, 5),
        "status": IncomingStatus.REGISTERED,
    }
    values.update(kw)
    doc = IncomingDocument(
        agency_id=office.agency.id,
        register_id=register.id,
        arrival_year=arrived.year,
        arrival_number=number,
        arrival_date=arrived,
        received_at=arrived,
        registered_by_id=office.clerk.id,
        **values,
    )
    db.session.add(doc)
    db.session.commit()
    return doc


def client_for(app: Any, user: Any) -> Any:
    client = app.test_client()
    login(client, user.username)
    return client


def arrival_numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-arrival="(\d+)"', html)]


def pdftotext(data: bytes, tmp_path: Any) -> str:
    if shutil.which("pdftotext") is None:
        if os.environ.get("DOCFLOW_TEST_REQUIRE_SERVERS") == "1":
            pytest.fail(
                "pdftotext is missing: scripts/install-system-packages.sh installs it"
            )
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "book.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603 - fixed arguments
        ["pdftotext", "-enc", "UTF-8", str(path), "-"],  # noqa: S607
        capture_output=True,
        check=True,
        text=True,
    ).stdout


# ---------------------------------------------------------------- rows
def test_rows_have_the_ten_columns_in_arrival_number_order(office) -> None:
    third = add_doc(office, 3, vn(2026, 2, 10), urgency=Urgency.URGENT, page_count=4)
    first = add_doc(office, 1, vn(2026, 2, 2, 8, 15))
    second = add_doc(
        office, 2, vn(2026, 2, 3), presented_to_id=office.leader.id, issued_date=None
    )
    for role, target in (
        (AssignmentRole.LEAD, {"user_id": office.specialist.id}),
        (AssignmentRole.COORDINATE, {"department_id": office.unit.id}),
        (AssignmentRole.INFORM, {"user_id": office.leader.id}),
    ):
        db.session.add(
            Assignment(
                document_id=first.id,
                role=role,
                assigned_by_id=office.leader.id,
                created_at=vn(2026, 2, 4, 23, 30),
                **target,
            )
        )
    # A replaced assignment is history: not printed.
    db.session.add(
        Assignment(
            document_id=first.id,
            role=AssignmentRole.LEAD,
            user_id=office.head.id,
            assigned_by_id=office.leader.id,
            active=False,
            created_at=vn(2026, 2, 3),
        )
    )
    db.session.commit()

    rows = book.book_rows(
        office.register, book.Period(date(2026, 2, 1), date(2026, 2, 28))
    )

    assert [r.document_id for r in rows] == [first.id, second.id, third.id]
    assert rows[0].cells() == [
        "02/02/2026",
        "1",
        "Bộ Nội vụ",
        "1/QĐ-BNV",
        "05/01/2026",
        f"Quyết định – {SUBJECT} (số 1)",
        "Đỗ Minh Tuấn (chủ trì); Phòng Kinh tế (phối hợp); Trần Đức Hùng (để biết)",
        "04/02/2026",
        "",
        "",
    ]
    # Not assigned yet: the leader it was presented to, no transfer date; no issue date.
    assert rows[1].cells()[4] == "" and rows[1].cells()[6:8] == [
        "Trần Đức Hùng (trình lãnh đạo)",
        "",
    ]
    assert rows[2].cells()[9] == "Khẩn, 4 trang"


def test_page_shows_columns_and_rows_in_order(app, office) -> None:
    for number in (2, 3, 1):
        add_doc(office, number, vn(2026, 2, number))
    html = (
        client_for(app, office.clerk)
        .get("/incoming/register-book", query_string=FEB)
        .get_data(as_text=True)
    )
    assert arrival_numbers(html) == [1, 2, 3]
    headings = [
        "Ngày đến",
        "Số đến",
        "Tác giả (cơ quan ban hành)",
        "Số, ký hiệu",
        "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung",
        "Đơn vị hoặc người nhận",
        "Ngày chuyển",
        "Ký nhận",
        "Ghi chú",
    ]
    positions = [html.index(f"<th>{h}") for h in headings]
    assert positions == sorted(positions)
    assert f"{SUBJECT} (số 1)" in html and "Sổ văn bản đến" in html


def test_period_filter_uses_vietnam_calendar_days(app, office) -> None:
    add_doc(office, 1, vn(2026, 1, 31, 23, 30))  # 16:30 UTC on 31/01: January
    add_doc(
        office, 2, vn(2026, 2, 1, 0, 30)
    )  # 17:30 UTC on 31/01, but 1 February in Vietnam
    add_doc(office, 3, vn(2026, 2, 28, 23, 59))
    add_doc(office, 4, vn(2026, 3, 1, 0, 1))
    client = client_for(app, office.clerk)
    assert arrival_numbers(
        client.get("/incoming/register-book", query_string=FEB).get_data(as_text=True)
    ) == [2, 3]
    one_day = {"from": "01/02/2026", "to": "01/02/2026"}  # typed by hand
    assert arrival_numbers(
        client.get("/incoming/register-book", query_string=one_day).get_data(
            as_text=True
        )
    ) == [2]


def test_default_period_is_the_current_month(app, office) -> None:
    now = datetime.now(UTC).replace(tzinfo=None)
    add_doc(office, 1, now - timedelta(days=70))
    add_doc(office, 2, now)
    html = (
        client_for(app, office.leader)
        .get("/incoming/register-book")
        .get_data(as_text=True)
    )
    assert arrival_numbers(html) == [2]
    month = book.Period.month_of(today())
    assert (
        f'value="{month.start.isoformat()}"' in html
        and f'value="{month.end.isoformat()}"' in html
    )


def test_bad_periods_are_refused_next_to_the_field(app, office) -> None:
    client = client_for(app, office.clerk)
    response = client.get(
        "/incoming/register-book",
        query_string={"from": "2026-03-01", "to": "2026-02-01"},
    )
    assert response.status_code == 400
    assert "Ngày kết thúc đứng trước ngày bắt đầu." in response.get_data(as_text=True)
    response = client.get(
        "/incoming/register-book", query_string={"from": "31/31/2026"}
    )
    assert response.status_code == 400 and 'value="31/31/2026"' in response.get_data(
        as_text=True
    )
    response = client.get(
        "/incoming/register-book",
        query_string={"from": "2025-01-01", "to": "2026-02-01"},
    )
    assert response.status_code == 400


def _pdf_bytes() -> bytes:
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    out = io.BytesIO()
    pdf.save(out)
    return out.getvalue()


def test_secret_register_numbers_apart_and_shows_metadata_only(app, office) -> None:
    """Registered through the service: secret documents get their own numbers."""
    meta = {
        "issuer_name": "Bộ Công an",
        "code_notation": "CV-BCA",
        "subject": "Tình hình an ninh trật tự",
    }
    for number, secrecy in (
        ("11", Secrecy.NONE),
        ("12", Secrecy.CONFIDENTIAL),
        ("13", Secrecy.NONE),
    ):
        doc = services.receive(office.clerk, io.BytesIO(_pdf_bytes()), "van-ban.pdf")
        services.register(
            office.clerk, doc, dict(meta, code_number=number, secrecy=secrecy)
        )
    registers = {r.is_secret: r for r in book.registers_of(office.agency.id)}
    client = client_for(app, office.clerk)

    ordinary = client.get(
        "/incoming/register-book", query_string={"register": registers[False].id}
    )
    secret = client.get(
        "/incoming/register-book", query_string={"register": registers[True].id}
    )

    assert arrival_numbers(ordinary.get_data(as_text=True)) == [1, 2]
    html = secret.get_data(as_text=True)
    assert arrival_numbers(html) == [1]
    assert "12/CV-BCA" in html and "Mật" in html
    assert (
        "/incoming/" + str(doc.id) not in html
        and '<a href="/incoming/' not in html.split("<tbody>")[1]
    )


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("who", ["specialist", "head", "admin"])
def test_other_roles_are_refused(app, office, who) -> None:
    client = client_for(app, getattr(office, who))
    assert client.get("/incoming/register-book").status_code == 403
    assert (
        client.get(
            "/incoming/register-book", query_string={"format": "pdf"}
        ).status_code
        == 403
    )
    assert "register-book" not in client.get("/incoming/").get_data(as_text=True)


def test_anonymous_users_go_to_login(app, office) -> None:
    response = app.test_client().get("/incoming/register-book")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registers_of_another_agency_answer_404(app, office, make_office) -> None:
    other = make_office(name="Sở Nội vụ tỉnh Nghệ An")
    add_doc(other, 1, vn(2026, 2, 2))
    client = client_for(app, office.leader)
    for register_id in (other.register.id, other.secret_register.id, 999_999, "abc"):
        for fmt in ("html", "pdf"):
            response = client.get(
                "/incoming/register-book",
                query_string={"register": register_id, "format": fmt},
            )
            assert response.status_code == 404
    page = client.get("/incoming/register-book").get_data(as_text=True)
    assert (
        f'value="{other.register.id}"' not in page
        and f'value="{office.register.id}"' in page
    )


def test_inbox_links_to_the_register_for_clerks_and_leaders(app, office) -> None:
    for user in (office.clerk, office.leader):
        assert "/incoming/register-book" in client_for(app, user).get(
            "/incoming/"
        ).get_data(as_text=True)


# ---------------------------------------------------------------- PDF and audit
def test_pdf_has_the_form_vietnamese_text_and_page_numbers(
    app, office, tmp_path
) -> None:
    for number in range(1, 41):
        add_doc(
            office,
            number,
            vn(2026, 2, 1 + number % 27),
            issuer_name="Sở Tài nguyên và Môi trường",
        )
    add_doc(
        office,
        41,
        vn(2026, 2, 27),
        subject="Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”",
    )
    response = client_for(app, office.clerk).get(
        "/incoming/register-book", query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]

    text = pdftotext(response.data, tmp_path)

    assert unicodedata.is_normalized("NFC", text)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    assert (
        "Sổ đăng ký văn bản đến" in pages[0]
        and "ỦY BAN NHÂN DÂN TỈNH THANH HÓA" in pages[0]
    )
    assert (
        "Sổ văn bản đến — Năm 2026" in pages[0]
        and "Từ ngày 01/02/2026 đến ngày 28/02/2026" in pages[0]
    )
    flat = " ".join(text.split())
    assert f"{SUBJECT} (số 7)" in flat and "Sở Tài nguyên và Môi trường" in flat
    assert "Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”" in flat
    for n, page in enumerate(
        pages, start=1
    ):  # the header repeats; every page is numbered
        page = " ".join(page.split())
        assert (
            "Tên loại và trích yếu nội dung" in page
            and "Đơn vị hoặc người nhận" in page
        )
        assert f"Trang {n}/{len(pages)}" in page


def test_pdf_fonts_are_embedded(app, office) -> None:
    add_doc(office, 1, vn(2026, 2, 2))
    data = book.render_pdf(
        "Ủy ban nhân dân xã Quảng Phú",
        "Sổ văn bản đến",
        book.Period(date(2026, 2, 1), date(2026, 2, 28)),
        book.book_rows(
            office.register, book.Period(date(2026, 2, 1), date(2026, 2, 28))
        ),
    )
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", data))
    assert fonts and all(b"DejaVu" in f for f in fonts), fonts
    assert b"/FontFile2" in data


def test_export_is_audited(app, office) -> None:
    add_doc(office, 1, vn(2026, 2, 2))
    add_doc(office, 2, vn(2026, 2, 3))
    client = client_for(app, office.leader)
    client.get("/incoming/register-book", query_string=FEB)
    assert (
        db.session.query(AuditEntry)
        .filter_by(action="incoming.register_book.export")
        .count()
        == 0
    )

    assert (
        client.get(
            "/incoming/register-book", query_string=dict(FEB, format="pdf")
        ).status_code
        == 200
    )

    entry = (
        db.session.query(AuditEntry)
        .filter_by(action="incoming.register_book.export")
        .one()
    )
    assert (entry.actor_id, entry.agency_id) == (office.leader.id, office.agency.id)
    assert (entry.object_type, entry.object_id) == (
        "incoming_register",
        str(office.register.id),
    )
    assert json.loads(entry.details) == {
        "format": "pdf",
        "start": "2026-02-01",
        "end": "2026-02-28",
        "rows": 2,
        "secret": False,
    }
    assert verify_chain().ok


def test_too_large_exports_ask_for_a_shorter_period(app, office, monkeypatch) -> None:
    monkeypatch.setattr(book, "MAX_PDF_ROWS", 2)
    for number in (1, 2, 3):
        add_doc(office, number, vn(2026, 2, number))
    response = client_for(app, office.clerk).get(
        "/incoming/register-book", query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 400 and "hơn 2 văn bản" in response.get_data(
        as_text=True
    )
    assert (
        db.session.query(AuditEntry)
        .filter_by(action="incoming.register_book.export")
        .count()
        == 0
    )
