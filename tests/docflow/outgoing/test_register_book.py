"""The outgoing register (Sổ đăng ký văn bản đi): rows, period, access, PDF, audit."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import unicodedata
from datetime import UTC, date, datetime
from typing import Any

import pytest

from docflow.audit.models import AuditEntry
from docflow.audit.services import verify_chain
from docflow.documents.register_pdf import Period
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.files.models import StoredFile
from docflow.outgoing import register_book as book
from docflow.outgoing.models import (
    DeliveryState,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingRegister,
    OutgoingStatus,
    Recipient,
    RecipientKind,
)
from docflow.timeutil import VN_TZ
from tests.helpers import login

SUBJECT = "Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ năm 2026"
FEB = {"from": "2026-02-01", "to": "2026-02-28"}
URL = "/outgoing/register-book"


@pytest.fixture
def app(make_app):
    """No keys needed here: rows are written directly, as the issue step leaves them."""
    app = make_app()
    with app.app_context():
        yield app


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as the naive UTC value the database stores."""
    return (
        datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


def registers(office) -> tuple[OutgoingRegister, OutgoingRegister]:
    found = {r.is_secret: r for r in book.registers_of(office.agency.id)}
    if len(found) < 2:
        for secret, name in ((False, "Sổ văn bản đi"), (True, "Sổ văn bản đi mật")):
            if secret not in found:
                found[secret] = OutgoingRegister(
                    agency_id=office.agency.id, name=name, is_secret=secret
                )
                db.session.add(found[secret])
        db.session.commit()
    return found[False], found[True]


def add_issued(
    office,
    number: int,
    issued: datetime,
    *,
    secret: bool = False,
    recipients=None,
    **kw: Any,
) -> OutgoingDocument:
    ordinary, secret_register = registers(office)
    values = {
        "doc_type": "Quyết định",
        "subject": f"{SUBJECT} (số {number})",
        "notation": "QĐ-UBND",
        "secrecy": Secrecy.SECRET if secret else Secrecy.NONE,
    }
    values.update(kw)
    doc = OutgoingDocument(
        agency_id=office.agency.id,
        status=OutgoingStatus.ISSUED,
        department_id=office.unit.id,
        drafted_by_id=office.specialist.id,
        signer_id=office.leader.id,
        register_id=(secret_register if secret else ordinary).id,
        year=issued.year,
        number=number,
        issued_at=issued,
        issued_by_id=office.clerk.id,
        **values,
    )
    db.session.add(doc)
    db.session.flush()
    for name, kind, delivered in recipients if recipients is not None else ():
        db.session.add(
            Recipient(
                document_id=doc.id,
                kind=kind,
                name=name,
                delivery=DeliveryState.DELIVERED
                if delivered
                else DeliveryState.NOT_ELECTRONIC,
                delivered_at=delivered,
            )
        )
    db.session.commit()
    return doc


def client_for(app: Any, user: Any) -> Any:
    client = app.test_client()
    login(client, user.username)
    return client


def numbers(html: str) -> list[int]:
    return [int(n) for n in re.findall(r'data-number="(\d+)"', html)]


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
def test_rows_have_the_ten_columns_in_number_order(office) -> None:
    receiver = [
        ("Ủy ban nhân dân xã Quảng Phú", RecipientKind.AGENCY, vn(2026, 2, 3, 23, 30)),
        ("Phòng Kinh tế", RecipientKind.DEPARTMENT, vn(2026, 2, 3, 10)),
        ("Như trên", RecipientKind.PLACE, None),
        ("Lưu: VT, KT", RecipientKind.PLACE, None),
    ]
    second = add_issued(
        office,
        2,
        vn(2026, 2, 5),
        doc_type="Công văn",
        notation="UBND-KT",
        urgency=Urgency.FLASH,
    )
    first = add_issued(office, 1, vn(2026, 2, 3, 8, 15), recipients=receiver)
    db.session.add(OutgoingAttachment(document_id=second.id, file_id=_file(office).id))
    db.session.commit()

    rows = book.book_rows(
        registers(office)[0], Period(date(2026, 2, 1), date(2026, 2, 28))
    )

    assert [r.document_id for r in rows] == [first.id, second.id]
    assert rows[0].cells() == [
        "01/QĐ-UBND",
        "03/02/2026",
        f"Quyết định – {SUBJECT} (số 1)",
        "Trần Đức Hùng",
        "Ủy ban nhân dân xã Quảng Phú; Phòng Kinh tế; Như trên",
        "Lưu: VT, KT",
        "4",
        "03/02/2026",  # the first delivery, in Vietnam time
        "",
        "",
    ]
    # Without a "Lưu" line the file copy stays with Văn thư and the drafting unit.
    assert (
        rows[1].cells()[0] == "02/UBND-KT"
        and rows[1].cells()[5] == "Văn thư, Phòng Kinh tế"
    )
    assert (
        rows[1].cells()[6:8] == ["0", ""]
        and rows[1].cells()[9] == "Hỏa tốc, 1 tệp kèm theo"
    )


def _file(office) -> StoredFile:
    stored = StoredFile(
        key=f"test/{office.agency.id}",
        size=1,
        sha256="0" * 64,
        media_type="application/pdf",
        original_name="Phụ lục.pdf",
        agency_id=office.agency.id,
    )
    db.session.add(stored)
    db.session.commit()
    return stored


def test_only_issued_documents_of_the_period_are_listed(app, office) -> None:
    add_issued(office, 1, vn(2026, 1, 31, 23, 30))  # still January in Vietnam
    add_issued(office, 2, vn(2026, 2, 1, 0, 30))  # 31/01 in UTC, 1 February in Vietnam
    add_issued(office, 3, vn(2026, 2, 28, 23, 59))
    add_issued(office, 4, vn(2026, 3, 1, 0, 1))
    draft = OutgoingDocument(
        agency_id=office.agency.id,
        doc_type="Quyết định",
        subject="Dự thảo",
        drafted_by_id=office.specialist.id,
        status=OutgoingStatus.SIGNED,
    )
    db.session.add(draft)
    db.session.commit()
    client = client_for(app, office.clerk)
    assert numbers(client.get(URL, query_string=FEB).get_data(as_text=True)) == [2, 3]
    one_day = {"from": "01/02/2026", "to": "01/02/2026"}  # typed by hand
    assert numbers(client.get(URL, query_string=one_day).get_data(as_text=True)) == [2]


def test_page_shows_the_form_columns_in_vietnamese(app, office) -> None:
    for number in (2, 3, 1):
        add_issued(office, number, vn(2026, 2, number))
    html = (
        client_for(app, office.leader).get(URL, query_string=FEB).get_data(as_text=True)
    )
    assert numbers(html) == [1, 2, 3]
    headings = [
        "Số, ký hiệu",
        "Ngày tháng văn bản",
        "Tên loại và trích yếu nội dung",
        "Người ký",
        "Nơi nhận",
        "Đơn vị, người nhận bản lưu",
        "Số lượng bản",
        "Ngày chuyển",
        "Ký nhận",
        "Ghi chú",
    ]
    positions = [html.index(f"<th>{h}") for h in headings]
    assert positions == sorted(positions)
    assert (
        "Sổ đăng ký văn bản đi" in html
        and "Sổ văn bản đi" in html
        and "Tải bản PDF" in html
    )
    assert re.search(r'<a href="/outgoing/\d+">Quyết định – ', html)


def test_default_period_is_the_current_month_and_bad_periods_are_refused(
    app, office
) -> None:
    from docflow.documents.deadlines import today

    month = Period.month_of(today())
    add_issued(office, 1, vn(month.start.year, month.start.month, 1, 12))
    client = client_for(app, office.clerk)
    html = client.get(URL).get_data(as_text=True)
    assert numbers(html) == [1]
    assert (
        f'value="{month.start.isoformat()}"' in html
        and f'value="{month.end.isoformat()}"' in html
    )
    response = client.get(URL, query_string={"from": "2026-03-01", "to": "2026-02-01"})
    assert response.status_code == 400
    assert "Ngày kết thúc đứng trước ngày bắt đầu." in response.get_data(as_text=True)
    response = client.get(URL, query_string={"from": "31/31/2026", "format": "pdf"})
    assert response.status_code == 400 and 'value="31/31/2026"' in response.get_data(
        as_text=True
    )


def test_secret_register_numbers_apart_and_shows_no_links(app, office) -> None:
    add_issued(office, 1, vn(2026, 2, 2))
    add_issued(office, 2, vn(2026, 2, 3))
    add_issued(
        office,
        1,
        vn(2026, 2, 4),
        secret=True,
        subject="Kế hoạch bảo vệ bí mật nhà nước",
    )
    ordinary, secret = registers(office)
    client = client_for(app, office.clerk)
    assert numbers(
        client.get(URL, query_string=dict(FEB, register=ordinary.id)).get_data(
            as_text=True
        )
    ) == [1, 2]
    html = client.get(URL, query_string=dict(FEB, register=secret.id)).get_data(
        as_text=True
    )
    assert (
        numbers(html) == [1]
        and "Kế hoạch bảo vệ bí mật nhà nước" in html
        and "Tối mật" in html
    )
    assert '<a href="/outgoing/' not in html.split("<tbody>")[1]


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("who", ["specialist", "head", "admin"])
def test_other_roles_are_refused(app, office, who) -> None:
    client = client_for(app, getattr(office, who))
    assert client.get(URL).status_code == 403
    assert client.get(URL, query_string={"format": "pdf"}).status_code == 403
    assert "register-book" not in client.get("/outgoing/").get_data(as_text=True)


def test_anonymous_users_go_to_login(app, office) -> None:
    response = app.test_client().get(URL)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registers_of_another_agency_answer_404(app, office, make_office) -> None:
    other = make_office(code="000.00.77.H56", name="Sở Nội vụ tỉnh Nghệ An")
    add_issued(other, 1, vn(2026, 2, 2))
    theirs = registers(other)
    mine = registers(office)[0]
    client = client_for(app, office.leader)
    for register_id in (theirs[0].id, theirs[1].id, 999_999, "abc"):
        for fmt in ("html", "pdf"):
            response = client.get(
                URL, query_string={"register": register_id, "format": fmt}
            )
            assert response.status_code == 404, (register_id, fmt)
    page = client.get(URL).get_data(as_text=True)
    assert f'value="{theirs[0].id}"' not in page and f'value="{mine.id}"' in page


def test_no_register_yet_says_so(app, office) -> None:
    html = client_for(app, office.clerk).get(URL).get_data(as_text=True)
    assert "Cơ quan chưa có sổ văn bản đi" in html


def test_outgoing_list_links_to_the_register_for_clerks_and_leaders(
    app, office
) -> None:
    for user in (office.clerk, office.leader):
        assert URL in client_for(app, user).get("/outgoing/").get_data(as_text=True)


# ---------------------------------------------------------------- PDF and audit
def test_pdf_has_the_form_vietnamese_text_and_page_numbers(
    app, office, tmp_path
) -> None:
    places = [
        ("Sở Tài nguyên và Môi trường", RecipientKind.AGENCY, vn(2026, 2, 2)),
        ("Lưu: VT, KT", RecipientKind.PLACE, None),
    ]
    for number in range(1, 41):
        add_issued(office, number, vn(2026, 2, 1 + number % 27), recipients=places)
    add_issued(
        office,
        41,
        vn(2026, 2, 27),
        subject="Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”",
    )
    response = client_for(app, office.clerk).get(
        URL, query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    assert "so-van-ban-di-" in response.headers["Content-Disposition"]

    text = pdftotext(response.data, tmp_path)

    assert unicodedata.is_normalized("NFC", text)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    assert (
        "Sổ đăng ký văn bản đi" in pages[0]
        and "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in pages[0]
    )
    assert (
        "Sổ văn bản đi — Năm 2026" in pages[0]
        and "Từ ngày 01/02/2026 đến ngày 28/02/2026" in pages[0]
    )
    flat = " ".join(text.split())
    # Long subjects wrap beside other cells: check a part that fits on one line.
    assert (
        "Về việc triển khai chuyển đổi số" in flat
        and "Sở Tài nguyên và Môi trường" in flat
        and "07/QĐ-UBND" in flat
    )
    assert "Trần Đức Hùng" in flat and "Lưu: VT, KT" in flat
    assert "Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”" in flat
    for n, page in enumerate(
        pages, start=1
    ):  # the header repeats; every page is numbered
        page = " ".join(page.split())
        assert (
            "Tên loại và trích yếu nội dung" in page
            and "Đơn vị, người nhận bản lưu" in page
        ), n
        assert f"Trang {n}/{len(pages)}" in page


def test_pdf_fonts_are_embedded_and_an_empty_period_says_so(
    app, office, tmp_path
) -> None:
    registers(office)
    data = book.render_pdf(
        "Ủy ban nhân dân xã Quảng Phú",
        "Sổ văn bản đi",
        Period(date(2026, 2, 1), date(2026, 2, 28)),
        [],
    )
    fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", data))
    assert fonts and all(b"DejaVu" in f for f in fonts), fonts
    assert b"/FontFile2" in data
    assert "Không có văn bản đi trong thời gian này." in pdftotext(data, tmp_path)


def test_export_is_audited(app, office) -> None:
    add_issued(office, 1, vn(2026, 2, 2))
    add_issued(office, 1, vn(2026, 2, 3), secret=True)
    secret = registers(office)[1]
    client = client_for(app, office.leader)
    client.get(URL, query_string=FEB)
    assert (
        db.session.query(AuditEntry)
        .filter_by(action="outgoing.register_book.export")
        .count()
        == 0
    )

    response = client.get(URL, query_string=dict(FEB, register=secret.id, format="pdf"))
    assert response.status_code == 200

    entry = (
        db.session.query(AuditEntry)
        .filter_by(action="outgoing.register_book.export")
        .one()
    )
    assert (entry.actor_id, entry.agency_id) == (office.leader.id, office.agency.id)
    assert (entry.object_type, entry.object_id) == ("outgoing_register", str(secret.id))
    assert json.loads(entry.details) == {
        "format": "pdf",
        "start": "2026-02-01",
        "end": "2026-02-28",
        "rows": 1,
        "secret": True,
    }
    assert verify_chain().ok


def test_too_large_exports_ask_for_a_shorter_period(app, office, monkeypatch) -> None:
    monkeypatch.setattr(book, "MAX_PDF_ROWS", 2)
    for number in (1, 2, 3):
        add_issued(office, number, vn(2026, 2, number))
    response = client_for(app, office.clerk).get(
        URL, query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 400 and "hơn 2 văn bản" in response.get_data(
        as_text=True
    )
    assert (
        db.session.query(AuditEntry)
        .filter_by(action="outgoing.register_book.export")
        .count()
        == 0
    )
