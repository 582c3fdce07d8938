"""The REST API for changes to an issued outgoing document: recall (lấy lại), revoke (thu hồi),
update (cập nhật), where each change and the document itself are at every recipient, and
marking a draft as replacing an issued document (thay thế, sent as type 3 once issued).

The rules are the web forms': ``interchange.changes.recall``, ``interchange.sender_changes``
and ``outgoing.services.set_replaces`` (recall, revoke, update: only the issuing agency's
records officers, issued documents, a reason; secret documents are recorded, never sent).
Another agency's document answers 404, another role 403, a state that does not allow the
change 422, a missing reason 400 before anything is recorded.
"""

from __future__ import annotations

import json
from typing import Any

from flask import jsonify

from ..documents.vocab import TYPE_NAMES
from ..extensions import db
from ..interchange import changes, sender_changes
from ..interchange import services as interchange
from ..outgoing import services as out
from ..outgoing.models import OutgoingChange
from . import schemas as s
from .auth import api_user
from .outgoing import _acting, _document, _outgoing_or_404
from .views import bp

REASON = {"reason": s.text(500, required=True)}

#: Fields an update may correct; a field left out keeps its current value.
UPDATE_FIELDS = {
    **REASON,
    "subject": s.text(500),
    "doc_type": s.choice(TYPE_NAMES),
    "signer_name": s.text(50),
    "signer_position": s.text(100),
    "due_date": s.iso_date,
    "page_count": s.integer(1, 10000),
}


def _change(change: OutgoingChange) -> dict[str, Any]:
    return {
        "id": change.id,
        "kind": change.kind,
        "reason": change.reason,
        "actor": s.person(change.actor),
        "at": s.when(change.at),
        "changed": json.loads(change.details) if change.details else None,
    }


def _recipient_state(recipient: Any) -> dict[str, Any] | None:
    delivery = interchange.delivery_of(recipient)
    if delivery is None:  # a unit, a place, or an agency served on paper
        return None
    deliveries = []
    for row in delivery.changes:
        state, error = interchange.change_state(row)
        deliveries.append(
            {
                "change_id": row.change_id,
                "kind": row.change.kind,
                "state": state,
                "error": error,
                "answer": row.answer,
                "answered_at": s.when(row.answered_at),
            }
        )
    return {
        "recipient_id": recipient.id,
        "agency": {
            "id": recipient.agency.id,
            "code": recipient.agency.code,
            "name": recipient.agency.name,
        },
        "state": delivery.state,
        "error": delivery.error,
        "statuses": [
            {
                "code": st.code,
                "description": st.description,
                "at": st.at_text,
                "received_at": s.when(st.received_at),
            }
            for st in delivery.statuses
        ],
        "changes": deliveries,
    }


def _changes_of(document_id: int) -> list[OutgoingChange]:
    return list(
        db.session.scalars(
            db.select(OutgoingChange)
            .where(OutgoingChange.document_id == document_id)
            .order_by(OutgoingChange.id)
        )
    )


@bp.get("/outgoing/<int:outgoing_id>/changes")
def outgoing_changes(outgoing_id: int):
    """The document's recalls, revocations and updates, and each recipient agency's state."""
    doc = _outgoing_or_404(outgoing_id)
    rows = _changes_of(doc.id)
    states = [_recipient_state(r) for r in doc.recipients] if doc.issued_at else []
    return jsonify(
        {
            "id": doc.id,
            "revoked_at": s.when(doc.revoked_at),
            "revoke_reason": doc.revoke_reason,
            "changes": [_change(c) for c in rows],
            "recipients": [st for st in states if st is not None],
        }
    )


@bp.post("/outgoing/<int:outgoing_id>/recall")
def recall_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(s.json_body(), REASON, required=("reason",))
    with _acting():
        changes.recall(api_user(), doc, values["reason"])
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/revoke")
def revoke_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(s.json_body(), REASON, required=("reason",))
    with _acting():
        sender_changes.revoke(api_user(), doc, values["reason"])
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/update")
def update_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(s.json_body(), UPDATE_FIELDS, required=("reason",))
    reason = values.pop("reason")
    corrected = sender_changes.current_values(doc)
    for key, value in values.items():
        setattr(corrected, key, value)
    with _acting():
        sender_changes.update(api_user(), doc, corrected, reason)
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/replaces")
def set_outgoing_replaces(outgoing_id: int):
    """A draft replaces an issued document (sent as BussinessDocType 3 once issued), or not."""
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(
        s.json_body(), {"replaces_id": s.integer(1)}, required=("replaces_id",)
    )
    with _acting():
        out.set_replaces(api_user(), doc, values["replaces_id"])
    return _document(doc)
