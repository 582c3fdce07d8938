"""Helpers for the browser tests: the live server, sample files, page steps.

Kept apart from conftest.py so that test modules can import them by name.
"""

from __future__ import annotations

import io
import sqlite3
import threading
import unicodedata
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date, datetime
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from werkzeug.serving import BaseWSGIServer, make_server

try:
    from playwright.sync_api import Page, expect
except (
    ImportError
):  # collected anyway: the browser fixture fails (CI) or skips with the reason
    Page = Any  # type: ignore[misc,assignment]
    expect = None  # type: ignore[assignment]

from docflow.demo import DEMO_PASSWORD

#: Launch flags for Debian's chromium on this closed network (see the machine notes):
#: without the background-networking ones it keeps trying to reach Google's hosts.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

#: The demo province's people (docflow.demo.PEOPLE) the tests act as.
OFFICER, LEADER, SPECIALIST = "vanthu", "lanhdao", "chuyenvien"
FULL_NAMES = {
    OFFICER: "Lê Thị Thư",
    LEADER: "Trần Đức Hùng",
    SPECIALIST: "Đỗ Minh Tuấn",
}


# ---------------------------------------------------------------- live server
@dataclass
class LiveServer:
    """The real app served by werkzeug on 127.0.0.1 in a background thread."""

    app: Any
    server: BaseWSGIServer
    thread: threading.Thread
    users: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}"

    @contextmanager
    def context(self) -> Iterator[Any]:
        """An app context in the test's thread, for factories and database checks."""
        with self.app.app_context():
            yield self.app

    def user(self, username: str) -> Any:
        """The ``User`` row (call inside ``context()``)."""
        from docflow.auth.models import User
        from docflow.extensions import db

        return db.session.get(User, self.users[username])

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(timeout=10)
        self.server.server_close()
        with self.app.app_context():
            from docflow.extensions import db

            db.engine.dispose()


def copy_database(source: Path, target: Path) -> None:
    """Copy a SQLite database consistently (WAL included) with SQLite's backup API."""
    with sqlite3.connect(source) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()


def start_server(app: Any) -> LiveServer:
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(
        target=server.serve_forever, name="e2e-live-server", daemon=True
    )
    thread.start()
    return LiveServer(app=app, server=server, thread=thread)


# ---------------------------------------------------------------- sample files
#: Text of the sample incoming letter (Vietnamese, embedded font, extractable).
LETTER_LINES = [
    (50, 770, 12, "SỞ Y TẾ TỈNH THANH HÓA"),
    (300, 770, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (330, 755, 12, "Độc lập - Tự do - Hạnh phúc"),
    (50, 725, 12, "Số: 123/SYT-KHTC"),
    (300, 725, 12, "Thanh Hóa, ngày 02 tháng 3 năm 2026"),
    (240, 680, 13, "CÔNG VĂN"),
    (90, 662, 12, "V/v báo cáo tình hình triển khai văn bản điện tử"),
    (60, 620, 11, "Kính gửi: Ủy ban nhân dân tỉnh Thanh Hóa."),
    (370, 330, 12, "GIÁM ĐỐC"),
    (375, 250, 12, "Nguyễn Văn Bình"),
]


@cache
def sample_pdf() -> bytes:
    """A one-page A4 letter with Vietnamese text in an embedded font (pyHanko writer).

    The same idea as tests/signing's ``sample_pdf``, kept independent of that package.
    """
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle

    from signing import fonts

    writer = PdfFileWriter()
    page = generic.DictionaryObject(
        {
            generic.pdf_name("/Type"): generic.pdf_name("/Page"),
            generic.pdf_name("/MediaBox"): generic.ArrayObject(
                map(generic.NumberObject, (0, 0, 595, 842))
            ),
            generic.pdf_name("/Resources"): generic.DictionaryObject(),
            generic.pdf_name("/Contents"): writer.add_object(
                generic.StreamObject(stream_data=b"")
            ),
        }
    )
    writer.insert_page(page)
    font = GlyphAccumulatorFactory(str(fonts.SANS))
    for x, y, size, text in LETTER_LINES:
        style = TextStampStyle(
            stamp_text=text,
            border_width=0,
            text_box_style=TextBoxStyle(font=font, font_size=size),
        )
        TextStamp(writer, style).apply(0, x - 3, y - 3)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


@cache
def sample_docx() -> bytes:
    """A minimal Word document (enough for docflow's content sniffing and for Word)."""
    content_types = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/'
        'vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/word/document.xml" ContentType="application/'
        'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
    )
    rels = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
        'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
    )
    document = (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">'
        "<w:body><w:p><w:r><w:t>Dự thảo báo cáo trả lời Sở Y tế</w:t></w:r></w:p>"
        "</w:body></w:document>"
    )
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("[Content_Types].xml", content_types)
        archive.writestr("_rels/.rels", rels)
        archive.writestr("word/document.xml", document.encode())
    return out.getvalue()


