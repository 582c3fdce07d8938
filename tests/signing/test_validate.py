"""signing.validate: ETSI indications for valid, untrusted, revoked, expired and
tampered signatures, and for documents changed after signing (shadow attacks).

Signatures with good certificates come from signing.sign_pdf (PKCS#12 key); the
bad certificates (revoked, expired ...) are refused by sign_pdf, so those are signed
with pyHanko directly. Most tests validate in-process (``isolate=False``); the
sandboxed path is covered in test_validate_hostile.py and test_validate_cli.py.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import pikepdf
import pytest
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.signers.pdf_signer import PdfSignatureMetadata
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko_certvalidator.registry import SimpleCertificateStore

from signing.fields import fill_issue_fields, prepare_fields
from signing.keys import Pkcs12Key
from signing.placement import Placement
from signing.sign import Level, sign_pdf
from signing.validate import (
    INDETERMINATE,
    TOTAL_FAILED,
    TOTAL_PASSED,
    validate_pdf,
)

ISSUE_FIELDS = {
    "so_ky_hieu": Placement(anchor="Số:", mode="right", size=(160, 18)),
    "ngay_ban_hanh": Placement(anchor="Thử nghiệm,", mode="right", size=(210, 18)),
}
CHANGED_VI = "đã bị thay đổi sau khi ký"


@pytest.fixture
def check(pki):
    """validate_pdf in-process, trusting the test root."""

    def run(data, **kwargs):
        kwargs.setdefault("trust_roots", [pki.root_path])
        kwargs.setdefault("isolate", False)
        return validate_pdf(data, **kwargs)

    return run


@pytest.fixture
def sign(pki, pkcs12_factory):
    """sign(data, label="leader-rsa", level="B-B", field=None) -> signed bytes.

    Good certificates go through signing.sign_pdf; the others through pyHanko.
    """

    def run(data, label="leader-rsa", level="B-B", field=None):
        if label in ("leader-rsa", "leader-ec", "seal"):
            p12 = pkcs12_factory(label)
            out = io.BytesIO()
            sign_pdf(
                data,
                out,
                Pkcs12Key(p12.path, p12.passphrase),
                level=level,
                tsa_url=pki.tsa_url,
                field_name=field,
            )
            return out.getvalue()
        return _sign_raw(pki, data, label, level, field or "Sig1")

    return run


def _sign_raw(pki, data, label, level, field):
    from pyhanko.keys import load_private_key_from_pemder

    chain = [pki.cert("interm")] if label != "untrusted-leaf" else []
    signer = signers.SimpleSigner(
        signing_cert=pki.cert(label),
        signing_key=load_private_key_from_pemder(pki.key_path(label), None),
        cert_registry=SimpleCertificateStore.from_certs(chain),
    )
    timestamper = HTTPTimeStamper(pki.tsa_url) if level != "B-B" else None
    meta = PdfSignatureMetadata(
        field_name=field, subfilter=sig_fields.SigSeedSubFilter.PADES
    )
    out = io.BytesIO()
    signers.PdfSigner(meta, signer=signer, timestamper=timestamper).sign_pdf(
        IncrementalPdfFileWriter(io.BytesIO(data)), output=out
    )
    return out.getvalue()


def _only(report):
    assert len(report.signatures) >= 1
    return report.signatures[0]


# -- valid signatures ---------------------------------------------------------------


@pytest.mark.parametrize("level", list(Level))
def test_each_level_passes(level, sign, check, sample_pdf):
    report = check(sign(sample_pdf(), level=level))
    assert report.exit_code == 0, report.to_dict()
    sig = _only(report)
    assert sig.indication == TOTAL_PASSED and sig.sub_indication is None
    assert sig.pades_level == str(level)
    assert sig.signer.common_name == "Nguyễn Văn An"
    assert sig.signer.issuer.startswith("CN=Test Intermediate CA Chinh phu")
    assert sig.intact and sig.crypto_valid and sig.trusted and not sig.revoked
    assert sig.signing_time is not None
    assert sig.coverage in ("ENTIRE_FILE", "ENTIRE_REVISION")
    assert not sig.changed_after_signing and sig.unexpected_changed_fields == []
    assert sig.message_vi == "Chữ ký số hợp lệ."
    assert (sig.timestamp_time is not None) == level.needs_tsa
    if level is Level.B_LTA:
        ts = report.signatures[1]
        assert ts.kind == "document_timestamp" and ts.indication == TOTAL_PASSED


@pytest.mark.parametrize("level", [Level.B_LT, Level.B_LTA])
def test_long_term_levels_validate_offline(level, sign, check, sample_pdf):
    report = check(sign(sample_pdf(), level=level), allow_fetching=False)
    assert report.exit_code == 0, report.to_dict()


def test_no_revocation_data_offline_is_try_later(sign, check, sample_pdf):
    # Decision: revocation information is required (REQUIRE_REVINFO); a B-B
    # signature with fetching disabled cannot be checked -> INDETERMINATE TRY_LATER.
    sig = _only(check(sign(sample_pdf()), allow_fetching=False))
    assert (sig.indication, sig.sub_indication) == (INDETERMINATE, "TRY_LATER")


def test_ecdsa_signature_passes(sign, check, sample_pdf):
    assert check(sign(sample_pdf(), label="leader-ec")).exit_code == 0


# -- certificate problems -----------------------------------------------------------


def test_untrusted_root(sign, check, sample_pdf):
    report = check(sign(sample_pdf(), label="untrusted-leaf"))
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (
        INDETERMINATE,
        "NO_CERTIFICATE_CHAIN_FOUND",
    )
    assert "chuỗi chứng thư số" in sig.message_vi
    assert report.exit_code == 2


def test_no_trust_roots_configured(sign, check, sample_pdf):
    sig = _only(check(sign(sample_pdf()), trust_roots=[]))
    assert sig.sub_indication == "NO_CERTIFICATE_CHAIN_FOUND"


@pytest.mark.parametrize("level", ["B-B", "B-T"])
def test_revoked_before_signing_fails(level, sign, check, sample_pdf):
    # Revoked 2024-06-01, signed now: the signer's own claimed time (and the
    # timestamp, for B-T) is after the revocation -> TOTAL-FAILED REVOKED.
    report = check(sign(sample_pdf(), label="revoked", level=level))
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "REVOKED")
    assert sig.revoked and sig.revocation_date.startswith("2024-06-01")
    assert "thu hồi" in sig.message_vi
    assert report.exit_code == 1


def test_expired_certificate(sign, check, sample_pdf):
    sig = _only(check(sign(sample_pdf(), label="expired")))
    assert (sig.indication, sig.sub_indication) == (
        INDETERMINATE,
        "OUT_OF_BOUNDS_NO_POE",
    )


def test_expired_certificate_with_late_timestamp(sign, check, sample_pdf):
    # the timestamp proves the signature only existed after the certificate expired
    sig = _only(check(sign(sample_pdf(), label="expired", level="B-T")))
    assert (sig.indication, sig.sub_indication) == (
        INDETERMINATE,
        "OUT_OF_BOUNDS_NO_POE",
    )


def test_not_yet_valid_certificate(sign, check, sample_pdf):
    report = check(sign(sample_pdf(), label="not-yet-valid"))
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "NOT_YET_VALID")
    assert report.exit_code == 1


def test_wrong_key_usage(sign, check, sample_pdf):
    sig = _only(check(sign(sample_pdf(), label="wrong-key-usage")))
    assert sig.indication == INDETERMINATE
    assert sig.sub_indication == "CHAIN_CONSTRAINTS_FAILURE"


# -- integrity ----------------------------------------------------------------------


def _tamper_signed_range(data: bytes) -> bytes:
    """Change the page width inside the first signed byte range (still parses)."""
    ix = data.index(b"/MediaBox")
    m = re.compile(rb"595").search(data, ix)
    assert m is not None and m.start() < data.index(b"/ByteRange")
    return data[: m.start()] + b"596" + data[m.end() :]


def test_tampered_bytes_hash_failure(sign, check, sample_pdf, pdfsig):
    tampered = _tamper_signed_range(sign(sample_pdf()))
    report = check(tampered)
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "HASH_FAILURE")
    assert sig.intact is False
    assert report.exit_code == 1
    # independent check: poppler agrees the digest does not match
    assert "Digest Mismatch" in pdfsig(tampered)[0]["validation"]


def test_pdfsig_agrees_on_valid_signature(sign, check, sample_pdf, pdfsig):
    signed = sign(sample_pdf(), level="B-T")
    assert check(signed).exit_code == 0
    first = pdfsig(signed)[0]
    assert first["validation"] == "Signature is Valid."
    assert first["certificate"] == "Certificate is Trusted."


# -- changes after signing ----------------------------------------------------------


def _append_page_content(data: bytes) -> bytes:
    """Incremental update drawing a black box over page 1 (new content stream)."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    stream = w.add_object(
        generic.StreamObject(stream_data=b"q 0 g 40 600 500 150 re f Q")
    )
    w.add_stream_to_page(0, stream)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _add_overlay_annotation(data: bytes) -> bytes:
    """Incremental update adding a Square annotation whose appearance hides text."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    ap = w.add_object(
        generic.StreamObject(
            {
                pdf_name("/Type"): pdf_name("/XObject"),
                pdf_name("/Subtype"): pdf_name("/Form"),
                pdf_name("/BBox"): generic.ArrayObject(
                    map(generic.NumberObject, (0, 0, 500, 150))
                ),
            },
            stream_data=b"1 1 1 rg 0 0 500 150 re f",
        )
    )
    page_ref, _ = w.find_page_for_modification(0)
    annot = w.add_object(
        generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Square"),
                pdf_name("/Rect"): generic.ArrayObject(
                    map(generic.NumberObject, (40, 530, 540, 680))
                ),
                pdf_name("/F"): generic.NumberObject(4),
                pdf_name("/AP"): generic.DictionaryObject({pdf_name("/N"): ap}),
            }
        )
    )
    page = page_ref.get_object()
    annots = page.get("/Annots")
    if annots is None:
        page[pdf_name("/Annots")] = generic.ArrayObject([annot])
    else:
        annots.get_object().append(annot)
        if isinstance(annots, generic.IndirectObject):
            w.mark_update(annots)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _replace_content_object(data: bytes) -> bytes:
    """Overwrite the page's existing content stream object with new text (same id)."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page_ref, _ = w.find_page_for_modification(0)
    contents = page_ref.get_object().raw_get("/Contents")
    if isinstance(contents, generic.ArrayObject):
        contents = contents[0]
    ref = contents.reference
    new = generic.StreamObject(stream_data=b"BT /F1 24 Tf 72 700 Td (KHONG) Tj ET")
    w.mark_update(ref)
    w.objects[(ref.generation, ref.idnum)] = new
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def test_content_stream_added_after_signing(sign, check, sample_pdf):
    report = check(_append_page_content(sign(sample_pdf(), level="B-T")))
    sig = _only(report)
    assert sig.indication != TOTAL_PASSED
    assert sig.changed_after_signing
    assert CHANGED_VI in sig.message_vi
    assert "changed after signing" in sig.message_en
    assert any("page 1" in d for d in sig.change_details)
    assert report.exit_code != 0


