"""An incoming document from the records officer's desk to its completion, in a browser.

The records officer (vanthu) receives a PDF by drag-and-drop and registers it (arrival
no. 1), presenting it to the leader (lanhdao), who assigns the specialist (chuyenvien)
as lead with a deadline and an instruction; the specialist comments, attaches a working
file and completes it. Every page is Vietnamese; the timeline tells the whole story.
"""

from __future__ import annotations

import base64
import re
from datetime import date, timedelta

import pytest

from tests.e2e.support import (
    FULL_NAMES,
    LEADER,
    OFFICER,
    SPECIALIST,
    Page,
    expect,
    fill_metadata,
    is_nfc,
    pdf_upload,
    registered_document,
    sample_docx,
    sample_pdf,
)

pytestmark = pytest.mark.e2e

SUBJECT = "V/v báo cáo tình hình triển khai văn bản điện tử"
ISSUER = "Sở Y tế tỉnh Thanh Hóa"
INSTRUCTION = "Giao Phòng Kinh tế chủ trì, tham mưu báo cáo trước thời hạn."
COMMENT = "Đã liên hệ Sở Y tế để bổ sung số liệu quý I."
RESULT = "Đã có Báo cáo số 45/BC-UBND gửi Sở Y tế ngày hôm nay."
WORKING_FILE = "Dự thảo báo cáo.docx"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def drop_file(page: Page, selector: str, upload: dict) -> None:
    """Drag a file from the desktop onto ``selector`` (the events a real drop fires)."""
    transfer = page.evaluate_handle(
        """([name, type, data]) => {
            const bytes = Uint8Array.from(atob(data), c => c.charCodeAt(0));
            const transfer = new DataTransfer();
            transfer.items.add(new File([bytes], name, {type}));
            return transfer;
        }""",
        [
            upload["name"],
            upload["mimeType"],
            base64.b64encode(upload["buffer"]).decode(),
        ],
    )
    for event in ("dragenter", "dragover", "drop"):
        page.dispatch_event(selector, event, {"dataTransfer": transfer})


def flash(page: Page, text: str) -> None:
    expect(page.locator(".flash.success")).to_have_text(text)


def status(page: Page, label: str) -> None:
    expect(page.locator("p.status")).to_have_text(f"Trạng thái: {label}")


