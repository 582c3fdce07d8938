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


def make_docx(paragraphs: list[str]) -> bytes:
    """A minimal but complete Word document (what LibreOffice and Word both open)."""
    import zipfile
    from xml.sax.saxutils import escape

    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f'<w:p><w:r><w:t xml:space="preserve">{escape(p)}</w:t></w:r></w:p>'
        for p in paragraphs
    )
    parts = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            '<Override PartName="/word/document.xml" ContentType="application/'
            'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
        ),
        "_rels/.rels": (
            '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/'
            'relationships/officeDocument" Target="word/document.xml"/></Relationships>'
        ),
        "word/document.xml": (
            f'<?xml version="1.0" encoding="UTF-8" standalone="yes"?>'
            f'<w:document xmlns:w="{w}"><w:body>{body}</w:body></w:document>'
        ),
    }
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, data in parts.items():
            archive.writestr(name, data)
    return out.getvalue()