def test_overlay_annotation_after_signing(sign, check, sample_pdf):
    report = check(_add_overlay_annotation(sign(sample_pdf())))
    sig = _only(report)
    assert sig.indication != TOTAL_PASSED
    assert sig.changed_after_signing and CHANGED_VI in sig.message_vi
    assert any("/Square" in d for d in sig.change_details)


def test_content_object_replaced_after_signing(sign, check, sample_pdf):
    report = check(_replace_content_object(sign(sample_pdf())))
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "FORMAT_FAILURE")
    assert CHANGED_VI in sig.message_vi


def test_second_signature_keeps_first_valid(sign, check, sample_pdf, pdfsig):
    first = sign(sample_pdf(), field="lanh_dao")
    both = sign(first, label="seal", field="con_dau")
    report = check(both)
    assert report.exit_code == 0, report.to_dict()
    leader, seal = report.signatures
    assert leader.field_name == "lanh_dao" and seal.field_name == "con_dau"
    assert leader.modification_level == "FORM_FILLING"
    assert "con_dau" in leader.changed_fields
    assert leader.unexpected_changed_fields == []
    assert seal.signer.common_name == "UBND tỉnh Thử nghiệm"
    assert [s["validation"] for s in pdfsig(both)] == ["Signature is Valid."] * 2