def test_receive_register_assign_process_complete(new_page, live_server, snap):
    deadline = date.today() + timedelta(days=10)

    # -- records officer: receive (drag-and-drop) and register
    officer = new_page(OFFICER)
    snap(officer, "home-records-officer")
    officer.locator("header").get_by_role(
        "link", name="Văn bản đến", exact=True
    ).click()
    officer.get_by_role("link", name="Tiếp nhận văn bản").click()
    file_field = officer.get_by_label("Tệp văn bản (PDF hoặc bản quét)")
    expect(file_field).to_be_focused()
    drop_file(officer, ".dropzone", pdf_upload())
    expect(officer.locator(".dropzone-status")).to_have_text(
        re.compile(r"^Tệp đã chọn: Công văn 123-SYT\.pdf \(")
    )
    assert file_field.evaluate("input => input.files[0].name") == "Công văn 123-SYT.pdf"
    fill_metadata(
        officer,
        issuer_name=ISSUER,
        code_number="123",
        code_notation="SYT-KHTC",
        signer_name="Nguyễn Văn Bình",
        subject=SUBJECT,
    )
    officer.get_by_label("Ngày văn bản").fill("2026-03-02")
    snap(officer, "receive")
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()

    flash(officer, "Đã tiếp nhận văn bản. Hãy vào sổ để cấp số đến.")
    status(officer, "Chờ vào sổ")
    doc_url = officer.url
    # The signature check ran (inline job) on the real PDF.
    expect(officer.locator('[data-signatures="none"]')).to_contain_text(
        "Tệp không có chữ ký số."
    )
    # The registration form starts from what was typed at reception.
    expect(officer.get_by_label("Trích yếu")).to_have_value(SUBJECT)
    officer.get_by_label("Trình lãnh đạo").select_option(
        label="Trần Đức Hùng — Phó Chủ tịch"
    )
    officer.get_by_role("button", name="Vào sổ", exact=True).click()

    flash(officer, "Đã vào sổ, số đến 1.")
    status(officer, "Chờ phân công")
    expect(officer.locator('[data-field="arrival_number"]')).to_have_text(
        re.compile(r"^1 \(Sổ văn bản đến, \d{4}\)$")
    )

    # -- leader: finds it waiting for a decision and assigns it
    leader = new_page(LEADER)
    expect(leader.locator('.tile .count[data-tab="to_assign"]')).to_have_text("1")
    leader.locator("header").get_by_role("link", name="Văn bản đến", exact=True).click()
    tab = leader.get_by_role("navigation", name="Danh sách").get_by_role(
        "link", name=re.compile("^Chờ phân công")
    )
    tab.click()
    expect(tab).to_have_attribute("aria-current", "page")
    leader.get_by_role("link", name=SUBJECT).click()
    status(leader, "Chờ phân công")
    expect(leader.locator("dl.meta")).to_contain_text("Trần Đức Hùng")  # presented to
    leader.get_by_label("Chủ trì", exact=True).select_option(
        label="Đỗ Minh Tuấn — Chuyên viên"
    )
    leader.get_by_label("Hạn xử lý", exact=True).fill(deadline.isoformat())
    leader.get_by_label("Ý kiến chỉ đạo").fill(INSTRUCTION)
    leader.get_by_role("button", name="Lưu phân công").click()

    flash(leader, "Đã lưu phân công.")
    status(leader, "Đang xử lý")
    expect(leader.locator("ul.assignments")).to_have_text(
        f"Chủ trì: Đỗ Minh Tuấn — hạn {deadline:%d/%m/%Y}"
    )
    expect(leader.locator('[data-field="due_date"]')).to_have_text(
        f"{deadline:%d/%m/%Y}"
    )

    # -- specialist: the document is in the in-progress list; comment, attach, complete
    specialist = new_page(SPECIALIST)
    expect(specialist.locator('.tile .count[data-tab="in_progress"]')).to_have_text("1")
    expect(specialist.locator(".notifications")).to_contain_text(
        "Văn bản mới được giao"
    )
    snap(specialist, "home-specialist")
    specialist.get_by_role("link", name="Được giao cho tôi, theo hạn xử lý").click()
    tab = specialist.get_by_role("navigation", name="Danh sách").get_by_role(
        "link", name=re.compile("^Đang xử lý")
    )
    expect(tab).to_have_attribute("aria-current", "page")
    row = specialist.locator("table.list tbody tr", has_text=SUBJECT)
    expect(row).to_contain_text(f"{deadline:%d/%m/%Y}")
    expect(row).to_contain_text("123/SYT-KHTC")
    snap(specialist, "inbox-specialist")
    row.get_by_role("link", name=SUBJECT).click()

    specialist.get_by_label("Ý kiến", exact=True).fill(COMMENT)
    specialist.get_by_role("button", name="Ghi ý kiến").click()
    flash(specialist, "Đã ghi ý kiến.")
    specialist.get_by_label("Tệp dự thảo, tài liệu xử lý").set_input_files(
        {"name": WORKING_FILE, "mimeType": DOCX, "buffer": sample_docx()}
    )
    specialist.get_by_role("button", name="Đính kèm").click()
    flash(specialist, "Đã đính kèm tệp.")
    expect(specialist.locator(".preview")).to_contain_text(
        f"{WORKING_FILE} — Đỗ Minh Tuấn"
    )
    specialist.get_by_label("Kết quả xử lý").fill(RESULT)
    specialist.get_by_role("button", name="Hoàn thành", exact=True).click()
    flash(specialist, "Văn bản đã hoàn thành xử lý.")
    status(specialist, "Đã hoàn thành")

    # -- the document page, as the leader sees it at the end
    with leader.expect_response(re.compile(r"/incoming/\d+/file$")) as preview:
        leader.goto(doc_url)
    response = preview.value
    assert response.status == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.frame.parent_frame is not None  # loaded by the iframe, not the page
    # Chromium's PDF viewer replaces the frame's document: fetch the bytes beside it.
    assert leader.request.get(response.url).body() == sample_pdf()
    expect(leader.get_by_title("Xem trước")).to_have_attribute(
        "src", re.compile(r"/incoming/\d+/file$")
    )
    snap(leader, "document-completed")

    expected = [
        ("received", OFFICER, "đã tiếp nhận văn bản", "Công văn 123-SYT.pdf"),
        ("registered", OFFICER, "đã vào sổ", "Sổ văn bản đến, số đến 1"),
        ("assigned", LEADER, "đã phân công xử lý", INSTRUCTION),
        ("commented", SPECIALIST, "đã cho ý kiến", COMMENT),
        ("attached", SPECIALIST, "đã đính kèm tệp", WORKING_FILE),
        ("completed", SPECIALIST, "đã hoàn thành xử lý", RESULT),
    ]
    items = leader.locator("#timeline li")
    expect(items).to_have_count(len(expected))
    for item, (kind, who, label, text) in zip(items.all(), expected, strict=True):
        expect(item).to_have_attribute("data-kind", kind)
        line = rf"{FULL_NAMES[who]} — {label}: {re.escape(text)}$"
        expect(item).to_have_text(re.compile(r"^\d\d/\d\d/\d{4} \d\d:\d\d " + line))
    body = leader.locator("body").inner_text()
    assert is_nfc(body)
    for english in ("received the document", "registered it", "Timeline", "Status"):
        assert english not in body


