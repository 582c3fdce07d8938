"""Checks a server makes on what an agent sends back (framework-free).

``added_signature(approved, signed)``: the signed file must be the approved bytes plus
exactly one incremental update that adds one signature covering the whole file, and
that update may change nothing but the signature field (pyHanko's difference analysis,
base revision = the approved one). ``check_certificate``: a certificate a user
registers must chain to the trust roots, be valid now, not revoked, and allow
signatures.
"""

from __future__ import annotations

import asyncio
import io
from dataclasses import dataclass
from datetime import UTC, datetime

from asn1crypto import pem, x509

from .._loop import outside_event_loop

__all__ = [
    "AddedSignature",
    "CheckFailed",
    "added_signature",
    "check_certificate",
    "check_validity",
    "parse_certificate",
]


class CheckFailed(Exception):
    """A check failed; ``code`` is stable, the message is English for operators."""

    def __init__(self, code: str, message: str):
        super().__init__(message)
        self.code = code


@dataclass(frozen=True)
class AddedSignature:
    field_name: str
    signer_cert: bytes  #: DER


def _revisions(data: bytes) -> int:
    from pyhanko.pdf_utils.reader import PdfFileReader

    return PdfFileReader(io.BytesIO(data), strict=False).xrefs.total_revisions


def added_signature(approved: bytes, signed: bytes) -> AddedSignature:
    """Raise :class:`CheckFailed` unless ``signed`` is ``approved`` + one signature only."""
    if len(signed) <= len(approved) or not signed.startswith(approved):
        raise CheckFailed(
            "not_incremental",
            "the file does not start with the approved version's bytes",
        )
    try:
        return _added_signature(approved, signed)
    except CheckFailed:
        raise
    except Exception as exc:  # hostile or broken files: pyHanko raises anything
        raise CheckFailed(
            "unreadable", f"cannot analyse the signed file: {type(exc).__name__}: {exc}"
        ) from exc


def _added_signature(approved: bytes, signed: bytes) -> AddedSignature:
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign.diff_analysis import ModificationLevel, SuspiciousModification
    from pyhanko.sign.validation.status import SignatureCoverageLevel

    base = _revisions(approved)
    reader = PdfFileReader(io.BytesIO(signed), strict=False)
    if reader.xrefs.total_revisions != base + 1:
        raise CheckFailed(
            "extra_revisions",
            f"{reader.xrefs.total_revisions - base} revisions were added; only one signature may be",
        )
    new = [s for s in reader.embedded_signatures if s.signed_revision == base]
    old = [s for s in reader.embedded_signatures if s.signed_revision != base]
    if len(new) != 1 or any(s.signed_revision > base for s in old):
        raise CheckFailed(
            "signature_count",
            f"{len(new)} signatures in the added revision; exactly one is expected",
        )
    sig = new[0]
    if sig.evaluate_signature_coverage() != SignatureCoverageLevel.ENTIRE_FILE:
        raise CheckFailed("coverage", "the new signature does not cover the whole file")
    result = _policy().review_file(reader, base - 1)
    if isinstance(result, SuspiciousModification):
        raise CheckFailed(
            "modified", f"the update changes more than a signature: {result}"
        )
    if result.modification_level > ModificationLevel.FORM_FILLING:
        raise CheckFailed(
            "modified",
            f"the update changes more than a signature ({result.modification_level.name})",
        )
    others = set(result.changed_form_fields) - {sig.field_name}
    if others:
        raise CheckFailed(
            "modified",
            "the update also changes the fields " + ", ".join(sorted(others)),
        )
    return AddedSignature(sig.field_name, sig.signer_cert.dump())