@pytest.fixture
def filled_after_signing(sign, sample_pdf):
    draft = prepare_fields(sample_pdf(), ISSUE_FIELDS)
    signed = sign(draft, field="lanh_dao")
    return fill_issue_fields(signed, "15/QĐ-UBND", dt.date(2026, 3, 5))


def test_filled_fields_flagged_unless_expected(filled_after_signing, check):
    sig = _only(check(filled_after_signing))
    assert (sig.indication, sig.sub_indication) == (
        INDETERMINATE,
        "SIG_CONSTRAINTS_FAILURE",
    )
    assert sig.unexpected_changed_fields == ["ngay_ban_hanh", "so_ky_hieu"]
    assert sig.change_categories == ["fields"]
    assert CHANGED_VI in sig.message_vi and "so_ky_hieu" in sig.message_vi


def test_filled_fields_accepted_when_expected(filled_after_signing, check, sign):
    expected = {"so_ky_hieu", "ngay_ban_hanh"}
    sealed = sign(filled_after_signing, label="seal", field="con_dau")
    report = check(sealed, expected_changed_fields=expected)
    assert report.exit_code == 0, report.to_dict()
    leader = report.signatures[0]
    assert leader.modification_level == "FORM_FILLING"
    assert set(leader.changed_fields) == expected | {"con_dau"}
    assert not leader.changed_after_signing


