"""CRLs supplied as local files (isolated networks): validate_pdf(crls=...)."""

from __future__ import annotations

import urllib.request
from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import pem
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization

from signing.validate import (
    INDETERMINATE,
    TOTAL_FAILED,
    TOTAL_PASSED,
    load_crls,
    validate_pdf,
)
from tests.signing.test_validate import _only, sign  # noqa: F401 - fixture


@pytest.fixture(scope="module")
def crl_files(pki, tmp_path_factory):
    """The test PKI's CRLs (root and intermediate), downloaded once into files."""
    folder = tmp_path_factory.mktemp("crls")
    paths = []
    for name, url in pki.crl_urls.items():
        with urllib.request.urlopen(url, timeout=10) as resp:  # noqa: S310 - loopback
            der = resp.read()
        path = folder / f"{name}.crl"
        # One as DER, one as PEM: both forms are accepted.
        path.write_bytes(der if name == "root" else pem.armor("X509 CRL", der))
        paths.append(path)
    return paths


def _offline(pki, data, **kw):
    return validate_pdf(
        data, trust_roots=[pki.root_path], allow_fetching=False, isolate=False, **kw
    )


def test_local_crls_let_an_offline_b_b_signature_pass(
    pki,
    sign,  # noqa: F811
    sample_pdf,
    crl_files,
) -> None:
    data = sign(sample_pdf())
    without = _only(_offline(pki, data))
    assert (without.indication, without.sub_indication) == (INDETERMINATE, "TRY_LATER")
    before = sum(pki.hits.values())
    sig = _only(_offline(pki, data, crls=crl_files))
    assert sig.indication == TOTAL_PASSED, sig
    assert sig.trusted and not sig.revoked
    assert sum(pki.hits.values()) == before  # nothing fetched


def test_a_revoked_certificate_in_a_local_crl_fails(
    pki,
    sign,  # noqa: F811
    sample_pdf,
    crl_files,
) -> None:
    data = sign(sample_pdf(), label="revoked")
    sig = _only(_offline(pki, data, crls=crl_files))
    assert (sig.indication, sig.sub_indication) == (TOTAL_FAILED, "REVOKED")
    assert sig.revoked and sig.revocation_date is not None


def test_local_crls_reach_the_sandboxed_child(
    pki,
    sign,  # noqa: F811
    sample_pdf,
    crl_files,
) -> None:
    data = sign(sample_pdf())
    report = validate_pdf(
        data, trust_roots=[pki.root_path], allow_fetching=False, crls=crl_files
    )
    assert _only(report).indication == TOTAL_PASSED, report.to_dict()


def _interm_crl(pki, *, next_update: datetime, key_label: str = "interm") -> bytes:
    """An empty CRL for the intermediate CA with the given nextUpdate."""
    key = serialization.load_pem_private_key(pki.key_path(key_label).read_bytes(), None)
    issuer = x509.load_der_x509_certificate(pki.cert("interm").dump()).subject
    builder = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(issuer)
        .last_update(next_update - timedelta(days=2))
        .next_update(next_update)
    )
    return builder.sign(key, hashes.SHA256()).public_bytes(serialization.Encoding.DER)


def test_a_stale_or_forged_crl_does_not_make_a_signature_pass(
    pki,
    sign,  # noqa: F811
    sample_pdf,
    crl_files,
) -> None:
    data = sign(sample_pdf())
    [root_crl] = [p for p in crl_files if p.name == "root.crl"]
    now = datetime.now(UTC)
    fresh = _interm_crl(pki, next_update=now + timedelta(days=1))
    # Sanity: a current CRL made this way is accepted, so the failures below are
    # about staleness and the signature, not the way the CRL was built.
    assert _only(_offline(pki, data, crls=[root_crl, fresh])).indication == (
        TOTAL_PASSED
    )
    stale = _interm_crl(pki, next_update=now - timedelta(hours=1))
    sig = _only(_offline(pki, data, crls=[root_crl, stale]))
    assert sig.indication == INDETERMINATE, sig
    # Signed by another key than the intermediate CA's.
    forged = _interm_crl(pki, next_update=now + timedelta(days=1), key_label="tsa")
    sig = _only(_offline(pki, data, crls=[root_crl, forged]))
    assert sig.indication == INDETERMINATE, sig


def test_load_crls_refuses_what_is_not_a_crl(pki, tmp_path) -> None:
    with pytest.raises(ValueError, match="cannot read CRL"):
        load_crls([tmp_path / "missing.crl"])
    with pytest.raises(ValueError, match="not a valid CRL"):
        load_crls([pki.root_path])  # a certificate, not a CRL
    report = validate_pdf(b"%PDF-1.7", crls=[b"junk"], isolate=False)
    assert report.reason == "CONFIG_ERROR"
