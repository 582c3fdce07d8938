"""Signing fixtures shared by the whole suite (loaded by tests/conftest.py as a plugin):
a running test PKI, a SoftHSM2 token, PKCS#12 files, sample PDFs, and poppler's pdfsig
as an independent validator. One instance per test session: the PKCS#11 module reads
SOFTHSM2_CONF once per process, so every test must share the same token.

Session fixtures (started once, shared by every signing/validation test):

``pki`` -> ``pki_support.RunningPKI``
    config/pki/certomancer.yml served on http://127.0.0.1:<free port> (thread).
    ``pki.cert(label)`` asn1crypto certificate; ``pki.cert_path(label)`` PEM file;
    ``pki.key_path(label)`` unencrypted PEM key; ``pki.root_path``; ``pki.chain``
    [interm, root]; ``pki.tsa_url``; ``pki.ocsp_url``; ``pki.crl_urls`` {"root",
    "interm"}; ``pki.base_url``; ``pki.arch`` (certomancer PKIArchitecture);
    ``pki.validation_context(**kw)`` pyHanko ValidationContext trusting the root.
    Labels: root, interm, interm-ocsp, tsa, leader-rsa, leader-ec, leader-rsa-ocsp,
    seal, revoked, expired, not-yet-valid, wrong-key-usage, untrusted-root,
    untrusted-leaf (see the header of certomancer.yml).

``softhsm_token`` -> ``pki_support.SoftHSMToken``
    A SoftHSM2 token in a temporary folder, SOFTHSM2_CONF set in os.environ for
    the session. ``.module`` (path of libsofthsm2.so), ``.token_label``
    ("docflow-test"), ``.pin``, ``.so_pin``, ``.keys`` {key label: CKA_ID} for
    "leader-rsa" (RSA-2048), "leader-ec" (P-256) and "seal" (RSA-2048); each key
    has a certificate object with the same label and id. Skips if SoftHSM2 is not
    installed.

``pkcs12_file`` -> ``Pkcs12File(path, passphrase, label)`` for "leader-rsa";
``pkcs12_factory(label, passphrase="...")`` -> ``Pkcs12File`` for any leaf label.

``nss_db`` -> "sql:/path" NSS database trusting the test root (for pdfsig).
``pdfsig(path)`` -> list of dicts, one per signature (keys ``validation``,
    ``certificate``, ``signer``, ``field``, ``total`` ...); skips without poppler.

Function fixture:

``sample_pdf(lines=None, pages=1)`` -> bytes of a one-page A4 draft "Quyết định"
    with Vietnamese text in an embedded font (anchors "Số:", "Thử nghiệm,",
    "KT. CHỦ TỊCH", "PHÓ CHỦ TỊCH", "Trần Thị Bình"), normalised through pikepdf.
    ``pki_support.DRAFT_LINES`` lists the text and positions.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.signing import pki_support

REQUIRE_SERVERS = os.environ.get("DOCFLOW_TEST_REQUIRE_SERVERS") == "1"


def _missing(what: str) -> None:
    """Skip on a developer machine; fail in CI, where scripts/test.sh installs everything."""
    if REQUIRE_SERVERS:
        pytest.fail(
            f"{what} is not installed (scripts/install-system-packages.sh installs it)"
        )
    pytest.skip(f"{what} is not installed")


@dataclass(frozen=True)
class Pkcs12File:
    path: Path
    passphrase: str
    label: str


@pytest.fixture(scope="session")
def pki(tmp_path_factory):
    running = pki_support.start_pki(tmp_path_factory.mktemp("pki"))
    yield running
    running.stop()


@pytest.fixture(scope="session")
def softhsm_token(pki, tmp_path_factory):
    if pki_support.find_softhsm_module() is None:
        _missing("SoftHSM2")
    token = pki_support.create_softhsm_token(tmp_path_factory.mktemp("softhsm"), pki)
    # The PKCS#11 module reads SOFTHSM2_CONF when it is first initialised in this
    # process, so it stays set for the whole session.
    with pytest.MonkeyPatch.context() as mp:
        for key, value in token.env.items():
            mp.setenv(key, value)
        yield token


@pytest.fixture(scope="session")
def pkcs12_factory(pki, tmp_path_factory):
    folder = tmp_path_factory.mktemp("p12")
    made: dict[tuple[str, str], Pkcs12File] = {}

    def make(
        label: str = "leader-rsa",
        passphrase: str = "mật khẩu 123",  # noqa: S107 - test PKI
    ) -> Pkcs12File:
        if (label, passphrase) not in made:
            path = folder / f"{label}-{len(made)}.p12"
            pki_support.make_pkcs12(pki, label, path, passphrase)
            made[label, passphrase] = Pkcs12File(path, passphrase, label)
        return made[label, passphrase]

    return make


@pytest.fixture(scope="session")
def pkcs12_file(pkcs12_factory):
    return pkcs12_factory("leader-rsa")


@pytest.fixture(scope="session")
def _default_sample_pdf():
    return pki_support.make_sample_pdf()


@pytest.fixture
def sample_pdf(_default_sample_pdf):
    def make(lines=None, *, pages: int = 1) -> bytes:
        if lines is None and pages == 1:
            return _default_sample_pdf
        return pki_support.make_sample_pdf(lines, pages=pages)

    return make


@pytest.fixture(scope="session")
def nss_db(pki, tmp_path_factory):
    if not pki_support.pdfsig_available():
        _missing("poppler-utils (pdfsig)")
    return pki_support.make_nss_db(tmp_path_factory.mktemp("nss"), pki.root_path)


@pytest.fixture
def pdfsig(nss_db, tmp_path):
    def run(pdf) -> list[dict[str, str]]:
        if isinstance(pdf, bytes | bytearray):
            path = tmp_path / f"pdfsig-{os.urandom(4).hex()}.pdf"
            path.write_bytes(pdf)
            pdf = path
        return pki_support.run_pdfsig(Path(pdf), nss_db)

    return run
