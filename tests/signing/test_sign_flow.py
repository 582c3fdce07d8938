"""The NĐ 30 flow: leader signs, records officer fills number/date, agency seal;
appearances with Vietnamese text; attachments; placement by anchor."""

import datetime as dt
import io
import subprocess

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.diff_analysis import ModificationLevel
from pyhanko.sign.validation import validate_pdf_signature

from signing.appearance import (
    ApprovalAppearance,
    AttachmentAppearance,
    SealAppearance,
    seal_placement,
)
from signing.documents import is_signed, normalise_unsigned
from signing.errors import AlreadySigned, FieldError, PlacementError
from signing.fields import fill_issue_fields, format_issue_date, prepare_fields
from signing.keys import Pkcs11Key
from signing.placement import Placement, find_text
from signing.sign import Level, sign_pdf


def token_key(token, pki, label):
    return Pkcs11Key(
        token.module, token.token_label, pin=token.pin, key_label=label,
        chain=tuple(pki.chain),
    )  # fmt: skip


def pdftotext(data: bytes, tmp_path) -> str:
    path = tmp_path / "text.pdf"
    path.write_bytes(data)
    return subprocess.run(  # noqa: S603
        ["pdftotext", "-layout", str(path), "-"],  # noqa: S607
        capture_output=True, text=True, check=True,
    ).stdout  # fmt: skip


ISSUE_FIELDS = {
    "so_ky_hieu": Placement(anchor="Số:", mode="right", size=(160, 18)),
    "ngay_ban_hanh": Placement(anchor="Thử nghiệm,", mode="right", size=(210, 18)),
}


def sign_to_bytes(data, key, **kwargs) -> bytes:
    out = io.BytesIO()
    sign_pdf(data, out, key, **kwargs)
    return out.getvalue()


def test_leader_then_issue_fields_then_seal(
    softhsm_token, pki, sample_pdf, pdfsig, tmp_path
):
    draft = prepare_fields(sample_pdf(), ISSUE_FIELDS)
    leader = sign_to_bytes(
        draft,
        token_key(softhsm_token, pki, "leader-ec"),
        level=Level.B_T,
        tsa_url=pki.tsa_url,
        field_name="ky_duyet",
        appearance=ApprovalAppearance(
            Placement(anchor="PHÓ CHỦ TỊCH", size=(170, 100)),
            name="Trần Thị Bình",
            position="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        ),
    )
    filled = fill_issue_fields(leader, "15/QĐ-UBND", dt.date(2026, 3, 5))
    assert filled.startswith(leader)  # incremental, never rewritten
    sealed = sign_to_bytes(
        filled,
        token_key(softhsm_token, pki, "seal"),
        level=Level.B_T,
        tsa_url=pki.tsa_url,
        field_name="ky_phat_hanh",
        appearance=SealAppearance(
            seal_placement(PdfFileReader(io.BytesIO(filled)), "ky_duyet")
        ),
    )
    assert sealed.startswith(filled)

    reader = PdfFileReader(io.BytesIO(sealed))
    first, second = reader.embedded_signatures
    status = validate_pdf_signature(first, pki.validation_context())
    assert status.bottom_line and status.intact
    assert status.modification_level == ModificationLevel.FORM_FILLING
    assert status.diff_result.changed_form_fields == {
        "so_ky_hieu", "ngay_ban_hanh", "ky_phat_hanh",
    }  # fmt: skip
    assert validate_pdf_signature(second, pki.validation_context()).bottom_line

    results = pdfsig(sealed)
    assert [r["validation"] for r in results] == ["Signature is Valid."] * 2
    assert [r["field"] for r in results] == ["ky_duyet", "ky_phat_hanh"]

    text = pdftotext(sealed, tmp_path)
    assert "15/QĐ-UBND" in text
    assert "ngày 05 tháng 3 năm 2026" in text
    assert text.count("PHÓ CHỦ TỊCH") == 2  # the draft's line and the appearance's
    assert text.count("Trần Thị Bình") == 2


def test_approval_appearance_text_keeps_diacritics(
    pkcs12_file, pki, sample_pdf, tmp_path
):
    from signing.keys import Pkcs12Key

    signed = sign_to_bytes(
        sample_pdf([(60, 700, 12, "Nội dung văn bản")]),
        Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase),
        appearance=ApprovalAppearance(
            Placement(page=0, box=(300, 200, 520, 320)),
            name="Nguyễn Văn An",
            position="CHỦ TỊCH",
        ),
    )
    text = pdftotext(signed, tmp_path)
    assert "CHỦ TỊCH" in text
    assert "Nguyễn Văn An" in text


