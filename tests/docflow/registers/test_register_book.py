"""The registers (Sổ đăng ký văn bản đến / đi): rows, period, access, PDF, audit.

What both registers do is tested once for each kind (the ``kind`` fixture); the rows of
each, which differ in every column, are tested apart.
"""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest

from docflow.audit.models import AuditEntry
from docflow.audit.services import verify_chain
from docflow.documents import services as incoming_services
from docflow.documents.models import (
    Assignment,
    AssignmentRole,
    IncomingDocument,
    IncomingStatus,
)
from docflow.documents.register_book import BOOK as INCOMING_BOOK
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.files.models import StoredFile
from docflow.outgoing import services as outgoing_services
from docflow.outgoing.models import (
    DeliveryState,
    OutgoingAttachment,
    OutgoingDocument,
    OutgoingStatus,
    Recipient,
    RecipientKind,
)
from docflow.outgoing.register_book import BOOK as OUTGOING_BOOK
from docflow.registers import book as registers_book
from docflow.registers.book import RegisterBook
from docflow.registers.pdf import Period
from docflow.timeutil import VN_TZ, to_local, utcnow
from tests.docflow.office import make_pdf
from tests.helpers import login

SUBJECT = "Về việc triển khai chuyển đổi số trong công tác văn thư, lưu trữ năm 2026"
FEB = {"from": "2026-02-01", "to": "2026-02-28"}
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as the naive UTC value the database stores."""
    return (
        datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


# ---------------------------------------------------------------- documents
def add_incoming(
    office, number: int, arrived: datetime, *, secret: bool = False, **kw: Any
) -> IncomingDocument:
    """A document registered with arrival number ``number``, as registering leaves it."""
    register = incoming_services.default_register(office.agency.id, secret)
    values = {
        "issuer_name": "Bộ Nội vụ",
        "code_number": str(number),
        "code_notation": "QĐ-BNV",
        "doc_type": "Quyết định",
        "subject": f"{SUBJECT} (số {number})",
        "issued_date": date(2026, 1, 5),
        "status": IncomingStatus.REGISTERED,
        "secrecy": Secrecy.SECRET if secret else Secrecy.NONE,
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


def add_received(office, when: datetime) -> None:
    """A document received but not registered yet: in no register."""
    db.session.add(
        IncomingDocument(
            agency_id=office.agency.id,
            status=IncomingStatus.PENDING,
            received_at=when,
            subject="Chưa vào sổ",
        )
    )
    db.session.commit()


def add_outgoing(
    office,
    number: int,
    issued: datetime,
    *,
    secret: bool = False,
    recipients=(),
    **kw: Any,
) -> OutgoingDocument:
    """A document issued with number ``number``, as the issue step leaves it."""
    register = outgoing_services.default_register(office.agency.id, secret)
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
        register_id=register.id,
        year=issued.year,
        number=number,
        issued_at=issued,
        issued_by_id=office.clerk.id,
        **values,
    )
    db.session.add(doc)
    db.session.flush()
    for name, kind, delivered in recipients:
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


def add_draft(office, when: datetime) -> None:
    """A signed draft, not issued yet: in no register."""
    db.session.add(
        OutgoingDocument(
            agency_id=office.agency.id,
            doc_type="Quyết định",
            subject="Dự thảo",
            drafted_by_id=office.specialist.id,
            status=OutgoingStatus.SIGNED,
            created_at=when,
        )
    )
    db.session.commit()


# ---------------------------------------------------------------- the two kinds
@dataclass(frozen=True)
class Kind:
    """One register as its tests see it."""

    name: str
    book: RegisterBook
    #: The register page and the list page linking to it.
    url: str
    list_url: str
    #: add(office, number, when, *, secret=False, **columns) -> a document in the book.
    add: Callable[..., Any]
    #: unlisted(office, when): a document of the agency that is in no register yet.
    unlisted: Callable[[Any, datetime], None]
    #: The attribute of each row holding its register number.
    row_attribute: str
    #: The default registers' names, the printed title, the PDF's file name.
    register_name: str
    title: str
    pdf_name: str
    #: The headings on screen (Vietnamese), in order.
    headings: list[str]
    #: For the PDF test: what ``add`` gets, and what the PDF must then print.
    pdf_fill: dict[str, Any] = field(default_factory=dict)
    printed: tuple[str, ...] = ()
    #: A heading printed again on each page.
    repeated: str = ""
    #: What the page says without a register, the PDF without a document.
    no_register: str = ""
    empty_pdf: str = ""

    def numbers(self, html: str) -> list[int]:
        """The register numbers of the rows on a page, in order."""
        return [int(n) for n in re.findall(rf'{self.row_attribute}="(\d+)"', html)]

    def registers(self, office) -> tuple[Any, Any]:
        """The agency's ordinary and secret registers (created if missing)."""
        services = incoming_services if self.name == "incoming" else outgoing_services
        agency_id = office.agency.id
        found = (
            services.default_register(agency_id, False),
            services.default_register(agency_id, True),
        )
        db.session.commit()
        return found