def test_fields_filled_before_a_later_signature_are_accepted(
    filled_after_signing, check, sign
):
    later = {"so_ky_hieu", "ngay_ban_hanh"}
    # Alone (no later signature covers them) the filled fields still count.
    alone = _only(check(filled_after_signing, later_signed_fields=later))
    assert alone.indication == INDETERMINATE
    assert alone.unexpected_changed_fields == ["ngay_ban_hanh", "so_ky_hieu"]
    # Sealed afterwards: the seal attests the number and date.
    sealed = sign(filled_after_signing, label="seal", field="con_dau")
    report = check(sealed, later_signed_fields=later)
    assert report.exit_code == 0, report.to_dict()
    leader, seal = report.signatures
    assert leader.indication == seal.indication == TOTAL_PASSED
    assert not leader.changed_after_signing
    # Without the option the leader's signature is flagged.
    flagged = check(sealed).signatures[0]
    assert flagged.unexpected_changed_fields == ["ngay_ban_hanh", "so_ky_hieu"]


def test_fields_changed_after_the_last_signature_are_not_accepted(
    sign, check, sample_pdf
):
    draft = prepare_fields(sample_pdf(), ISSUE_FIELDS)
    leader = sign(draft, field="lanh_dao")
    sealed = sign(leader, label="seal", field="con_dau")
    refilled = fill_issue_fields(sealed, "99/QĐ-UBND", dt.date(2026, 3, 5))
    report = check(refilled, later_signed_fields={"so_ky_hieu", "ngay_ban_hanh"})
    assert report.exit_code != 0
    seal = report.signatures[-1]
    assert seal.indication != TOTAL_PASSED
    assert seal.unexpected_changed_fields == ["ngay_ban_hanh", "so_ky_hieu"]


def test_only_some_fields_expected(filled_after_signing, check):
    sig = _only(check(filled_after_signing, expected_changed_fields={"so_ky_hieu"}))
    assert sig.indication == INDETERMINATE
    assert sig.unexpected_changed_fields == ["ngay_ban_hanh"]


# -- files without usable signatures ------------------------------------------------


def test_unsigned_pdf(check, sample_pdf):
    report = check(sample_pdf())
    assert report.reason == "NO_SIGNATURE" and report.signatures == []
    assert report.exit_code == 2
    assert report.message_vi == "Tệp không có chữ ký số."


def test_encrypted_pdf(check, sign, sample_pdf):
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(sample_pdf())) as pdf:
        pdf.save(out, encryption=pikepdf.Encryption(owner="chủ", user=""))
    report = check(out.getvalue())
    assert report.indication == INDETERMINATE and report.reason == "ENCRYPTED"
    assert report.exit_code == 2