def test_attachment_stamp_top_right(softhsm_token, pki, sample_pdf, pdfsig, tmp_path):
    signed = sign_to_bytes(
        sample_pdf(),
        token_key(softhsm_token, pki, "seal"),
        appearance=AttachmentAppearance("15/QĐ-UBND"),
    )
    reader = PdfFileReader(io.BytesIO(signed))
    (sig,) = reader.embedded_signatures
    assert validate_pdf_signature(sig, pki.validation_context()).bottom_line
    path = tmp_path / "a.pdf"
    path.write_bytes(signed)
    (start,) = find_text(path, "15/QĐ-UBND;")
    (end,) = find_text(path, "+07:00")
    assert start.box[0] > 595 / 2 and start.box[3] > 842 - 40  # top right corner
    assert 595 - 60 < end.box[2] < 595 - 30  # right margin ~15 mm
    text = pdftotext(signed, tmp_path)
    stamp = next(line for line in text.splitlines() if "15/QĐ-UBND;" in line).strip()
    stamped_time = dt.datetime.fromisoformat(stamp.split("; ")[1])
    assert stamped_time.utcoffset() == dt.timedelta(hours=7)
    assert abs(stamped_time - sig.self_reported_timestamp) < dt.timedelta(seconds=5)
    assert pdfsig(signed)[0]["total"] == "yes"  # the stamp is covered


def test_anchor_placement_and_errors(sample_pdf, tmp_path):
    path = tmp_path / "d.pdf"
    path.write_bytes(sample_pdf(pages=2))
    (match,) = find_text(path, "kt. chủ tịch")  # case-insensitive
    assert match.page == 0
    page, box = Placement(anchor="KT. CHỦ TỊCH", size=(100, 50)).resolve(
        path.read_bytes(), 2
    )
    assert page == 0 and box[3] < match.box[1] and box[2] - box[0] == 100
    with pytest.raises(PlacementError, match="not found"):
        Placement(anchor="KHÔNG CÓ").resolve(path.read_bytes(), 2)
    with pytest.raises(PlacementError, match="does not exist"):
        Placement(page=5, box=(0, 0, 10, 10)).resolve(path.read_bytes(), 2)


def test_fill_issue_fields_needs_declared_fields(sample_pdf):
    with pytest.raises(FieldError, match="prepare_fields"):
        fill_issue_fields(sample_pdf(), "15/QĐ-UBND", dt.date(2026, 1, 2))
    draft = prepare_fields(sample_pdf(), ISSUE_FIELDS)
    with pytest.raises(FieldError, match="already exists"):
        prepare_fields(draft, ISSUE_FIELDS)


def test_format_issue_date():
    assert format_issue_date(dt.date(2026, 1, 5)) == "ngày 05 tháng 01 năm 2026"
    assert format_issue_date(dt.date(2026, 12, 25)) == "ngày 25 tháng 12 năm 2026"


def test_normalise_pillow_pdf_then_sign(pkcs12_file, tmp_path):
    from PIL import Image

    from signing.keys import Pkcs12Key

    raw = io.BytesIO()
    Image.new("RGB", (200, 280), "white").save(raw, format="PDF")
    normalised = normalise_unsigned(raw.getvalue())
    signed = sign_to_bytes(
        normalised, Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase)
    )
    assert is_signed(signed) and not is_signed(normalised)
    with pytest.raises(AlreadySigned):
        normalise_unsigned(signed)
