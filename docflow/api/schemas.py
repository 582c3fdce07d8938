"""Reading request bodies (with per-field errors) and writing documents as JSON."""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Callable
from datetime import date, datetime
from typing import Any

from flask import request, url_for
from flask_babel import gettext as _

from ..auth.models import User
from ..documents.models import Assignment, Event, ExtensionRequest, IncomingDocument
from ..documents.views import STATUS_LABELS
from ..documents.vocab import TYPE_NAMES, Secrecy, Urgency
from ..files.models import StoredFile
from .errors import ApiError, ValidationFailed

# ------------------------------------------------------------------ reading


class Invalid(ValueError):
    """A field's value is wrong; ``args[0]`` is the translated message."""


def text(max_length: int, required: bool = False) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise Invalid(_("Expected text."))
        value = unicodedata.normalize("NFC", value).strip()
        if required and not value:
            raise Invalid(_("This field is required."))
        if len(value) > max_length:
            raise Invalid(_("At most %(n)d characters.", n=max_length))
        return value

    return parse


def iso_date(value: Any) -> date | None:
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            return date.fromisoformat(value)
        except ValueError:
            pass
    raise Invalid(_("Expected a date as YYYY-MM-DD."))


def required_date(value: Any) -> date:
    parsed = iso_date(value)
    if parsed is None:
        raise Invalid(_("This field is required."))
    return parsed


def integer(
    minimum: int | None = None, maximum: int | None = None, required: bool = False
) -> Callable[[Any], int | None]:
    def parse(value: Any) -> int | None:
        if value in (None, ""):
            if required:
                raise Invalid(_("This field is required."))
            return None
        if isinstance(value, str) and value.strip().lstrip("-").isdigit():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise Invalid(_("Expected a whole number."))
        if (minimum is not None and value < minimum) or (
            maximum is not None and value > maximum
        ):
            raise Invalid(
                _(
                    "Expected a number from %(min)d to %(max)d.",
                    min=minimum or 0,
                    max=maximum or 0,
                )
            )
        return value

    return parse


def boolean(value: Any) -> bool:
    if value in (None, ""):
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "1", "false", "0"):
        return value.lower() in ("true", "1")
    raise Invalid(_("Expected true or false."))


def choice(choices: list[str]) -> Callable[[Any], str | None]:
    def parse(value: Any) -> str | None:
        if value in (None, ""):
            return None
        if value not in choices:
            raise Invalid(
                _("Expected one of: %(choices)s.", choices=", ".join(choices))
            )
        return value

    return parse


def _issuer_code(value: Any) -> str | None:
    return (text(13)(value) or "").upper() or None


#: The document's metadata, as in the web forms (NĐ 30 Phụ lục VI).
METADATA: dict[str, Callable[[Any], Any]] = {
    "issuer_name": text(200),
    "issuer_code": _issuer_code,
    "code_number": text(11),
    "code_notation": text(30),
    "issued_date": iso_date,
    "doc_type": choice(TYPE_NAMES),
    "subject": text(500),
    "signer_name": text(50),
    "signer_position": text(100),
    "page_count": integer(1, 9999),
    "urgency": choice([u.value for u in Urgency]),
    "secrecy": choice([s.value for s in Secrecy]),
    "due_date": iso_date,
}


def parse_fields(
    data: dict[str, Any],
    fields: dict[str, Callable[[Any], Any]],
    required: tuple[str, ...] = (),
) -> dict[str, Any]:
    """Check ``data`` against ``fields``; raise ValidationFailed with every problem at once.

    Only keys present in ``data`` (and the required ones) appear in the result.
    """
    details: dict[str, str] = {}
    out: dict[str, Any] = {}
    for key in data:
        if key not in fields:
            details[key] = _("Unknown field.")
    for key, parse in fields.items():
        if key not in data:
            if key in required:
                details[key] = _("This field is required.")
            continue
        try:
            out[key] = parse(data[key])
        except Invalid as exc:
            details[key] = str(exc)
    if details:
        raise ValidationFailed(details)
    return out


def metadata_values(values: dict[str, Any]) -> dict[str, Any]:
    """Metadata as the services take it (enums, no None for the text columns that are NOT NULL)."""
    out = dict(values)
    for key in ("issuer_name", "code_number", "code_notation", "subject"):
        if key in out and out[key] is None:
            out[key] = ""
    if out.get("urgency"):
        out["urgency"] = Urgency(out["urgency"])
    else:
        out.pop("urgency", None)
    if out.get("secrecy"):
        out["secrecy"] = Secrecy(out["secrecy"])
    else:
        out.pop("secrecy", None)
    if "doc_type" in out and not out["doc_type"]:
        out.pop("doc_type")
    return out