def test_report_json_layout(sign, check, sample_pdf):
    data = check(sign(sample_pdf(), level="B-LTA")).to_dict()
    assert set(data) == {"summary", "signatures"}
    assert data["summary"]["exit_code"] == 0
    assert data["summary"]["signature_count"] == 2
    sig = data["signatures"][0]
    for key in (
        "field_name", "indication", "sub_indication", "message_vi", "message_en",
        "signer", "signing_time", "pades_level", "modification_level", "coverage",
        "changed_fields", "docmdp",
    ):  # fmt: skip
        assert key in sig
    assert set(sig["signer"]) >= {"common_name", "serial_number", "issuer"}


@pytest.mark.parametrize(
    "change", [_append_page_content, _replace_content_object, _add_overlay_annotation]
)
def test_own_change_analysis_sees_it_without_pyhanko(change, sign, sample_pdf):
    # Our page-level check must flag these even where pyHanko's diff policy would
    # let a variant through (published shadow attacks pass as FORM_FILLING).
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.validation.changes import find_changes

    reader = PdfFileReader(io.BytesIO(change(sign(sample_pdf()))), strict=False)
    sig = reader.embedded_signatures[0]
    found = find_changes(reader, sig.signed_revision, {sig.field_name})
    assert found.content or found.annotations


def test_own_change_analysis_accepts_later_signature(sign, sample_pdf):
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.validation.changes import find_changes

    both = sign(sign(sample_pdf(), field="a"), label="seal", field="b")
    reader = PdfFileReader(io.BytesIO(both), strict=False)
    first = reader.embedded_signatures[0]
    found = find_changes(reader, first.signed_revision, {"a", "b"})
    assert (found.content, found.annotations, found.fields) == ([], [], set())


