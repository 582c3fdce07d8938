"""HTTP endpoints other instances post to: ``/interchange/v1/packets`` and ``/interchange/v1/status``.

No session, no CSRF: each request is authenticated by the shared-secret HMAC of the
sending agency's peer row, and each answer is signed back (see ``transport``).
"""

from __future__ import annotations

import json
import logging

from flask import Blueprint, Response, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy.exc import IntegrityError

from ..extensions import csrf, db
from . import changes, edxml, seal, sender_changes, services, trust
from .edxml import PacketRejected
from .models import Peer
from .transport import (
    HEADER_FROM,
    HEADER_SIG,
    TransportError,
    response_headers,
    verify_request,
)

logger = logging.getLogger(__name__)
bp = Blueprint("interchange", __name__, url_prefix="/interchange/v1")
csrf.exempt(bp)
#: Pages and forms for people (sessions, CSRF as everywhere else).
ui_bp = Blueprint("interchange_ui", __name__, url_prefix="/interchange")


def _status_label(code: str) -> str:
    labels = {
        "01": _("Arrived, not yet registered"),
        "02": _("Refused by the recipient"),
        "03": _("Received and registered"),
        "04": _("Assigned for processing"),
        "05": _("Being processed"),
        "06": _("Processing completed"),
        "13": _("Recall requested"),
        "15": _("Recall or update agreed"),
        "16": _("Recall or update refused"),
    }
    return labels.get(code, code)


@bp.app_context_processor
def _template_helpers() -> dict:
    def deliveries(doc) -> list:  # noqa: ANN001 - an OutgoingDocument
        rows = (
            [(r, services.delivery_of(r)) for r in doc.recipients]
            if doc.issued_at
            else []
        )
        return [(r, d) for r, d in rows if d is not None]

    def replaced_by(doc, recipient) -> list:  # noqa: ANN001 - outgoing document, recipient
        """Issued documents replacing ``doc`` that went to the same agency."""
        from ..outgoing.models import OutgoingDocument, Recipient

        return db.session.scalars(
            db.select(OutgoingDocument).where(
                OutgoingDocument.replaces_id == doc.id,
                OutgoingDocument.issued_at.is_not(None),
                OutgoingDocument.id.in_(
                    db.select(Recipient.document_id).where(
                        Recipient.agency_id == recipient.agency_id
                    )
                ),
            )
        ).all()

    return {
        "interchange_deliveries": deliveries,
        "interchange_status_label": _status_label,
        "interchange_change_label": _change_label,
        "interchange_change_state": services.change_state,
        "interchange_change_state_label": _change_state_label,
        "interchange_replaced_by": replaced_by,
    }


def _change_label(kind: str) -> str:
    labels = {
        "recall": _("Recall requested"),
        "revoke": _("Revocation"),
        "update": _("Correction"),
    }
    return labels.get(kind, kind)


def _change_state_label(state: str) -> str:
    labels = {
        "applied": _("Delivered"),
        "sent": _("Sent"),
        "waiting": _("Waiting to be sent"),
        "failed": _("Delivery failed"),
    }
    return labels.get(state, state)


def _reply(payload: dict, status: int, secret: str | None = None) -> Response:
    body = json.dumps(payload, ensure_ascii=False).encode()
    headers = (
        response_headers(secret, request.headers.get(HEADER_SIG, ""), body)
        if secret
        else {}
    )
    return Response(body, status=status, mimetype="application/json", headers=headers)


