"""Each PAdES level, signed with SoftHSM (RSA, EC) and PKCS#12 keys, validated by
pyHanko and cross-checked with poppler's pdfsig."""

import io

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.validation import validate_pdf_signature

from signing.keys import Pkcs11Key, Pkcs12Key
from signing.sign import Level, sign_pdf


@pytest.fixture(params=["softhsm-rsa", "softhsm-ec", "pkcs12"])
def key(request, pki):
    if request.param == "pkcs12":
        p12 = request.getfixturevalue("pkcs12_file")
        return Pkcs12Key(p12.path, p12.passphrase)
    token = request.getfixturevalue("softhsm_token")
    label = "leader-rsa" if request.param == "softhsm-rsa" else "leader-ec"
    return Pkcs11Key(
        token.module, token.token_label, pin=token.pin, key_label=label,
        chain=tuple(pki.chain),
    )  # fmt: skip


@pytest.mark.parametrize("level", list(Level))
def test_sign_each_level(key, level, pki, sample_pdf, pdfsig):
    out = io.BytesIO()
    result = sign_pdf(sample_pdf(), out, key, level=level, tsa_url=pki.tsa_url)
    assert result.level == level
    assert result.signing_time.utcoffset().total_seconds() == 7 * 3600

    reader = PdfFileReader(io.BytesIO(out.getvalue()))
    sig = reader.embedded_regular_signatures[0]
    status = validate_pdf_signature(sig, pki.validation_context())
    assert status.bottom_line, status.pretty_print_details()
    assert status.md_algorithm == "sha256"
    if level.needs_tsa:
        assert status.timestamp_validity is not None
        assert status.timestamp_validity.intact and status.timestamp_validity.valid
    else:
        assert status.timestamp_validity is None
    assert ("/DSS" in reader.root) == level.needs_revocation_info
    assert (len(reader.embedded_timestamp_signatures) == 1) == (level is Level.B_LTA)

    first = pdfsig(out.getvalue())[0]
    assert first["validation"] == "Signature is Valid."
    assert first["certificate"] == "Certificate is Trusted."
    assert first["type"] == "ETSI.CAdES.detached"


def test_rsassa_pss(softhsm_token, pki, sample_pdf, pdfsig):
    key = Pkcs11Key(
        softhsm_token.module, softhsm_token.token_label, pin=softhsm_token.pin,
        key_label="leader-rsa", chain=tuple(pki.chain),
    )  # fmt: skip
    out = io.BytesIO()
    sign_pdf(sample_pdf(), out, key, prefer_pss=True)
    sig = PdfFileReader(io.BytesIO(out.getvalue())).embedded_signatures[0]
    assert sig.signer_info["signature_algorithm"]["algorithm"].native == "rsassa_pss"
    assert validate_pdf_signature(sig, pki.validation_context()).bottom_line
    assert pdfsig(out.getvalue())[0]["validation"] == "Signature is Valid."


def test_signing_never_rewrites_the_input(softhsm_token, pki, sample_pdf):
    key = Pkcs11Key(
        softhsm_token.module, softhsm_token.token_label, pin=softhsm_token.pin,
        key_label="seal", chain=tuple(pki.chain),
    )  # fmt: skip
    draft = sample_pdf()
    out = io.BytesIO()
    sign_pdf(draft, out, key)
    assert out.getvalue().startswith(draft)
