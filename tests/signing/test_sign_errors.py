"""Clear, typed errors for everything an operator can get wrong."""

import io

import pikepdf
import pytest

from signing.errors import (
    CertificateError,
    EncryptedPdf,
    FieldError,
    KeyNotFound,
    ModuleLoadError,
    SigningError,
    TimestampError,
    TokenNotFound,
    UnreadablePdf,
    WrongPassphrase,
    WrongPin,
)
from signing.keys import Pkcs11Key, Pkcs12Key
from signing.sign import Level, sign_pdf


def sign(data, key, **kwargs):
    return sign_pdf(data, io.BytesIO(), key, **kwargs)


@pytest.fixture
def token_key(softhsm_token, pki):
    def make(**overrides):
        values = dict(
            module=softhsm_token.module, token_label=softhsm_token.token_label,
            pin=softhsm_token.pin, key_label="leader-rsa", chain=tuple(pki.chain),
        )  # fmt: skip
        values.update(overrides)
        return Pkcs11Key(**values)

    return make


def test_wrong_pin(token_key, sample_pdf):
    with pytest.raises(WrongPin, match="Wrong PIN for token 'docflow-test'") as err:
        sign(sample_pdf(), token_key(pin="000000"))
    assert "000000" not in str(err.value)
    assert "000000" not in repr(token_key(pin="000000"))


def test_missing_key(token_key, sample_pdf):
    with pytest.raises(KeyNotFound, match="no-such-key"):
        sign(sample_pdf(), token_key(key_label="no-such-key"))


def test_missing_token(token_key, sample_pdf):
    with pytest.raises(TokenNotFound, match="'no-such-token'"):
        sign(sample_pdf(), token_key(token_label="no-such-token"))  # noqa: S106


def test_module_cannot_be_loaded(token_key, sample_pdf, tmp_path):
    with pytest.raises(ModuleLoadError, match="not found"):
        sign(sample_pdf(), token_key(module=str(tmp_path / "missing.so")))
    not_a_library = tmp_path / "fake.so"
    not_a_library.write_text("not a shared object")
    with pytest.raises(ModuleLoadError, match="Cannot load PKCS#11 module"):
        sign(sample_pdf(), token_key(module=str(not_a_library)))


def test_wrong_pkcs12_passphrase(pkcs12_file, sample_pdf):
    with pytest.raises(WrongPassphrase):
        sign(sample_pdf(), Pkcs12Key(pkcs12_file.path, "wrong"))
    with pytest.raises(KeyNotFound):
        sign(sample_pdf(), Pkcs12Key(pkcs12_file.path.with_suffix(".none"), "x"))


def test_certificate_without_signing_key_usage(pkcs12_factory, sample_pdf):
    p12 = pkcs12_factory("wrong-key-usage")
    with pytest.raises(CertificateError, match="does not allow digital signatures"):
        sign(sample_pdf(), Pkcs12Key(p12.path, p12.passphrase))


def test_revoked_certificate_refused_at_b_lt(pkcs12_factory, pki, sample_pdf):
    p12 = pkcs12_factory("revoked")
    with pytest.raises(CertificateError, match="revoked"):
        sign(sample_pdf(), Pkcs12Key(p12.path, p12.passphrase),
             level=Level.B_LT, tsa_url=pki.tsa_url)  # fmt: skip


def test_unreadable_and_encrypted_pdfs(pkcs12_file, sample_pdf):
    key = Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase)
    with pytest.raises(UnreadablePdf, match="not a PDF"):
        sign(b"hello", key)
    with pytest.raises(UnreadablePdf):
        sign(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF", key)
    encrypted = io.BytesIO()
    with pikepdf.open(io.BytesIO(sample_pdf())) as pdf:
        pdf.save(encrypted, encryption=pikepdf.Encryption(owner="o", user="u"))
    with pytest.raises(EncryptedPdf):
        sign(encrypted.getvalue(), key)


def test_tsa_unreachable(pkcs12_file, sample_pdf):
    key = Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase)
    with pytest.raises(TimestampError, match="127.0.0.1:9"):
        sign(sample_pdf(), key, level=Level.B_T, tsa_url="http://127.0.0.1:9/tsa")
    with pytest.raises(SigningError, match="needs a time-stamping authority"):
        sign(sample_pdf(), key, level=Level.B_T)


def test_field_already_signed(pkcs12_file, sample_pdf):
    key = Pkcs12Key(pkcs12_file.path, pkcs12_file.passphrase)
    out = io.BytesIO()
    sign_pdf(sample_pdf(), out, key, field_name="ky_duyet")
    with pytest.raises(FieldError, match="already signed"):
        sign(out.getvalue(), key, field_name="ky_duyet")