def _handle(kind: str) -> Response:
    if (request.content_length or 0) > edxml.MAX_PACKET_BYTES:
        return _reply({"result": "rejected", "reason": "packet too large"}, 413)
    sender = request.headers.get(HEADER_FROM, "")
    peer = services.peer_for(sender)
    try:
        secret = services.peer_secret(peer) if peer is not None else None
    except TransportError:
        secret = None
    body = request.get_data(cache=False)
    if (
        peer is None
        or secret is None
        or not verify_request(secret, request.headers, request.path, body)
    ):
        logger.warning(
            "interchange %s refused: sender %r not authenticated", kind, sender[:32]
        )
        return _reply(
            {"result": "unauthenticated", "reason": "unknown sender or bad signature"},
            401,
        )
    try:
        packet = edxml.parse_packet(body)
        if packet.kind != kind:
            raise PacketRejected(
                f"this endpoint takes {kind} packets, got a {packet.kind} packet"
            )
        if packet.sender.organ_id != peer.agency_code:
            raise PacketRejected(
                "the packet's From/OrganId is not the authenticated sender"
            )
        if kind == "document":
            config = current_app.config
            sealed = seal.verify_seal(
                body,
                config["TRUST_ROOTS"],
                config["SIGNING_CHAIN"],
                config["REVOCATION_FETCHING"],
            )
            # Required seal, pinned certificates: the peer row of the From agency.
            trust.check_seal(peer, sealed)
            sealed_by = sealed.subject if sealed is not None else None
            docs = services.accept_document(packet, via="http", sealed_by=sealed_by)
            result = {
                "result": "accepted",
                "incoming": [d.id for d in docs],
                "sealed_by": sealed_by,
            }
        else:
            services.accept_status(packet)
            result = {"result": "accepted"}
        db.session.commit()
    except (
        IntegrityError
    ):  # the same packet is being accepted concurrently: the retry will see it
        db.session.rollback()
        return _reply(
            {"result": "retry", "reason": "the same packet is being received"},
            503,
            secret,
        )
    except PacketRejected as exc:
        db.session.rollback()
        logger.warning("interchange %s from %s rejected: %s", kind, sender, exc.reason)
        return _reply({"result": "rejected", "reason": exc.reason}, 422, secret)
    return _reply(result, 200, secret)


@bp.post("/packets")
def packets() -> Response:
    return _handle("document")


@bp.post("/status")
def status() -> Response:
    return _handle("status")


@ui_bp.post("/outgoing/<int:doc_id>/recall")
@login_required
def recall(doc_id: int) -> Response:
    """A records officer asks the receivers to give the document back (status 13)."""
    from ..documents.services import ActionRefused
    from ..outgoing.access import visible_or_404

    doc = visible_or_404(current_user, doc_id)
    try:
        count = changes.recall(current_user, doc, request.form.get("reason", ""))
    except ActionRefused as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(
            _("Recall requested from %(count)d recipient(s).", count=count), "success"
        )
    return redirect(url_for("outgoing.show", doc_id=doc_id))


@ui_bp.post("/outgoing/<int:doc_id>/revoke")
@login_required
def revoke(doc_id: int) -> Response:
    """A records officer revokes an issued document (BussinessDocType 1 to the receivers)."""
    from ..documents.services import ActionRefused
    from ..outgoing.access import visible_or_404
    from .forms import RevokeForm

    doc = visible_or_404(current_user, doc_id)
    form = RevokeForm()
    if not form.validate():
        for errors in form.errors.values():
            for error in errors:
                flash(error, "error")
        return redirect(url_for("outgoing.show", doc_id=doc_id))
    try:
        change = sender_changes.revoke(current_user, doc, form.reason.data)
    except ActionRefused as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(
            _(
                "Document revoked; the revocation went to %(count)d recipient(s).",
                count=len(change.deliveries),
            ),
            "success",
        )
    return redirect(url_for("outgoing.show", doc_id=doc_id))


@ui_bp.post("/outgoing/<int:doc_id>/update")
@login_required
def update(doc_id: int):  # noqa: ANN201 - a response or (page, status)
    """A records officer corrects the published information (BussinessDocType 2)."""
    from ..documents.services import ActionRefused
    from ..outgoing.access import visible_or_404
    from ..outgoing.views import render_show
    from .forms import UpdateForm

    doc = visible_or_404(current_user, doc_id)
    form = UpdateForm()
    if not form.validate():
        return render_show(doc, 400, update_form=form)
    values = sender_changes.UpdateValues(
        subject=form.subject.data or "",
        doc_type=form.doc_type.data,
        signer_name=form.signer_name.data or "",
        signer_position=form.signer_position.data or "",
        due_date=form.due_date.data,
        page_count=form.page_count.data,
    )
    try:
        change = sender_changes.update(current_user, doc, values, form.reason.data)
    except ActionRefused as exc:
        db.session.rollback()
        db.session.refresh(doc)
        flash(_(exc.message, **exc.params), "error")
        return render_show(doc, 400, update_form=form)
    flash(
        _(
            "Correction saved; it went to %(count)d recipient(s).",
            count=len(change.deliveries),
        ),
        "success",
    )
    return redirect(url_for("outgoing.show", doc_id=doc_id))


__all__ = ["Peer", "bp", "ui_bp"]
