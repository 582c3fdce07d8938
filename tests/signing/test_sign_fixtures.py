"""The shared PKI, token and sample-PDF fixtures work (validation tests use them)."""

import io
import subprocess
import urllib.request

import pikepdf
from asn1crypto import crl
from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign import signers
from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session
from pyhanko.sign.validation import validate_pdf_signature


def test_pki_serves_crls_and_certificates(pki):
    with urllib.request.urlopen(pki.crl_urls["interm"], timeout=10) as resp:  # noqa: S310
        crl_list = crl.CertificateList.load(resp.read())
    revoked = {
        entry["user_certificate"].native
        for entry in crl_list["tbs_cert_list"]["revoked_certificates"]
    }
    assert pki.cert("revoked").serial_number in revoked
    assert pki.cert("leader-rsa").serial_number not in revoked
    assert pki.cert("leader-rsa").subject.native["common_name"] == "Nguyễn Văn An"
    assert pki.cert_path("root").read_bytes().startswith(b"-----BEGIN CERTIFICATE")


def test_sample_pdf_has_extractable_vietnamese_text(sample_pdf, tmp_path):
    path = tmp_path / "draft.pdf"
    path.write_bytes(sample_pdf())
    text = subprocess.run(  # noqa: S603
        ["pdftotext", str(path), "-"],  # noqa: S607
        capture_output=True,
        text=True,
        check=True,  # noqa: S607
    ).stdout
    assert "KT. CHỦ TỊCH" in text
    assert "Trần Thị Bình" in text
    with pikepdf.open(io.BytesIO(sample_pdf(pages=3))) as pdf:
        assert len(pdf.pages) == 3


def test_token_and_pkcs12_sign_with_raw_pyhanko(
    pki, softhsm_token, pkcs12_file, sample_pdf, pdfsig
):
    signed = []
    with open_pkcs11_session(
        softhsm_token.module,
        token_criteria=TokenCriteria(label=softhsm_token.token_label),
        user_pin=softhsm_token.pin,
    ) as session:
        for label in softhsm_token.keys:
            # SoftHSM 2.6 has no CKM_ECDSA_SHA256: hash in software, sign raw
            signer = PKCS11Signer(
                session,
                key_label=label,
                cert_label=label,
                ca_chain=pki.chain,
                use_raw_mechanism=label.endswith("-ec"),
            )
            out = signers.sign_pdf(
                IncrementalPdfFileWriter(io.BytesIO(sample_pdf())),
                signers.PdfSignatureMetadata(field_name="Sig1"),
                signer=signer,
            )
            signed.append(out.getvalue())
    p12 = signers.SimpleSigner.load_pkcs12(
        str(pkcs12_file.path), passphrase=pkcs12_file.passphrase.encode()
    )
    signed.append(
        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(sample_pdf())),
            signers.PdfSignatureMetadata(field_name="Sig1"),
            signer=p12,
        ).getvalue()
    )
    for data in signed:
        sig = PdfFileReader(io.BytesIO(data)).embedded_signatures[0]
        status = validate_pdf_signature(sig, pki.validation_context())
        assert status.bottom_line, status.pretty_print_details()
        (result,) = pdfsig(data)
        assert result["validation"] == "Signature is Valid."
        assert result["certificate"] == "Certificate is Trusted."
