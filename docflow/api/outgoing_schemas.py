"""Outgoing documents as JSON, and the parts of their request bodies the incoming API has no parser for."""

from __future__ import annotations

import json
from typing import Any

from flask import url_for
from flask_babel import gettext as _

from ..outgoing import services as out
from ..outgoing.models import (
    OutgoingDocument,
    OutgoingEvent,
    OutgoingVersion,
    Recipient,
    RecipientKind,
    ReviewStep,
)
from ..outgoing.views import DELIVERY_LABELS, REVIEW_LABELS, STATUS_LABELS
from . import schemas as s
from .errors import ValidationFailed

# ------------------------------------------------------------------ reading


def _id_list(value: Any, field: str, details: dict[str, str]) -> list[int]:
    if value is None:
        return []
    if not isinstance(value, list):
        details[field] = _("Expected a list.")
        return []
    ids = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, int):
            details[f"{field}[{i}]"] = _("Expected a whole number.")
        else:
            ids.append(item)
    return ids


def recipients(raw: Any) -> list[out.RecipientSpec]:
    """``{"agencies": [id], "departments": [id], "places": ["Lưu: VT"]}``, as an object or its JSON text."""
    if raw in (None, ""):
        return []
    if isinstance(raw, str):
        try:
            raw = json.loads(raw)
        except ValueError:
            raw = None
    details: dict[str, str] = {}
    if not isinstance(raw, dict):
        raise ValidationFailed({"recipients": _("The body must be a JSON object.")})
    for key in raw:
        if key not in ("agencies", "departments", "places"):
            details[f"recipients.{key}"] = _("Unknown field.")
    specs = [
        out.RecipientSpec(RecipientKind.AGENCY, agency_id=i)
        for i in _id_list(raw.get("agencies"), "recipients.agencies", details)
    ]
    specs += [
        out.RecipientSpec(RecipientKind.DEPARTMENT, department_id=i)
        for i in _id_list(raw.get("departments"), "recipients.departments", details)
    ]
    places = raw.get("places") or []
    if not isinstance(places, list):
        details["recipients.places"] = _("Expected a list.")
        places = []
    for i, place in enumerate(places):
        try:
            name = s.text(255, required=True)(place)
        except s.Invalid as exc:
            details[f"recipients.places[{i}]"] = str(exc)
        else:
            specs.append(out.RecipientSpec(RecipientKind.PLACE, name=name or ""))
    if details:
        raise ValidationFailed(details)
    return specs


def id_list(value: Any) -> list[int]:
    """A field parser (for ``s.parse_fields``): a JSON list of whole numbers."""
    details: dict[str, str] = {}
    ids = _id_list(value, "x", details)
    if details:
        raise s.Invalid(next(iter(details.values())))
    return ids


# ------------------------------------------------------------------ writing


def summary(doc: OutgoingDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "status": doc.status.value,
        "status_label": _(STATUS_LABELS[doc.status]),
        "doc_type": doc.doc_type,
        "subject": doc.subject,
        "urgency": doc.urgency.value,
        "secrecy": doc.secrecy.value,
        "department": {"id": doc.department.id, "name": doc.department.name}
        if doc.department
        else None,
        "drafted_by": s.person(doc.drafted_by),
        "signer": s.person(doc.signer),
        "number": doc.number,
        "notation": doc.notation,
        "year": doc.year,
        "number_notation": doc.number_notation,
        "created_at": s.when(doc.created_at),
        "updated_at": s.when(doc.updated_at),
        "signed_at": s.when(doc.signed_at),
        "issued_at": s.when(doc.issued_at),
        "url": url_for("api.get_outgoing", outgoing_id=doc.id),
    }


def _file_url(doc: OutgoingDocument, kind: str) -> str:
    return url_for("api.outgoing_file", outgoing_id=doc.id, kind=kind)


def _version(
    doc: OutgoingDocument, v: OutgoingVersion, content_ok: bool
) -> dict[str, Any]:
    return {
        "number": v.number,
        "state": v.state,
        "error": v.error,
        "note": v.note,
        "created_by": s.person(v.created_by),
        "created_at": s.when(v.created_at),
        "file": s._file(v.file, _file_url(doc, f"v{v.number}"))
        if content_ok and v.file is not None
        else None,
    }


def _review(step: ReviewStep) -> dict[str, Any]:
    return {
        "id": step.id,
        "position": step.position,
        "version": step.version.number,
        "reviewer": s.person(step.reviewer),
        "decision": step.decision,
        "decision_label": _(REVIEW_LABELS[step.decision]),
        "comment": step.comment,
        "decided_at": s.when(step.decided_at),
    }


def _recipient(r: Recipient) -> dict[str, Any]:
    return {
        "id": r.id,
        "kind": r.kind.value,
        "name": r.name,
        "agency": {"id": r.agency.id, "code": r.agency.code, "name": r.agency.name}
        if r.agency
        else None,
        "department_id": r.department_id,
        "delivery": r.delivery.value,
        "delivery_label": _(DELIVERY_LABELS[r.delivery.value]),
        "delivered_at": s.when(r.delivered_at),
    }


def _event(e: OutgoingEvent) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind,
        "actor": s.person(e.actor),
        "text": e.text,
        "at": s.when(e.at),
    }


def detail(doc: OutgoingDocument, *, content_ok: bool) -> dict[str, Any]:
    """Everything the document page shows; file links only for people who may see the content."""
    step = out.current_step(doc)
    body = summary(doc)
    body.update(
        {
            "register": doc.register.name if doc.register else None,
            "issued_by": s.person(doc.issued_by),
            "current_reviewer": s.person(step.reviewer) if step else None,
            "versions": [_version(doc, v, content_ok) for v in doc.versions],
            "reviews": [_review(r) for r in doc.reviews],
            "recipients": [_recipient(r) for r in doc.recipients],
            "timeline": [_event(e) for e in doc.events],
            "signature_report": json.loads(doc.signature_report)
            if doc.signature_report
            else None,
            "content_available": content_ok,
            "replaces_id": doc.replaces_id,
            "revoked_at": s.when(doc.revoked_at),
            "revoke_reason": doc.revoke_reason,
            "files": None,
        }
    )
    if content_ok:
        body["files"] = {
            "issued": s._file(doc.issued_file, _file_url(doc, "issued"))
            if doc.issued_file
            else None,
            "signed": s._file(doc.signed_file, _file_url(doc, "signed"))
            if doc.signed_file
            else None,
            "attachments": [
                dict(
                    s._file(a.sealed_file or a.file, _file_url(doc, f"a{a.id}")),
                    id=a.id,
                    sealed=a.sealed_file is not None,
                )
                for a in doc.attachments
            ],
        }
    return body