PLACES = [
    ("Sở Tài nguyên và Môi trường", RecipientKind.AGENCY, vn(2026, 2, 2)),
    ("Lưu: VT, KT", RecipientKind.PLACE, None),
]
KINDS = {
    "incoming": Kind(
        name="incoming",
        book=INCOMING_BOOK,
        url="/incoming/register-book",
        list_url="/incoming/",
        add=add_incoming,
        unlisted=add_received,
        row_attribute="data-arrival",
        register_name="Sổ văn bản đến",
        title="Sổ đăng ký văn bản đến",
        pdf_name="so-van-ban-den-",
        headings=[
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
        ],
        pdf_fill={"issuer_name": "Sở Tài nguyên và Môi trường"},
        printed=(f"{SUBJECT} (số 7)", "Sở Tài nguyên và Môi trường", "7/QĐ-BNV"),
        repeated="Đơn vị hoặc người nhận",
        no_register="Cơ quan chưa có sổ văn bản đến",
        empty_pdf="Không có văn bản đến trong thời gian này.",
    ),
    "outgoing": Kind(
        name="outgoing",
        book=OUTGOING_BOOK,
        url="/outgoing/register-book",
        list_url="/outgoing/",
        add=add_outgoing,
        unlisted=add_draft,
        row_attribute="data-number",
        register_name="Sổ văn bản đi",
        title="Sổ đăng ký văn bản đi",
        pdf_name="so-van-ban-di-",
        headings=[
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
        ],
        pdf_fill={"recipients": PLACES},
        # Long subjects wrap beside other cells: check a part that fits on one line.
        printed=(
            "Về việc triển khai chuyển đổi số",
            "Sở Tài nguyên và Môi trường",
            "07/QĐ-UBND",
            "Trần Đức Hùng",
            "Lưu: VT, KT",
        ),
        repeated="Đơn vị, người nhận bản lưu",
        no_register="Cơ quan chưa có sổ văn bản đi",
        empty_pdf="Không có văn bản đi trong thời gian này.",
    ),
}


@pytest.fixture(params=sorted(KINDS))
def kind(request) -> Kind:
    return KINDS[request.param]


def client_for(app: Any, user: Any) -> Any:
    client = app.test_client()
    login(client, user.username)
    return client


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


def export_count(kind: Kind) -> int:
    action = f"{kind.name}.register_book.export"
    return db.session.query(AuditEntry).filter_by(action=action).count()


