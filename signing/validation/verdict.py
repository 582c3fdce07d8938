"""Our own rules on top of pyHanko's verdict: changes after signing, signing-time
checks, and the plain-language messages. See docs/validation.md for the decisions.
"""

from __future__ import annotations

from datetime import datetime

from pyhanko.sign.diff_analysis import (
    DiffResult,
    ModificationLevel,
    SuspiciousModification,
)
from pyhanko.sign.validation.status import SignatureCoverageLevel

from .changes import find_changes
from .messages import CHANGED_AFTER_SIGNING, sub_indication_message
from .report import INDETERMINATE, TOTAL_FAILED, TOTAL_PASSED, SignatureReport

_GOOD_COVERAGE = (
    SignatureCoverageLevel.ENTIRE_FILE,
    SignatureCoverageLevel.ENTIRE_REVISION,
)

#: change category -> (vi, en) fragment of the message
_CHANGE_TEXT = {
    "coverage": (
        "chữ ký không bao phủ toàn bộ phiên bản đã ký",
        "the signature does not cover its whole revision",
    ),
    "structure": (
        "có thay đổi cấu trúc không được phép",
        "disallowed structural changes",
    ),
    "content": (
        "nội dung trang bị thay thế hoặc bổ sung",
        "page content replaced or added",
    ),
    "annotations": (
        "thêm hoặc sửa chú thích có thể che nội dung",
        "annotations added or changed that can cover content",
    ),
    "fields": ("điền trường ngoài dự kiến", "unexpected fields filled"),
}


def _parse(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def judge_changes(rep: SignatureReport, es, reader, allowed_fields: set[str]):
    """Downgrade a signature whose document changed in ways we do not accept.

    TOTAL-FAILED FORMAT_FAILURE: partial coverage, changes pyHanko's policy rejects
    (or beyond the DocMDP level), page content replaced or added (our own check).
    INDETERMINATE SIG_CONSTRAINTS_FAILURE: annotations added or changed, or form
    fields filled that are neither signature fields nor ``allowed_fields``.
    """
    coverage, diff = es.coverage, es.diff_result
    rep.coverage = coverage.name if coverage is not None else None
    level = None
    if isinstance(diff, DiffResult):
        level = diff.modification_level
        if level >= ModificationLevel.FORM_FILLING:
            # at LTA_UPDATES pyHanko still lists fields filled *before* this
            # signature (seen with a DSS update after a seal): ignore it there
            rep.changed_fields = sorted(str(f) for f in diff.changed_form_fields)
    elif isinstance(diff, SuspiciousModification):
        level = ModificationLevel.OTHER
        rep.change_details.append(f"pyHanko: {diff}"[:300])
    rep.modification_level = level.name if level is not None else None
    docmdp = es.docmdp_level
    if level is not None:
        rep.docmdp_ok = not (
            level == ModificationLevel.OTHER
            or (docmdp is not None and level.value > docmdp.value)
        )
    found = find_changes(reader, es.signed_revision, allowed_fields)
    rep.changed_fields = sorted(set(rep.changed_fields) | found.fields)
    rep.unexpected_changed_fields = sorted(set(rep.changed_fields) - allowed_fields)
    rep.change_details += found.content + found.annotations
    if rep.unexpected_changed_fields:
        rep.change_details.append(
            "fields changed: " + ", ".join(rep.unexpected_changed_fields)
        )
    categories = []
    if coverage not in _GOOD_COVERAGE:
        categories.append("coverage")
        rep.change_details.append(f"signature covers {rep.coverage}")
    if level == ModificationLevel.OTHER or rep.docmdp_ok is False:
        categories.append("structure")
    if found.content:
        categories.append("content")
    severe = bool(categories)
    if level == ModificationLevel.ANNOTATIONS or found.annotations:
        categories.append("annotations")
    if rep.unexpected_changed_fields:
        categories.append("fields")
    rep.changed_after_signing = bool(categories)
    rep.change_categories = categories
    if severe and rep.indication != TOTAL_FAILED:
        rep.indication, rep.sub_indication = TOTAL_FAILED, "FORMAT_FAILURE"
    elif categories and rep.indication == TOTAL_PASSED:
        rep.indication, rep.sub_indication = INDETERMINATE, "SIG_CONSTRAINTS_FAILURE"
    rep.change_details = list(dict.fromkeys(rep.change_details))


def check_times(rep: SignatureReport, es, best: datetime | None):
    """Compare the claimed and proven signing times with the certificate.

    pyHanko validates at the current time (or at the proof of existence) but does
    not compare the signer's own claimed time with the certificate: a signature
    claiming a time before notBefore is TOTAL-FAILED NOT_YET_VALID; a revoked
    certificate whose signature claims (or is proven) to be made after the
    revocation date is TOTAL-FAILED REVOKED; a claimed or timestamped time after
    notAfter leaves it INDETERMINATE OUT_OF_BOUNDS_NO_POE.
    """
    validity = es.signer_cert["tbs_certificate"]["validity"]
    not_before = validity["not_before"].native
    not_after = validity["not_after"].native
    claimed = es.self_reported_timestamp
    proven = _parse(rep.timestamp_time)
    if any(t is not None and t < not_before for t in (claimed, proven)):
        rep.indication, rep.sub_indication = TOTAL_FAILED, "NOT_YET_VALID"
    elif rep.sub_indication in ("REVOKED_NO_POE", "REVOKED") and rep.revocation_date:
        made = claimed or proven or best
        if made is not None and made >= _parse(rep.revocation_date):
            rep.indication, rep.sub_indication = TOTAL_FAILED, "REVOKED"
    elif any(t is not None and t > not_after for t in (claimed, proven)):
        # made (by its own claim) or proven to exist only after expiry
        rep.indication, rep.sub_indication = INDETERMINATE, "OUT_OF_BOUNDS_NO_POE"


def set_messages(rep: SignatureReport):
    """Vietnamese and English message for the final indication."""
    if rep.changed_after_signing and rep.sub_indication in (
        "FORMAT_FAILURE",
        "SIG_CONSTRAINTS_FAILURE",
    ):
        vi, en = CHANGED_AFTER_SIGNING
        parts = [_CHANGE_TEXT[c] for c in rep.change_categories]
        vi += ": " + "; ".join(p[0] for p in parts)
        en += ": " + "; ".join(p[1] for p in parts)
        if rep.unexpected_changed_fields:
            names = ", ".join(rep.unexpected_changed_fields)
            vi, en = f"{vi} ({names})", f"{en} ({names})"
        vi, en = vi + ".", en + "."
    else:
        vi, en = sub_indication_message(
            None if rep.indication == TOTAL_PASSED else rep.sub_indication
        )
        if rep.changed_after_signing:
            vi += " " + CHANGED_AFTER_SIGNING[0] + "."
            en += " " + CHANGED_AFTER_SIGNING[1] + "."
    if rep.kind == "document_timestamp":
        vi, en = "Dấu thời gian: " + vi, "Document timestamp: " + en
    rep.message_vi, rep.message_en = vi, en