def _policy():
    """pyHanko's default rules, reviewing from the unsigned approved revision.

    Those rules expect the base revision to hold a signature already; the first
    signature of a document also sets ``/SigFlags`` in ``/AcroForm`` (signatures
    exist, append only), a harmless change they would otherwise flag.
    """
    from pyhanko.sign.diff_analysis import (
        DEFAULT_DIFF_POLICY,
        FormUpdatingRule,
        StandardDiffPolicy,
    )
    from pyhanko.sign.diff_analysis.form_rules_api import (
        ACROFORM_EXEMPT_STRICT_COMPARISON,
    )

    form = DEFAULT_DIFF_POLICY.form_rule
    return StandardDiffPolicy(
        global_rules=DEFAULT_DIFF_POLICY.global_rules,
        form_rule=FormUpdatingRule(
            field_rules=form.field_rules,
            ignored_acroform_keys=ACROFORM_EXEMPT_STRICT_COMPARISON | {"/SigFlags"},
        ),
    )


def parse_certificate(data: bytes) -> x509.Certificate:
    """One certificate from PEM or DER bytes; ValueError otherwise."""
    try:
        if pem.detect(data):
            blocks = list(pem.unarmor(data, multiple=True))
            if len(blocks) != 1 or blocks[0][0] != "CERTIFICATE":
                raise ValueError("expected exactly one PEM CERTIFICATE block")
            data = blocks[0][2]
        cert = x509.Certificate.load(data)
        cert.native  # noqa: B018 - parse fully
        return cert
    except (ValueError, TypeError, KeyError) as exc:
        raise ValueError(f"not a certificate: {exc}") from exc


def check_validity(cert: x509.Certificate, at: datetime | None = None) -> None:
    """Raise :class:`CheckFailed` ("expired") unless ``cert`` is valid at ``at`` (now).

    Needs no trust roots and no network: the signing agent runs it before asking for
    the PIN, so a leader with an expired token learns it at once.
    """
    at = at or datetime.now(UTC)
    validity = cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    if at < not_before:
        raise CheckFailed(
            "expired",
            f"the certificate is not valid before {not_before:%Y-%m-%d %H:%M}",
        )
    if at > not_after:
        raise CheckFailed(
            "expired", f"the certificate expired on {not_after:%Y-%m-%d %H:%M}"
        )


def _load(items) -> list[x509.Certificate]:  # type: ignore[no-untyped-def]
    """Certificates given as asn1crypto objects or as PEM/DER file paths."""
    from ..keys import load_certificates

    certs = [c for c in items if isinstance(c, x509.Certificate)]
    return certs + load_certificates(
        [c for c in items if not isinstance(c, x509.Certificate)]
    )


@outside_event_loop
def check_certificate(
    cert: x509.Certificate,
    *,
    trust_roots=(),
    other_certs=(),
    allow_fetching: bool = True,
) -> None:
    """Raise :class:`CheckFailed` (untrusted, revoked, expired, key_usage) or return.

    ``trust_roots`` and ``other_certs`` are asn1crypto certificates or PEM/DER paths.
    """
    from pyhanko_certvalidator import CertificateValidator, ValidationContext
    from pyhanko_certvalidator import errors as cv

    usage = cert.key_usage_value
    if usage is not None and not (
        {"digital_signature", "non_repudiation"} & set(usage.native)
    ):
        raise CheckFailed(
            "key_usage", "the certificate does not allow digital signatures"
        )
    context = ValidationContext(
        trust_roots=_load(trust_roots), other_certs=_load(other_certs),
        allow_fetching=allow_fetching, revocation_mode="soft-fail",
    )  # fmt: skip
    validator = CertificateValidator(cert, validation_context=context)
    try:
        asyncio.run(validator.async_validate_path())
    except cv.RevokedError as exc:
        raise CheckFailed("revoked", f"the certificate is revoked: {exc}") from exc
    except (cv.ExpiredError, cv.NotYetValidError) as exc:
        raise CheckFailed(
            "expired", f"the certificate is expired or not yet valid: {exc}"
        ) from exc
    except (
        cv.PathBuildingError,
        cv.PathValidationError,
        cv.InvalidCertificateError,
        cv.ValidationError,
    ) as exc:
        raise CheckFailed(
            "untrusted", f"the certificate does not chain to a trusted root: {exc}"
        ) from exc