# ---------------------------------------------------------------- rows
def test_incoming_rows_have_the_ten_columns_in_arrival_number_order(office) -> None:
    third = add_incoming(
        office, 3, vn(2026, 2, 10), urgency=Urgency.URGENT, page_count=4
    )
    first = add_incoming(office, 1, vn(2026, 2, 2, 8, 15))
    second = add_incoming(
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

    rows = INCOMING_BOOK.rows(KINDS["incoming"].registers(office)[0], FEBRUARY)

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


def test_outgoing_rows_have_the_ten_columns_in_number_order(office) -> None:
    receiver = [
        ("Ủy ban nhân dân xã Quảng Phú", RecipientKind.AGENCY, vn(2026, 2, 3, 23, 30)),
        ("Phòng Kinh tế", RecipientKind.DEPARTMENT, vn(2026, 2, 3, 10)),
        ("Như trên", RecipientKind.PLACE, None),
        ("Lưu: VT, KT", RecipientKind.PLACE, None),
    ]
    second = add_outgoing(
        office,
        2,
        vn(2026, 2, 5),
        doc_type="Công văn",
        notation="UBND-KT",
        urgency=Urgency.FLASH,
    )
    first = add_outgoing(office, 1, vn(2026, 2, 3, 8, 15), recipients=receiver)
    stored = StoredFile(
        key=f"test/{office.agency.id}",
        size=1,
        sha256="0" * 64,
        media_type="application/pdf",
        original_name="Phụ lục.pdf",
        agency_id=office.agency.id,
    )
    db.session.add(stored)
    db.session.flush()
    db.session.add(OutgoingAttachment(document_id=second.id, file_id=stored.id))
    db.session.commit()

    rows = OUTGOING_BOOK.rows(KINDS["outgoing"].registers(office)[0], FEBRUARY)

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


# ---------------------------------------------------------------- the page
def test_page_shows_the_form_columns_and_rows_in_order(app, office, kind) -> None:
    for number in (2, 3, 1):
        kind.add(office, number, vn(2026, 2, number))
    html = (
        client_for(app, office.leader)
        .get(kind.url, query_string=FEB)
        .get_data(as_text=True)
    )
    assert kind.numbers(html) == [1, 2, 3]
    positions = [html.index(f"<th>{h}") for h in kind.headings]
    assert positions == sorted(positions)
    assert kind.title in html and kind.register_name in html and "Tải bản PDF" in html
    assert f"{SUBJECT} (số 1)" in html
    assert re.search(rf'<a href="{kind.list_url}\d+">Quyết định – ', html)


def test_period_filter_uses_vietnam_calendar_days(app, office, kind) -> None:
    kind.add(office, 1, vn(2026, 1, 31, 23, 30))  # still January in Vietnam
    kind.add(office, 2, vn(2026, 2, 1, 0, 30))  # 31/01 in UTC, 1 February in Vietnam
    kind.add(office, 3, vn(2026, 2, 28, 23, 59))
    kind.add(office, 4, vn(2026, 3, 1, 0, 1))
    kind.unlisted(office, vn(2026, 2, 10))
    client = client_for(app, office.clerk)
    html = client.get(kind.url, query_string=FEB).get_data(as_text=True)
    assert kind.numbers(html) == [2, 3]
    one_day = {"from": "01/02/2026", "to": "01/02/2026"}  # typed by hand
    html = client.get(kind.url, query_string=one_day).get_data(as_text=True)
    assert kind.numbers(html) == [2]


def test_default_period_is_the_current_month(app, office, kind) -> None:
    month = Period.month_of(to_local(utcnow()).date())
    kind.add(office, 1, utcnow() - timedelta(days=70))
    kind.add(office, 2, vn(month.start.year, month.start.month, 1, 12))
    html = client_for(app, office.leader).get(kind.url).get_data(as_text=True)
    assert kind.numbers(html) == [2]
    assert (
        f'value="{month.start.isoformat()}"' in html
        and f'value="{month.end.isoformat()}"' in html
    )


def test_bad_periods_are_refused_next_to_the_field(app, office, kind) -> None:
    kind.registers(office)
    client = client_for(app, office.clerk)
    response = client.get(
        kind.url, query_string={"from": "2026-03-01", "to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "Ngày kết thúc đứng trước ngày bắt đầu." in response.get_data(as_text=True)
    for fmt in ("html", "pdf"):
        response = client.get(
            kind.url, query_string={"from": "31/31/2026", "format": fmt}
        )
        html = response.get_data(as_text=True)
        assert response.status_code == 400 and 'value="31/31/2026"' in html
    response = client.get(
        kind.url, query_string={"from": "2025-01-01", "to": "2026-02-01"}
    )
    assert response.status_code == 400
    assert "Hãy chọn khoảng thời gian không quá một năm." in response.get_data(
        as_text=True
    )
    assert export_count(kind) == 0


def test_secret_register_numbers_apart_and_shows_no_links(app, office, kind) -> None:
    kind.add(office, 1, vn(2026, 2, 2))
    kind.add(office, 2, vn(2026, 2, 3))
    kind.add(
        office,
        1,
        vn(2026, 2, 4),
        secret=True,
        subject="Kế hoạch bảo vệ bí mật nhà nước",
    )
    ordinary, secret = kind.registers(office)
    client = client_for(app, office.clerk)
    html = client.get(kind.url, query_string=dict(FEB, register=ordinary.id))
    assert kind.numbers(html.get_data(as_text=True)) == [1, 2]
    html = client.get(kind.url, query_string=dict(FEB, register=secret.id)).get_data(
        as_text=True
    )
    assert kind.numbers(html) == [1]
    assert "Kế hoạch bảo vệ bí mật nhà nước" in html and "Tối mật" in html
    assert f'<a href="{kind.list_url}' not in html.split("<tbody>")[1]


def test_registering_numbers_secret_incoming_documents_apart(app, office) -> None:
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
        doc = incoming_services.receive(
            office.clerk, io.BytesIO(make_pdf(number)), "van-ban.pdf"
        )
        incoming_services.register(
            office.clerk, doc, dict(meta, code_number=number, secrecy=secrecy)
        )
    registers = {r.is_secret: r for r in INCOMING_BOOK.registers_of(office.agency.id)}
    client = client_for(app, office.clerk)

    ordinary = client.get(
        "/incoming/register-book", query_string={"register": registers[False].id}
    )
    secret = client.get(
        "/incoming/register-book", query_string={"register": registers[True].id}
    )

    incoming = KINDS["incoming"]
    assert incoming.numbers(ordinary.get_data(as_text=True)) == [1, 2]
    html = secret.get_data(as_text=True)
    assert incoming.numbers(html) == [1]
    assert "12/CV-BCA" in html and "Mật" in html
    assert (
        "/incoming/" + str(doc.id) not in html
        and '<a href="/incoming/' not in html.split("<tbody>")[1]
    )


def test_no_register_yet_says_so(app, office, kind) -> None:
    html = client_for(app, office.clerk).get(kind.url).get_data(as_text=True)
    assert kind.no_register in html


# ---------------------------------------------------------------- permissions
@pytest.mark.parametrize("who", ["specialist", "head", "admin"])
def test_other_roles_are_refused(app, office, kind, who) -> None:
    client = client_for(app, getattr(office, who))
    assert client.get(kind.url).status_code == 403
    assert client.get(kind.url, query_string={"format": "pdf"}).status_code == 403
    assert "register-book" not in client.get(kind.list_url).get_data(as_text=True)


def test_anonymous_users_go_to_login(app, office, kind) -> None:
    response = app.test_client().get(kind.url)
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_registers_of_another_agency_answer_404(app, office, make_office, kind) -> None:
    other = make_office(name="Sở Nội vụ tỉnh Nghệ An")
    kind.add(other, 1, vn(2026, 2, 2))
    theirs = kind.registers(other)
    mine = kind.registers(office)[0]
    client = client_for(app, office.leader)
    for register_id in (theirs[0].id, theirs[1].id, 999_999, "abc"):
        for fmt in ("html", "pdf"):
            response = client.get(
                kind.url, query_string={"register": register_id, "format": fmt}
            )
            assert response.status_code == 404, (register_id, fmt)
    page = client.get(kind.url).get_data(as_text=True)
    assert f'value="{theirs[0].id}"' not in page and f'value="{mine.id}"' in page


def test_the_list_links_to_the_register_for_clerks_and_leaders(
    app, office, kind
) -> None:
    for user in (office.clerk, office.leader):
        html = client_for(app, user).get(kind.list_url).get_data(as_text=True)
        assert kind.url in html


# ---------------------------------------------------------------- PDF and audit
def test_pdf_has_the_form_vietnamese_text_and_page_numbers(
    app, office, kind, tmp_path
) -> None:
    for number in range(1, 41):
        kind.add(office, number, vn(2026, 2, 1 + number % 27), **kind.pdf_fill)
    kind.add(
        office,
        41,
        vn(2026, 2, 27),
        subject="Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”",
    )
    response = client_for(app, office.clerk).get(
        kind.url, query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    disposition = response.headers["Content-Disposition"]
    assert "attachment" in disposition and kind.pdf_name in disposition

    text = pdftotext(response.data, tmp_path)

    assert unicodedata.is_normalized("NFC", text)
    pages = [p for p in text.split("\f") if p.strip()]
    assert len(pages) >= 2
    assert kind.title in pages[0] and "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM" in pages[0]
    assert (
        f"{kind.register_name} — Năm 2026" in pages[0]
        and "Từ ngày 01/02/2026 đến ngày 28/02/2026" in pages[0]
    )
    flat = " ".join(text.split())
    for printed in kind.printed:
        assert printed in flat
    assert "Đề nghị <b>kiểm tra</b> & báo cáo “số liệu”" in flat
    # The header repeats; every page is numbered.
    for n, page in enumerate(pages, start=1):
        page = " ".join(page.split())
        assert "Tên loại và trích yếu nội dung" in page and kind.repeated in page, n
        assert f"Trang {n}/{len(pages)}" in page


def test_pdf_fonts_are_embedded_and_an_empty_period_says_so(
    app, office, kind, tmp_path
) -> None:
    kind.add(office, 1, vn(2026, 2, 2))
    register = kind.registers(office)[0]
    for rows in (kind.book.rows(register, FEBRUARY), []):
        data = kind.book.render_pdf(
            "Ủy ban nhân dân xã Quảng Phú", kind.register_name, FEBRUARY, rows
        )
        fonts = set(re.findall(rb"/BaseFont\s*/([A-Za-z0-9+_-]+)", data))
        assert fonts and all(b"DejaVu" in f for f in fonts), fonts
        assert b"/FontFile2" in data
    assert kind.empty_pdf in pdftotext(data, tmp_path)


@pytest.mark.parametrize("secret", [False, True])
def test_export_is_audited(app, office, kind, secret) -> None:
    kind.add(office, 1, vn(2026, 2, 2))
    kind.add(office, 2, vn(2026, 2, 3))
    kind.add(office, 1, vn(2026, 2, 3), secret=True)
    register = kind.registers(office)[secret]
    client = client_for(app, office.leader)
    client.get(kind.url, query_string=dict(FEB, register=register.id))
    assert export_count(kind) == 0

    response = client.get(
        kind.url, query_string=dict(FEB, register=register.id, format="pdf")
    )
    assert response.status_code == 200

    action = f"{kind.name}.register_book.export"
    entry = db.session.query(AuditEntry).filter_by(action=action).one()
    assert (entry.actor_id, entry.agency_id) == (office.leader.id, office.agency.id)
    assert (entry.object_type, entry.object_id) == (
        f"{kind.name}_register",
        str(register.id),
    )
    assert json.loads(entry.details) == {
        "format": "pdf",
        "start": "2026-02-01",
        "end": "2026-02-28",
        "rows": 1 if secret else 2,
        "secret": secret,
    }
    assert verify_chain().ok


def test_too_large_exports_ask_for_a_shorter_period(
    app, office, kind, monkeypatch
) -> None:
    monkeypatch.setattr(registers_book, "MAX_PDF_ROWS", 2)
    for number in (1, 2, 3):
        kind.add(office, number, vn(2026, 2, number))
    response = client_for(app, office.clerk).get(
        kind.url, query_string=dict(FEB, format="pdf")
    )
    assert response.status_code == 400
    assert "hơn 2 văn bản" in response.get_data(as_text=True)
    assert export_count(kind) == 0
