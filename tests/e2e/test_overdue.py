"""Overdue documents stand out: a red count on the home page and on the inbox tab."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from tests.e2e.support import LEADER, SPECIALIST, expect, registered_document, vn_today

pytestmark = pytest.mark.e2e

RED = "rgb(179, 38, 30)"  # --red in docflow.css
LATE = "V/v rà soát hồ sơ đất đai tồn đọng năm 2025"
ON_TIME = "V/v chuẩn bị hội nghị tổng kết công tác văn thư"


def test_overdue_document_shows_in_red_on_home_and_inbox(new_page, live_server, snap):
    past, later = vn_today() - timedelta(days=3), vn_today() + timedelta(days=10)
    late = registered_document(
        live_server, subject=LATE, number="17", lead=SPECIALIST, due=past
    )
    registered_document(
        live_server, subject=ON_TIME, number="18", lead=SPECIALIST, due=later
    )

    page = new_page(SPECIALIST)
    tile = page.locator(".tile", has=page.locator('.count[data-tab="overdue"]'))
    expect(tile).to_have_class(re.compile(r"\boverdue\b"))
    expect(tile.get_by_role("heading")).to_have_text("Quá hạn")
    expect(tile.locator(".count")).to_have_text("1")
    expect(tile.locator(".count")).to_have_css("color", RED)
    expect(page.locator('.tile .count[data-tab="in_progress"]')).to_have_text("2")
    snap(page, "home-specialist-overdue")

    tile.get_by_role("link", name="Quá hạn").click()
    tabs = page.get_by_role("navigation", name="Danh sách")
    current = tabs.get_by_role("link", name=re.compile("^Quá hạn"))
    expect(current).to_have_attribute("aria-current", "page")
    pill = current.locator(".count-pill")
    expect(pill).to_have_text("1")
    expect(pill).to_have_class(re.compile(r"\bred\b"))
    expect(pill).to_have_css("background-color", RED)
    # Only the overdue tab is red; the other counts stay neutral.
    expect(tabs.locator(".count-pill.red")).to_have_count(1)
    expect(tabs.locator('.count-pill[data-tab="in_progress"]')).to_have_text("2")

    rows = page.locator("table.list tbody tr")
    expect(rows).to_have_count(1)
    expect(rows).to_have_class("overdue")
    expect(rows).to_contain_text(LATE)
    expect(rows).to_contain_text(f"{past:%d/%m/%Y}")
    expect(rows.locator(".badge.overdue")).to_have_text("Quá hạn")
    snap(page, "inbox-overdue")

    rows.get_by_role("link", name=LATE).click()
    expect(page).to_have_url(re.compile(rf"/incoming/{late}$"))
    expect(page.locator("h1 .badge.overdue")).to_have_text("Quá hạn")
    expect(page.locator('[data-field="due_date"]')).to_have_text(f"{past:%d/%m/%Y}")

    # The leader sees the same at a glance.
    leader = new_page(LEADER)
    expect(leader.locator('.tile.overdue .count[data-tab="overdue"]')).to_have_text("1")
