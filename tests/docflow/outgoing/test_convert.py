from __future__ import annotations

import io
import subprocess

import pytest

from docflow.documents.vocab import Secrecy, Urgency
from docflow.files.services import open_file
from docflow.outgoing import services as s
from docflow.outgoing.convert import ConversionError, to_pdf
from tests.docflow.office import make_docx


def test_docx_draft_is_converted_with_number_and_date_fields(
    keyed_office, tmp_path
) -> None:
    data = make_docx(
        [
            "ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM",
            "Số:        /KH-UBND",
            "Thử nghiệm, ngày",
            "KẾ HOẠCH",
            "Triển khai chính quyền địa phương hai cấp",
        ]
    )
    values = s.DraftValues(
        doc_type="Kế hoạch",
        subject="Triển khai chính quyền hai cấp",
        urgency=Urgency.NORMAL,
        secrecy=Secrecy.NONE,
    )
    doc = s.create_draft(
        keyed_office.specialist, values, io.BytesIO(data), "Dự thảo.docx"
    )
    version = doc.current_version
    # The inline job queue converted it right after the commit.
    from docflow.extensions import db

    db.session.refresh(version)
    assert version.state == "ready", version.error
    with open_file(version.file) as stream:
        pdf = stream.read()
    import pikepdf

    with pikepdf.open(io.BytesIO(pdf)) as parsed:
        names = {str(f.T) for f in parsed.Root.AcroForm.Fields}
    assert names == {"so_ky_hieu", "ngay_ban_hanh"}
    out = tmp_path / "v1.pdf"
    out.write_bytes(pdf)
    text = subprocess.run(
        ["pdftotext", str(out), "-"], capture_output=True, text=True, check=True
    ).stdout  # noqa: S603,S607
    assert "Triển khai chính quyền địa phương hai cấp" in text


def test_broken_docx_gives_a_clear_error() -> None:
    with pytest.raises(ConversionError, match="could not convert"):
        to_pdf(b"PK\x03\x04 not really a document", ".docx", timeout=60)
