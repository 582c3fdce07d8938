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
from . import changes, edxml, seal, services, trust
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

    return {
        "interchange_deliveries": deliveries,
        "interchange_status_label": _status_label,
    }


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


__all__ = ["Peer", "bp", "ui_bp"]
