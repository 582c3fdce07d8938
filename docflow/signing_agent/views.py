"""Pages and endpoints for signing with the USB token through the signing agent.

- ``/sign/batch``: documents waiting for my signature; select, sign (one PIN in the
  agent), progress and result per document (``static/agent.js``).
- ``/sign/certificates``: my registered token certificates; add one from the agent's
  list or by uploading a PEM/DER file.
- ``/sign/tickets`` (POST, JSON, CSRF header): tickets + VGCA request data for the page.
- ``/sign/t/<ticket>/file`` and ``/sign/t/<ticket>/upload``: what the agent calls. No
  session: the single-use ticket in the URL is the authentication.
"""

from __future__ import annotations

import base64
import binascii

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required

from ..auth.models import Role
from ..extensions import csrf, db
from . import services

bp = Blueprint("signing_agent", __name__, url_prefix="/sign")

#: The pages talk to the agent on the loopback: only they get this connect-src.
AGENT_CSP = (
    "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'; "
    "connect-src 'self' ws://127.0.0.1:* wss://127.0.0.1:* ws://localhost:* wss://localhost:*"
)


def _with_agent_csp(body: str):  # type: ignore[no-untyped-def]
    response = make_response(body)
    response.headers["Content-Security-Policy"] = AGENT_CSP
    return response


def _leader_only() -> None:
    if current_user.role != Role.LEADER:
        abort(403)


@bp.route("/batch")
@login_required
def batch():
    _leader_only()
    docs = services.waiting_for(current_user)
    selected = set(request.args.getlist("doc", type=int))
    return _with_agent_csp(
        render_template(
            "signing_agent/batch.html",
            docs=docs,
            selected=selected,
            agent_url=current_app.config["SIGNING_AGENT_URL"],
            certificates=services.certificates_of(current_user),
        )
    )


@bp.route("/tickets", methods=["POST"])
@login_required
def tickets():
    _leader_only()
    body = request.get_json(silent=True) or {}
    ids = body.get("documents")
    if (
        not isinstance(ids, list)
        or not ids
        or not all(isinstance(i, int) for i in ids)
        or len(ids) > 200
    ):
        return jsonify(
            error="bad_request", message=_("Choose the documents to sign.")
        ), 400
    issued, refused = services.issue_tickets(current_user, ids)
    return jsonify(
        tickets=[
            {
                "document_id": t.document.id,
                "subject": t.document.subject,
                "file_url": url_for(".ticket_file", token=t.token, _external=True),
                "upload_url": url_for(".ticket_upload", token=t.token, _external=True),
                "meta": t.meta,
            }
            for t in issued
        ],
        refused=[
            {"document_id": doc_id, "message": _(message)}
            for doc_id, message in refused.items()
        ],
    )


def _rejected(exc: services.TicketRejected):  # type: ignore[no-untyped-def]
    response = jsonify(error=exc.code, message=_(exc.message, **exc.params))
    response.status_code = exc.status
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/t/<token>/file")
def ticket_file(token: str):
    try:
        ticket, pdf = services.download(token)
    except services.TicketRejected as exc:
        return _rejected(exc)
    response = make_response(pdf)
    response.headers.update(
        {
            "Content-Type": "application/pdf",
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="document-{ticket.document_id}.pdf"',
        }
    )
    return response


@csrf.exempt
@bp.route("/t/<token>/upload", methods=["POST"])
def ticket_upload(token: str):
    upload = request.files.get("uploadfile") or request.files.get("file")
    data = upload.read() if upload is not None else request.get_data()
    if not data:
        return jsonify(error="no_file", message=_("No signed file was sent.")), 400
    try:
        doc, report = services.accept_signed(token, data, ip=request.remote_addr)
    except services.TicketRejected as exc:
        return _rejected(exc)
    signature = next(s for s in report["signatures"] if s["field_name"] == "ky_duyet")
    return jsonify(
        status="ok",
        document_id=doc.id,
        subject=doc.subject,
        message=_("Signed. The signature is valid."),
        signer=signature["signer"]["common_name"],
        indication=signature["indication"],
        signing_time=signature["signing_time"],
        url=url_for("outgoing.show", doc_id=doc.id, _external=True),
    )


# ------------------------------------------------------------------ certificates
@bp.route("/certificates", methods=["GET", "POST"])
@login_required
def certificates():
    if request.method == "POST":
        if request.is_json:
            raw = (request.get_json(silent=True) or {}).get("certificate", "")
            try:
                data = (
                    base64.b64decode(raw, validate=True)
                    if isinstance(raw, str)
                    else b""
                )
            except (binascii.Error, ValueError):
                data = b""
        else:
            upload = request.files.get("certificate")
            data = upload.read() if upload is not None else b""
        try:
            row = services.register_certificate(current_user, data)
        except services.CertificateRejected as exc:
            db.session.rollback()
            if request.is_json:
                return jsonify(
                    error="rejected", message=_(exc.message, **exc.params)
                ), 422
            flash(_(exc.message, **exc.params), "error")
        else:
            if request.is_json:
                return jsonify(status="ok", id=row.id, subject=row.subject)
            flash(_("Certificate registered."), "success")
        return redirect(url_for(".certificates"))
    return _with_agent_csp(
        render_template(
            "signing_agent/certificates.html",
            certificates=services.certificates_of(current_user),
            agent_url=current_app.config["SIGNING_AGENT_URL"],
        )
    )


@bp.route("/certificates/<int:cert_id>/remove", methods=["POST"])
@login_required
def remove_certificate(cert_id: int):
    try:
        services.remove_certificate(current_user, cert_id)
    except services.CertificateRejected as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(_("Certificate removed."), "success")
    return redirect(url_for(".certificates"))
