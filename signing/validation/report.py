"""Validation report: plain dataclasses with a stable JSON layout.

The layout is what `docflow verify --json` prints and what the web app stores, so
fields are only ever added, never renamed. ``from_dict`` exists because the report
crosses a process boundary (the sandboxed worker sends JSON, not pickles).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from typing import Any

from .messages import REPORT_MESSAGES

#: ETSI EN 319 102-1 main indications.
TOTAL_PASSED = "TOTAL-PASSED"
INDETERMINATE = "INDETERMINATE"
TOTAL_FAILED = "TOTAL-FAILED"

_SEVERITY = {TOTAL_PASSED: 0, INDETERMINATE: 1, TOTAL_FAILED: 2}


@dataclass
class SignerInfo:
    common_name: str | None = None
    subject: str | None = None
    serial_number: str | None = None  #: hexadecimal, upper case
    issuer: str | None = None
    valid_from: str | None = None
    valid_to: str | None = None


@dataclass
class SignatureReport:
    """Result for one signature field or document timestamp."""

    field_name: str
    kind: str  #: "signature" or "document_timestamp"
    indication: str
    sub_indication: str | None
    message_vi: str
    message_en: str
    signer: SignerInfo = field(default_factory=SignerInfo)
    #: time claimed by the signer (signingTime attribute or /M), ISO 8601
    signing_time: str | None = None
    #: time proven by the signature timestamp (or the document timestamp itself)
    timestamp_time: str | None = None
    #: earliest proven existence according to the AdES engine
    best_signature_time: str | None = None
    sub_filter: str | None = None
    pades_level: str | None = None  #: B-B, B-T, B-LT, B-LTA (PKCS7-* for adbe)
    intact: bool | None = None
    crypto_valid: bool | None = None
    trusted: bool | None = None
    revoked: bool | None = None
    revocation_date: str | None = None
    coverage: str | None = None  #: ENTIRE_FILE, ENTIRE_REVISION, CONTIGUOUS_BLOCK...
    modification_level: str | None = None  #: NONE, LTA_UPDATES, FORM_FILLING...
    docmdp: str | None = None  #: certification level if the document is certified
    docmdp_ok: bool | None = None
    changed_fields: list[str] = field(default_factory=list)
    unexpected_changed_fields: list[str] = field(default_factory=list)
    changed_after_signing: bool = False
    #: coverage, structure, content, annotations, fields
    change_categories: list[str] = field(default_factory=list)
    change_details: list[str] = field(default_factory=list)  #: English, for operators
    signed_revision: int | None = None
    details: str | None = None  #: engine message, English, for operators

    @property
    def passed(self) -> bool:
        return self.indication == TOTAL_PASSED

    def to_dict(self) -> dict[str, Any]:
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SignatureReport:
        data = dict(data)
        signer = SignerInfo(**data.pop("signer", None) or {})
        known = {f.name for f in dataclasses.fields(cls)}
        return cls(signer=signer, **{k: v for k, v in data.items() if k in known})


@dataclass
class ValidationReport:
    """Result for a whole file. ``reason`` is set when no signature could be read."""

    signatures: list[SignatureReport] = field(default_factory=list)
    #: NOT_PDF, ENCRYPTED, MALFORMED, TIMEOUT, RESOURCE_LIMIT, TOO_LARGE, UNREADABLE,
    #: INTERNAL_ERROR, CONFIG_ERROR, NO_SIGNATURE
    reason: str | None = None
    reason_details: str | None = None
    revisions: int | None = None
    elapsed_ms: float | None = None

    @property
    def indication(self) -> str:
        if self.reason is not None or not self.signatures:
            return INDETERMINATE
        return max((s.indication for s in self.signatures), key=_SEVERITY.__getitem__)

    @property
    def exit_code(self) -> int:
        """0: every signature TOTAL-PASSED, 1: any TOTAL-FAILED, 2: otherwise."""
        if any(s.indication == TOTAL_FAILED for s in self.signatures):
            return 1
        if (
            self.reason is None
            and self.signatures
            and all(s.passed for s in self.signatures)
        ):
            return 0
        return 2

    @property
    def message_vi(self) -> str:
        return self._message()[0]

    @property
    def message_en(self) -> str:
        return self._message()[1]

    def _message(self) -> tuple[str, str]:
        reason = self.reason or ("NO_SIGNATURE" if not self.signatures else None)
        if reason is not None:
            return REPORT_MESSAGES.get(reason, REPORT_MESSAGES["INTERNAL_ERROR"])
        counts = {k: sum(s.indication == k for s in self.signatures) for k in _SEVERITY}
        n = len(self.signatures)
        if counts[TOTAL_PASSED] == n:
            return (
                f"Tất cả {n} chữ ký hợp lệ.",
                f"All {n} signature(s) are valid.",
            )
        return (
            f"{counts[TOTAL_PASSED]}/{n} chữ ký hợp lệ, "
            f"{counts[TOTAL_FAILED]} không hợp lệ, "
            f"{counts[INDETERMINATE]} chưa xác định.",
            f"{counts[TOTAL_PASSED]}/{n} signature(s) valid, "
            f"{counts[TOTAL_FAILED]} failed, {counts[INDETERMINATE]} indeterminate.",
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "summary": {
                "indication": self.indication,
                "exit_code": self.exit_code,
                "signature_count": len(self.signatures),
                "passed": sum(s.passed for s in self.signatures),
                "failed": sum(s.indication == TOTAL_FAILED for s in self.signatures),
                "indeterminate": sum(
                    s.indication == INDETERMINATE for s in self.signatures
                ),
                "reason": self.reason,
                "reason_details": self.reason_details,
                "message_vi": self.message_vi,
                "message_en": self.message_en,
                "revisions": self.revisions,
                "elapsed_ms": self.elapsed_ms,
            },
            "signatures": [s.to_dict() for s in self.signatures],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> ValidationReport:
        summary = data.get("summary", {})
        return cls(
            signatures=[
                SignatureReport.from_dict(s) for s in data.get("signatures", [])
            ],
            reason=summary.get("reason"),
            reason_details=summary.get("reason_details"),
            revisions=summary.get("revisions"),
            elapsed_ms=summary.get("elapsed_ms"),
        )

    @classmethod
    def failure(cls, reason: str, details: str | None = None) -> ValidationReport:
        """A report for a file whose signatures could not be examined at all."""
        return cls(reason=reason, reason_details=details)