def test_duplicate_registration_is_blocked_until_confirmed(new_page, live_server, snap):
    """Also the receive and register pages without JavaScript."""
    registered_document(
        live_server, subject=SUBJECT, issuer=ISSUER, number="123", notation="SYT-KHTC"
    )

    officer = new_page(OFFICER, java_script_enabled=False)
    officer.goto("/incoming/receive")
    expect(officer.locator(".dropzone")).not_to_have_class(re.compile("is-enhanced"))
    officer.get_by_label("Tệp văn bản (PDF hoặc bản quét)").set_input_files(
        pdf_upload("Công văn 123 (bản fax).pdf")
    )
    fill_metadata(
        officer,
        issuer_name=ISSUER,
        code_number="123",
        code_notation="SYT-KHTC",
        subject=SUBJECT,
    )
    officer.get_by_role("button", name="Tiếp nhận", exact=True).click()
    flash(officer, "Đã tiếp nhận văn bản. Hãy vào sổ để cấp số đến.")
    # Warned before trying ...
    expect(officer.locator(".flash.error")).to_have_text(
        re.compile(r"^Có thể trùng: đã vào sổ với số đến\s+1\s*$")
    )

    # ... and refused without the confirmation, the error next to the checkbox.
    officer.get_by_role("button", name="Vào sổ", exact=True).click()
    confirm = officer.get_by_label(
        "Tôi đã kiểm tra: đây không phải văn bản đã vào sổ trước đó"
    )
    expect(confirm).not_to_be_checked()
    expect(confirm).to_have_attribute("aria-invalid", "true")
    expect(officer.locator(".field.has-error", has=confirm)).to_contain_text(
        "Đã có văn bản cùng cơ quan ban hành, số và ký hiệu trong sổ (số đến 1). "
        "Đánh dấu ô xác nhận nếu vẫn muốn vào sổ."
    )
    status(officer, "Chờ vào sổ")
    expect(officer.locator('[data-field="arrival_number"]')).to_have_text("—")
    expect(officer.get_by_label("Trích yếu")).to_have_value(
        SUBJECT
    )  # what was typed is kept
    snap(officer, "duplicate-warning")

    confirm.check()
    officer.get_by_role("button", name="Vào sổ", exact=True).click()
    flash(officer, "Đã vào sổ, số đến 2.")
    status(officer, "Chờ phân công")


def test_language_switch_to_english_and_back(new_page):
    page = new_page(OFFICER)
    page.goto("/incoming/?tab=pending")
    html, heading = page.locator("html"), page.get_by_role("heading", level=1)
    expect(html).to_have_attribute("lang", "vi")

    page.get_by_role("button", name="English").click()
    expect(html).to_have_attribute("lang", "en")
    expect(page).to_have_url(re.compile(r"/incoming/\?tab=pending$"))  # the same page
    expect(heading).to_have_text("Incoming documents")
    expect(page.locator(".tabs a.current")).to_contain_text("Waiting to be registered")
    page.locator("header").get_by_role(
        "link", name="docflow"
    ).click()  # the choice stays
    expect(heading).to_have_text("Hello, Lê Thị Thư")

    page.get_by_role("button", name="Tiếng Việt").click()
    expect(html).to_have_attribute("lang", "vi")
    expect(heading).to_have_text("Xin chào, Lê Thị Thư")
    assert is_nfc(page.locator("body").inner_text())
