"""Fixtures for search inside docflow: the shared office (tests/docflow/conftest.py), PDFs
with a real text layer, and helpers that drive a document through its workflow."""

from __future__ import annotations

import io
from datetime import date
from pathlib import Path

import pytest

from tests.docflow.office import METADATA
from tests.search.pdfgen import text_pdf


@pytest.fixture
def app(make_app):
    # OCR is a per-deployment choice (auto = only with workers); these tests need text PDFs only.
    app = make_app(SEARCH_OCR="off")
    with app.app_context():
        yield app


@pytest.fixture
def pdf(tmp_path: Path):
    counter = iter(range(1000))

    def make(*lines: str) -> bytes:
        return text_pdf(list(lines), tmp_path / f"doc{next(counter)}.pdf").read_bytes()

    return make


@pytest.fixture
def registered(office, pdf):
    """Factory: a received and registered document of ``office`` (or another office)."""
    from docflow.documents import services as s

    def make(text: str = "Nội dung văn bản", who=None, **meta):
        who = who or office
        values = dict(METADATA, issued_date=date(2024, 3, 15), **meta)
        doc = s.receive(who.clerk, io.BytesIO(pdf(text)), "van-ban.pdf")
        return s.register(
            who.clerk, doc, values, presented_to=who.leader, confirm_duplicate=True
        )

    return make


@pytest.fixture
def assign_to():
    """assign_to(office, doc, user=... | department=...): the leader's assignment."""
    from docflow.documents import services as s

    def assign(office, doc, user=None, department=None):
        target = (
            s.Target(user_id=user.id)
            if user is not None
            else s.Target(department_id=department.id)
        )
        return s.assign(office.leader, doc, s.AssignmentPlan(lead=target))

    return assign
