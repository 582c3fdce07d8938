"""Fixtures for dossiers: registered incoming documents in the shared office
(``make_office`` / ``office`` from tests/docflow/conftest.py)."""

from __future__ import annotations

import io
from datetime import date
from typing import Any

import pytest

from tests.docflow.office import Office, make_pdf

METADATA = {
    "issuer_name": "Bộ Nội vụ",
    "issuer_code": "000.00.00.G09",
    "code_notation": "QĐ-BNV",
    "doc_type": "Quyết định",
    "signer_name": "Nguyễn Văn A",
    "signer_position": "Thứ trưởng",
}


@pytest.fixture
def make_incoming(app):
    """Factory: a registered incoming document (optionally secret, optionally assigned)."""
    from docflow.documents import services as s
    from docflow.documents.vocab import Secrecy

    counter = iter(range(100, 999))

    def factory(
        office: Office,
        *,
        issued: date,
        subject: str | None = None,
        secret: bool = False,
        present: bool = True,
        lead: Any = None,
    ) -> Any:
        n = next(counter)
        meta = dict(
            METADATA,
            code_number=str(n),
            subject=subject or f"Văn bản số {n}",
            issued_date=issued,
            page_count=2,
            secrecy=Secrecy.CONFIDENTIAL if secret else Secrecy.NONE,
        )
        doc = s.receive(
            office.clerk, io.BytesIO(make_pdf(f"Văn bản {n}")), f"van-ban-{n}.pdf"
        )
        s.register(
            office.clerk, doc, meta, presented_to=office.leader if present else None
        )
        if lead is not None:
            s.assign(
                office.leader, doc, s.AssignmentPlan(lead=s.Target(user_id=lead.id))
            )
        return doc

    return factory
