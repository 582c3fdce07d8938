"""Validate the signatures in a PDF: ``validate_pdf(data, trust_roots=[...])``.

Never raises on bad input: malformed, encrypted, truncated or hostile files give an
INDETERMINATE report with a reason. By default pyHanko runs in a child process with a
timeout and a memory limit (signing/validation/sandbox.py).
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from typing import BinaryIO

from asn1crypto import crl as asn1_crl
from asn1crypto import pem
from asn1crypto import x509 as asn1_x509

from .validation import (
    INDETERMINATE,
    TOTAL_FAILED,
    TOTAL_PASSED,
    SignatureReport,
    SignerInfo,
    ValidationOptions,
    ValidationReport,
    ValidatorPool,
    validate_bytes,
)
from .validation.sandbox import default_pool

__all__ = [
    "INDETERMINATE",
    "TOTAL_FAILED",
    "TOTAL_PASSED",
    "SignatureReport",
    "SignerInfo",
    "ValidationReport",
    "ValidatorPool",
    "load_certificates",
    "load_crls",
    "validate_pdf",
]

DEFAULT_MAX_SIZE = 100 * 1024 * 1024
Source = bytes | bytearray | memoryview | str | os.PathLike | BinaryIO
CertSource = bytes | str | os.PathLike | asn1_x509.Certificate
CrlSource = bytes | str | os.PathLike | asn1_crl.CertificateList


def load_certificates(items: Iterable[CertSource]) -> tuple[bytes, ...]:
    """DER bytes of certificates given as paths, PEM/DER bytes or asn1crypto objects.

    A PEM file may hold several certificates. Raises ValueError on anything else, so
    call it at start-up to catch configuration mistakes early.
    """
    return _load_der(
        items, asn1_x509.Certificate, "certificate", to_der=_cryptography_der
    )


def _cryptography_der(item: object) -> bytes | None:
    """DER of a ``cryptography`` certificate object, None for anything else."""
    if not hasattr(item, "public_bytes"):
        return None
    from cryptography.hazmat.primitives.serialization import Encoding

    return item.public_bytes(Encoding.DER)


def _load_der(
    items, asn1_type, what: str, to_der=lambda item: None
) -> tuple[bytes, ...]:  # type: ignore[no-untyped-def]
    """DER blobs of ``asn1_type`` from objects, paths or PEM/DER bytes, fully parsed.

    A PEM file may hold several blocks; anything unreadable raises ValueError.
    """
    result: list[bytes] = []
    for item in items:
        if isinstance(item, asn1_type):
            result.append(item.dump())
            continue
        der = to_der(item)
        if der is not None:
            result.append(der)
            continue
        if isinstance(item, str | os.PathLike):
            try:
                with open(item, "rb") as f:
                    raw = f.read()
            except OSError as exc:
                raise ValueError(f"cannot read {what} {item}: {exc}") from exc
        elif isinstance(item, bytes):
            raw = item
        else:
            raise ValueError(f"not a {what}: {type(item).__name__}")
        blobs = (
            [der for _, _, der in pem.unarmor(raw, multiple=True)]
            if pem.detect(raw)
            else [raw]
        )
        for der in blobs:
            try:
                asn1_type.load(der).native  # noqa: B018 - parse fully
            except (ValueError, TypeError, KeyError) as exc:
                raise ValueError(f"not a valid {what}: {exc}") from exc
            result.append(der)
    return tuple(result)


def load_crls(items: Iterable[CrlSource]) -> tuple[bytes, ...]:
    """DER bytes of CRLs given as paths, PEM/DER bytes or asn1crypto objects.

    A PEM file may hold several CRLs. Only the syntax is checked here: whether a CRL
    is signed by its issuer and still current is judged at each validation. Raises
    ValueError on anything else, so call it at start-up.
    """
    return _load_der(items, asn1_crl.CertificateList, "CRL")


def _read(source: Source, max_size: int) -> bytes:
    if isinstance(source, bytes | bytearray | memoryview):
        data = bytes(source)
    elif isinstance(source, str | os.PathLike):
        with open(source, "rb") as f:
            data = f.read(max_size + 1)
    else:
        data = source.read(max_size + 1)
    if len(data) > max_size:
        raise OverflowError
    return data


def validate_pdf(
    source: Source,
    *,
    trust_roots: Iterable[CertSource] = (),
    allow_fetching: bool = True,
    expected_changed_fields: Iterable[str] = (),
    later_signed_fields: Iterable[str] = (),
    other_certs: Iterable[CertSource] = (),
    fetch_certificates: bool = False,
    timeout: float = 60.0,
    isolate: bool = True,
    pool: ValidatorPool | None = None,
    max_size: int = DEFAULT_MAX_SIZE,
    crl_cache_seconds: float = 900.0,
    crls: Iterable[CrlSource] = (),
) -> ValidationReport:
    """Validate every signature and document timestamp in a PDF. Never raises.

    ``crl_cache_seconds``: fetched CRLs are reused until their nextUpdate, at most
    this long (0 fetches them every time; see ``validation/crl_cache.py``).

    ``crls``: CRLs supplied locally (files, for isolated networks where the CAs'
    CRLs cannot be fetched), used beside any fetched or embedded revocation data.
    pyHanko still checks each one's signature, issuer and freshness: a CRL past its
    nextUpdate does not count as revocation information.

    ``expected_changed_fields``: form fields the caller itself filled after signing
    (e.g. ``so_ky_hieu``, ``ngay_ban_hanh``); any other change after a signature
    keeps that signature from TOTAL-PASSED. ``later_signed_fields``: fields another
    party may have filled after a signature, accepted only when a later signature
    (the agency seal over the number and date, NĐ 30/2020) covers them, so never
    after the last signature. ``isolate=False`` runs pyHanko in this
    process (faster, but with no time or memory limit: trusted input only).
    """
    try:
        options = ValidationOptions(
            trust_roots=load_certificates(trust_roots),
            other_certs=load_certificates(other_certs),
            allow_fetching=allow_fetching,
            fetch_certificates=fetch_certificates,
            expected_changed_fields=frozenset(expected_changed_fields),
            later_signed_fields=frozenset(later_signed_fields),
            crl_cache_seconds=crl_cache_seconds,
            crls=load_crls(crls),
        )
    except (ValueError, TypeError) as exc:
        return ValidationReport.failure("CONFIG_ERROR", str(exc))
    try:
        data = _read(source, max_size)
    except OverflowError:
        return ValidationReport.failure("TOO_LARGE", f"more than {max_size} bytes")
    except (OSError, ValueError, TypeError, AttributeError) as exc:
        return ValidationReport.failure("UNREADABLE", str(exc))
    if not isolate:
        return validate_bytes(data, options)
    return (pool or default_pool()).validate(data, options, timeout)