def pdf_upload(name: str = "Công văn 123-SYT.pdf") -> dict[str, Any]:
    """A file for Playwright's ``set_input_files``."""
    return {"name": name, "mimeType": "application/pdf", "buffer": sample_pdf()}


# ---------------------------------------------------------------- page steps
def sign_in(page: Any, username: str, password: str = DEMO_PASSWORD) -> None:
    """Sign in through the Vietnamese login page with the keyboard, as a user would."""
    page.goto("/login")
    expect(page.get_by_role("heading", name="Đăng nhập")).to_be_visible()
    user_field = page.get_by_label("Tên đăng nhập")
    expect(user_field).to_be_focused()  # autofocus: type straight away
    page.keyboard.type(username)
    page.keyboard.press("Tab")
    expect(page.get_by_label("Mật khẩu")).to_be_focused()
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    expect(page.locator("h1")).to_contain_text(
        f"Xin chào, {FULL_NAMES.get(username, '')}"
    )


def fill_metadata(page: Any, **values: str) -> None:
    """Fill the metadata fields by their Vietnamese labels."""
    labels = {
        "issuer_name": "Cơ quan ban hành",
        "code_number": "Số",
        "code_notation": "Ký hiệu",
        "issued_date": "Ngày văn bản",
        "signer_name": "Người ký",
        "subject": "Trích yếu",
    }
    for key, value in values.items():
        page.get_by_label(labels[key], exact=True).fill(value)


def is_nfc(text: str) -> bool:
    return unicodedata.is_normalized("NFC", text)


# ---------------------------------------------------------------- data through services
def vn_today() -> date:
    """Today in Vietnam: deadlines are calendar days in Asia/Ho_Chi_Minh."""
    return datetime.now(ZoneInfo("Asia/Ho_Chi_Minh")).date()


def registered_document(
    server: LiveServer,
    *,
    subject: str,
    issuer: str = "Sở Tài chính tỉnh Thanh Hóa",
    number: str = "88",
    notation: str = "STC-NS",
    lead: str | None = None,
    due: date | None = None,
) -> int:
    """A received and registered document (presented to the leader), assigned when
    ``lead`` is given. ``due`` is written straight into the database: the assignment
    form refuses past deadlines, and overdue documents are what some tests need."""
    from docflow.documents import services
    from docflow.documents.models import AssignmentRole
    from docflow.extensions import db

    with server.context():
        officer, leader = server.user(OFFICER), server.user(LEADER)
        metadata = {
            "issuer_name": issuer,
            "code_number": number,
            "code_notation": notation,
            "subject": subject,
            "doc_type": "Công văn",
        }
        doc = services.receive(
            officer, io.BytesIO(sample_pdf()), f"{number}-{notation}.pdf", metadata
        )
        services.register(officer, doc, {}, presented_to=leader)
        if lead is not None:
            plan = services.AssignmentPlan(
                lead=services.Target(user_id=server.users[lead]),
                instruction="Đề nghị xử lý theo quy định.",
            )
            services.assign(leader, doc, plan)
        if due is not None:
            doc.due_date = due
            for assignment in doc.assignments:
                if assignment.active and assignment.role != AssignmentRole.INFORM:
                    assignment.deadline = due
            db.session.commit()
        return doc.id