def test_issuing_workflow_with_visible_signatures(pki, pkcs12_factory, sample_pdf):
    """NĐ 30 flow: leader's visible signature, number and date filled by the
    System, agency seal over the signature (B-LTA). Every step is accepted when the
    workflow names its own fields, and only then."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.appearance import ApprovalAppearance, SealAppearance, seal_placement

    def key(label):
        p12 = pkcs12_factory(label)
        return Pkcs12Key(p12.path, p12.passphrase)

    leader = io.BytesIO()
    sign_pdf(
        prepare_fields(sample_pdf(), ISSUE_FIELDS), leader, key("leader-ec"),
        level=Level.B_T, tsa_url=pki.tsa_url, field_name="ky_duyet",
        appearance=ApprovalAppearance(
            Placement(anchor="PHÓ CHỦ TỊCH", size=(170, 100)),
            name="Trần Thị Bình", position="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
        ),
    )  # fmt: skip
    filled = fill_issue_fields(leader.getvalue(), "15/QĐ-UBND", dt.date(2026, 3, 5))
    sealed = io.BytesIO()
    sign_pdf(
        filled, sealed, key("seal"), level=Level.B_LTA, tsa_url=pki.tsa_url,
        field_name="ky_phat_hanh",
        appearance=SealAppearance(
            seal_placement(PdfFileReader(io.BytesIO(filled)), "ky_duyet")
        ),
    )  # fmt: skip
    sealed = sealed.getvalue()

    report = validate_pdf(
        sealed,
        trust_roots=[pki.root_path],
        expected_changed_fields={"so_ky_hieu", "ngay_ban_hanh"},
    )  # sandboxed, as the application calls it
    assert report.exit_code == 0, report.to_dict()
    leader_sig, seal_sig, doc_ts = report.signatures
    assert leader_sig.signer.common_name == "Trần Thị Bình"
    assert leader_sig.pades_level == "B-LTA"  # protected by the seal's timestamp
    assert set(leader_sig.changed_fields) == {
        "so_ky_hieu", "ngay_ban_hanh", "ky_phat_hanh",
    }  # fmt: skip
    assert seal_sig.pades_level == "B-LTA" and doc_ts.kind == "document_timestamp"

    strict = validate_pdf(sealed, trust_roots=[pki.root_path], isolate=False)
    assert strict.signatures[0].indication == INDETERMINATE
    assert strict.signatures[1].indication == TOTAL_PASSED, strict.signatures[1]
    assert strict.exit_code == 2


def _overwrite_font(data: bytes) -> bytes:
    """Shadow attack, "replace via overwrite": change a font used by page 1."""
    w = IncrementalPdfFileWriter(io.BytesIO(data))
    page = w.root["/Pages"]["/Kids"][0]
    # the sample's text sits in form XObjects (stamps), each with its own fonts
    xobjects = page["/Resources"]["/XObject"]
    fonts = xobjects[next(iter(xobjects))]["/Resources"]["/Font"]
    name = next(iter(fonts))
    ref = fonts.raw_get(name)
    font = ref.get_object()
    font[pdf_name("/FirstChar")] = generic.NumberObject(0)
    w.mark_update(ref)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _with_hidden_stream(draft: bytes) -> tuple[bytes, int]:
    """The draft plus an unreferenced content stream (the attacker's prepared text)."""
    w = IncrementalPdfFileWriter(io.BytesIO(draft))
    ref = w.add_object(generic.StreamObject(stream_data=b"q 1 g 0 0 595 842 re f Q"))
    out = io.BytesIO()
    w.write(out)
    return out.getvalue(), ref.idnum


def _swap_contents(signed: bytes, idnum: int) -> bytes:
    """Shadow attack, "hide-and-replace": after signing, point page 1's /Contents
    at the object that was already (hidden) in the signed file."""
    w = IncrementalPdfFileWriter(io.BytesIO(signed))
    page_ref, _ = w.find_page_for_modification(0)
    page = page_ref.get_object()
    page[pdf_name("/Contents")] = generic.IndirectObject(idnum, 0, w)
    w.update_container(page)
    out = io.BytesIO()
    w.write(out)
    return out.getvalue()


def _own_analysis_flags_content(data: bytes) -> bool:
    from pyhanko.pdf_utils.reader import PdfFileReader

    from signing.validation.changes import find_changes

    reader = PdfFileReader(io.BytesIO(data), strict=False)
    sig = reader.embedded_signatures[0]
    return bool(find_changes(reader, sig.signed_revision, {sig.field_name}).content)


def test_shadow_hide_and_replace(sign, check, sample_pdf):
    draft, idnum = _with_hidden_stream(sample_pdf())
    attacked = _swap_contents(sign(draft, level="B-T"), idnum)
    assert _own_analysis_flags_content(attacked)
    sig = _only(check(attacked))
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "FORMAT_FAILURE")
    assert "content" in sig.change_categories
    assert CHANGED_VI in sig.message_vi


def test_shadow_replace_via_font_overwrite(sign, check, sample_pdf):
    attacked = _overwrite_font(sign(sample_pdf(), level="B-T"))
    assert _own_analysis_flags_content(attacked)
    report = check(attacked)
    sig = _only(report)
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "FORMAT_FAILURE")
    assert "content" in sig.change_categories
    assert CHANGED_VI in sig.message_vi


def test_visible_empty_signature_field_added_after_signing(sign, check, sample_pdf):
    # an unsigned signature widget with an appearance can cover the signed text
    w = IncrementalPdfFileWriter(io.BytesIO(sign(sample_pdf(), field="lanh_dao")))
    sig_fields.append_signature_field(
        w, sig_fields.SigFieldSpec("o_trong", on_page=0, box=(40, 530, 540, 680))
    )
    out = io.BytesIO()
    w.write(out)
    sig = _only(check(out.getvalue()))
    assert sig.indication != TOTAL_PASSED
    assert any("unsigned signature field 'o_trong'" in d for d in sig.change_details)


def test_online_fetching_shares_one_tls_context(sign, check, sample_pdf):
    from signing.validation import engine

    engine._tls_context.cache_clear()
    good = check(sign(sample_pdf()))
    revoked = check(sign(sample_pdf(), label="revoked"))
    # Both fetched their revocation data online (B-B embeds none) ...
    assert _only(good).indication == TOTAL_PASSED
    assert _only(revoked).sub_indication == "REVOKED"
    # ... through sessions built on one TLS context (loading the CA bundle is slow).
    assert engine._tls_context.cache_info().misses == 1
