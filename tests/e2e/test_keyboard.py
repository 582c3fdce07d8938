"""Keyboard alone: the first field focused, a visible focus ring, a skip link."""

from __future__ import annotations

import pytest

from tests.e2e.support import OFFICER, expect

pytestmark = pytest.mark.e2e

FOCUS_RING = {
    "outline-style": "solid",
    "outline-width": "3px",
    "outline-color": "rgb(242, 169, 0)",
}


def test_focus_is_visible_and_the_skip_link_jumps_to_the_content(new_page):
    page = new_page(
        OFFICER
    )  # signs in by typing, Tab and Enter from the focused user name

    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Chuyển đến nội dung chính")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # hidden until focused, then shown
    for name, value in FOCUS_RING.items():
        expect(skip).to_have_css(name, value)
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()

    page.goto("/incoming/receive")
    expect(page.get_by_label("Tệp văn bản (PDF hoặc bản quét)")).to_be_focused()
    page.keyboard.press("Tab")
    expect(
        page.get_by_text("Thông tin văn bản (có thể bổ sung khi vào sổ)")
    ).to_be_focused()  # <summary>
    page.keyboard.press("Tab")
    issuer = page.get_by_label("Cơ quan ban hành", exact=True)
    expect(issuer).to_be_focused()
    for name, value in FOCUS_RING.items():
        expect(issuer).to_have_css(name, value)
    # Nothing chosen: the error stands next to the field, tied to it for screen readers.
    page.get_by_role("button", name="Tiếp nhận", exact=True).press("Enter")
    file_field = page.get_by_label("Tệp văn bản (PDF hoặc bản quét)")
    expect(file_field).to_have_attribute("aria-invalid", "true")
    expect(file_field).to_have_accessible_description(
        "PDF, DOCX, ODT hoặc ảnh quét. Có thể kéo thả tệp vào đây. Hãy chọn tệp."
    )
