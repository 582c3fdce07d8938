"""Plain helpers for docflow tests: a PDF factory, document metadata, the Office bundle."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any



def make_pdf(text: str = "Công văn số 15") -> bytes:
    """A small valid one-page PDF (pikepdf), different for each text."""
    import pikepdf

    pdf = pikepdf.new()
    pdf.add_blank_page(page_size=(595, 842))
    pdf.docinfo["/Title"] = text
    out = io.BytesIO()
    pdf.save(out, deterministic_id=True)
    return out.getvalue()


@dataclass
class Office:
    agency: Any
    unit: Any
    clerk: Any
    leader: Any
    head: Any
    specialist: Any
    other_specialist: Any
    admin: Any


METADATA = {
    "issuer_name": "Bộ Nội vụ",
    "issuer_code": "000.00.00.G09",
    "code_number": "15",
    "code_notation": "QĐ-BNV",
    "doc_type": "Quyết định",
    "subject": "Về việc tổ chức bộ máy chính quyền địa phương hai cấp",
    "signer_name": "Nguyễn Văn A",
    "signer_position": "Thứ trưởng",
}