def json_body() -> dict[str, Any]:
    """The request's JSON object (an empty body counts as ``{}``)."""
    if not request.get_data(cache=True):
        return {}
    if not request.is_json:
        raise ApiError(415)
    data = request.get_json(silent=True)
    if data is None:
        raise ApiError(400, "invalid_json", _("The body is not valid JSON."))
    if not isinstance(data, dict):
        raise ApiError(400, "invalid_json", _("The body must be a JSON object."))
    return data


# ------------------------------------------------------------------ writing
def when(value: datetime | None) -> str | None:
    """Naive UTC from the database -> ISO 8601 with Z."""
    return value.isoformat(timespec="seconds") + "Z" if value else None


def day(value: date | None) -> str | None:
    return value.isoformat() if value else None


def person(user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.id, "full_name": user.full_name, "position": user.position}


def summary(doc: IncomingDocument) -> dict[str, Any]:
    return {
        "id": doc.id,
        "status": doc.status.value,
        "status_label": _(STATUS_LABELS[doc.status]),
        "source": doc.source.value,
        "received_at": when(doc.received_at),
        "arrival_number": doc.arrival_number,
        "arrival_year": doc.arrival_year,
        "arrival_date": when(doc.arrival_date),
        "issuer_name": doc.issuer_name,
        "issuer_code": doc.issuer_code,
        "code_number": doc.code_number,
        "code_notation": doc.code_notation,
        "number_notation": doc.number_notation,
        "issued_date": day(doc.issued_date),
        "doc_type": doc.doc_type,
        "subject": doc.subject,
        "signer_name": doc.signer_name,
        "signer_position": doc.signer_position,
        "page_count": doc.page_count,
        "urgency": doc.urgency.value,
        "secrecy": doc.secrecy.value,
        "due_date": day(doc.due_date),
        "url": url_for("api.get_incoming", doc_id=doc.id),
    }


def _assignment(a: Assignment) -> dict[str, Any]:
    return {
        "id": a.id,
        "role": a.role.value,
        "user": person(a.user),
        "department": {"id": a.department.id, "name": a.department.name}
        if a.department
        else None,
        "deadline": day(a.deadline),
        "active": a.active,
        "assigned_by": person(a.assigned_by),
        "created_at": when(a.created_at),
        "completed_at": when(a.completed_at),
    }


def _event(e: Event) -> dict[str, Any]:
    return {
        "id": e.id,
        "kind": e.kind.value,
        "actor": person(e.actor),
        "text": e.text,
        "at": when(e.at),
    }


def extension(req: ExtensionRequest) -> dict[str, Any]:
    return {
        "id": req.id,
        "requested_by": person(req.requested_by),
        "new_deadline": day(req.new_deadline),
        "reason": req.reason,
        "granted": req.granted,
        "decided_by_id": req.decided_by_id,
        "created_at": when(req.created_at),
    }


def _file(record: StoredFile, url: str) -> dict[str, Any]:
    return {
        "name": record.original_name,
        "media_type": record.media_type,
        "size": record.size,
        "sha256": record.sha256,
        "url": url,
    }


def detail(
    doc: IncomingDocument, *, content_ok: bool, extensions: list[ExtensionRequest]
) -> dict[str, Any]:
    """Everything the document page shows; file links only for people who may see the content."""
    out = summary(doc)
    out.update(
        {
            "register": doc.register.name if doc.register else None,
            "registered_by": person(doc.registered_by),
            "presented_to": person(doc.presented_to),
            "return_reason": doc.return_reason,
            "result": doc.result,
            "completed_at": when(doc.completed_at),
            "assignments": [_assignment(a) for a in doc.assignments],
            "timeline": [_event(e) for e in doc.events],
            "extension_requests": [extension(r) for r in extensions],
            "signature_report": json.loads(doc.signature_report)
            if doc.signature_report
            else None,
            "content_available": content_ok,
            "files": None,
        }
    )
    if content_ok:
        out["files"] = {
            "main": _file(doc.main_file, url_for("api.incoming_file", doc_id=doc.id))
            if doc.main_file
            else None,
            "attachments": [
                dict(
                    _file(
                        a.file,
                        url_for(
                            "api.attachment_file", doc_id=doc.id, attachment_id=a.id
                        ),
                    ),
                    id=a.id,
                    added_by=person(a.added_by),
                    created_at=when(a.created_at),
                )
                for a in doc.attachments
            ],
        }
    return out
