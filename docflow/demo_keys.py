"""Demo signing keys: a throw-away demo CA, the provincial leader's key and the agency seal.

Only for ``docflow demo``: the certificates say "DEMO — KHÔNG CÓ GIÁ TRỊ PHÁP LÝ" (no legal
value) and name no revocation service; the demo CA's CRL (empty, valid one year,
``instance/demo-pki/demo-root.crl``, made again when it is within 30 days of its
nextUpdate) is given to the validator as a local file (``REVOCATION_FILES``), so the
demo's signatures validate TOTAL-PASSED offline. The PKCS#12 passphrase lives in
``instance/demo-pki/passphrase``. Real deployments register real keys with
``docflow keys add``.
"""

from __future__ import annotations

import os
import secrets
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs12
from cryptography.x509.oid import NameOID

PASSPHRASE_ENV = "DOCFLOW_DEMO_KEY_PASSPHRASE"
MARK = "DEMO - KHÔNG CÓ GIÁ TRỊ PHÁP LÝ"
CRL_VALIDITY = timedelta(days=365)
#: a CRL closer than this to its nextUpdate is made again when the demo runs
CRL_RENEW_BEFORE = timedelta(days=30)


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "VN"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, MARK),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _certificate(
    subject: str, key, issuer_name, issuer_key, *, ca: bool
) -> x509.Certificate:  # type: ignore[no-untyped-def]
    now = datetime.now(UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(issuer_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=3 * 365))
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=not ca,
                content_commitment=not ca,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=ca,
                crl_sign=ca,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
    )
    return builder.sign(issuer_key, hashes.SHA256())


def ensure_demo_crl(folder: Path, ca_cert, ca_key) -> Path:  # type: ignore[no-untyped-def]
    """The demo CA's (empty) CRL, made again when missing, from another CA, or due."""
    path = folder / "demo-root.crl"
    now = datetime.now(UTC)
    if path.exists():
        try:
            current = x509.load_pem_x509_crl(path.read_bytes())
            if (
                current.issuer == ca_cert.subject
                and current.is_signature_valid(ca_cert.public_key())
                and current.next_update_utc is not None
                and current.next_update_utc > now + CRL_RENEW_BEFORE
            ):
                return path
        except ValueError:
            pass  # unreadable: made again below
    crl = (
        x509.CertificateRevocationListBuilder()
        .issuer_name(ca_cert.subject)
        .last_update(now - timedelta(minutes=5))
        .next_update(now + CRL_VALIDITY)
        .add_extension(x509.CRLNumber(int(now.timestamp())), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    tmp = path.with_suffix(".crl.tmp")
    tmp.write_bytes(crl.public_bytes(serialization.Encoding.PEM))
    tmp.replace(path)  # never a half-written CRL for a running server
    return path


def ensure_demo_keys(
    folder: Path, people: dict[str, str]
) -> tuple[Path, dict[str, Path], str]:
    """Create (once) the demo CA and one PKCS#12 per entry of ``people`` (label -> common name).

    Also keeps the demo CA's CRL current (``ensure_demo_crl``). Returns the CA
    certificate path, label -> PKCS#12 path, and the passphrase.
    """
    folder.mkdir(parents=True, exist_ok=True)
    secret_file = folder / "passphrase"
    if not secret_file.exists():
        fd = os.open(secret_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(24))
    passphrase = secret_file.read_text().strip()
    ca_path = folder / "demo-root.pem"
    ca_key_path = folder / "demo-root.key"
    if not ca_path.exists():
        ca_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        ca_cert = _certificate(
            "Docflow Demo Root CA",
            ca_key,
            _name("Docflow Demo Root CA"),
            ca_key,
            ca=True,
        )
        ca_key_path.write_bytes(
            ca_key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.BestAvailableEncryption(passphrase.encode()),
            )
        )
        os.chmod(ca_key_path, 0o600)
        ca_path.write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    ca_cert = x509.load_pem_x509_certificate(ca_path.read_bytes())
    ca_key = serialization.load_pem_private_key(
        ca_key_path.read_bytes(), passphrase.encode()
    )
    ensure_demo_crl(folder, ca_cert, ca_key)
    files = {}
    for label, common_name in people.items():
        path = folder / f"{label}.p12"
        if not path.exists():
            key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
            cert = _certificate(common_name, key, ca_cert.subject, ca_key, ca=False)
            data = pkcs12.serialize_key_and_certificates(
                label.encode(),
                key,
                cert,
                [ca_cert],
                serialization.BestAvailableEncryption(passphrase.encode()),
            )
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
        files[label] = path
    return ca_path, files, passphrase
