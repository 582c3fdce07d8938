"""Administration of the interchange: the peer directory and the outbox (superadmin only).

Everything here is system-wide (peers serve the whole instance), so only the system
administrator may open these pages; anyone else gets 403, before any lookup. Changes go
through ``operations`` / ``trust`` and are audited; no action here deletes a message.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import func, select
from wtforms import BooleanField, StringField
from wtforms.validators import DataRequired, Length, ValidationError

from ..agencies.models import Agency
from ..extensions import db
from ..i18n import N_
from .models import OutboxMessage, Peer, PeerCertificate
from .operations import (
    ENV_NAME_RE,
    PeerInvalid,
    endpoint_problem,
    retry_now,
    save_peer,
    secret_is_set,
)
from .trust import CertificateInvalid, pin_certificate, unpin_certificate

bp = Blueprint("interchange_admin", __name__, url_prefix="/admin/interchange")

#: Outbox states an operator filters on, with their labels.
STATE_LABELS = {
    "pending": N_("Waiting or retrying"),
    "sent": N_("Acknowledged"),
    "failed": N_("Failed, waiting for an operator"),
}
MAX_CERTIFICATE_BYTES = 64 * 1024


def superadmin_required(view: Any) -> Any:
    """Only the system administrator; 403 for everyone else, before touching any row."""

    @wraps(view)
    @login_required
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_superadmin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


class PeerForm(FlaskForm):
    agency_code = StringField(
        _l("Agency identifier"),
        filters=[lambda v: (v or "").strip()],
        validators=[DataRequired(), Length(max=32)],
    )
    endpoint = StringField(
        _l("Address of the other system"),
        filters=[lambda v: (v or "").strip()],
        validators=[DataRequired(), Length(max=500)],
    )
    secret_env = StringField(
        _l("Environment variable of the shared secret"),
        filters=[lambda v: (v or "").strip()],
        validators=[DataRequired(), Length(max=64)],
    )
    seal_required = BooleanField(_l("Require a seal on documents"), default=True)
    active = BooleanField(_l("Active"), default=True)

    def validate_endpoint(self, field: StringField) -> None:
        if endpoint_problem(field.data):
            raise ValidationError(
                _l(
                    "Give the base address, http:// or https://, e.g. %(example)s.",
                    example="https://docflow.xa.gov.vn",
                )
            )

    def validate_secret_env(self, field: StringField) -> None:
        if not ENV_NAME_RE.match(field.data):
            raise ValidationError(
                _l("Use letters, digits and underscores, e.g. DOCFLOW_PEER_XA_B.")
            )


class CertificateForm(FlaskForm):
    certificate = FileField(
        _l("Seal certificate (PEM or DER)"), validators=[FileRequired()]
    )


def _peer_or_404(peer_id: int) -> Peer:
    peer = db.session.get(Peer, peer_id)
    if peer is None:
        abort(404)
    return peer


def _agency_names(codes: list[str]) -> dict[str, str]:
    rows = db.session.execute(
        select(Agency.code, Agency.name).where(Agency.code.in_(codes))
    )
    return {code: name for code, name in rows}


@bp.route("/peers")
@superadmin_required
def peers():
    rows = db.session.scalars(select(Peer).order_by(Peer.agency_code)).all()
    return render_template(
        "interchange/admin/peers.html",
        peers=rows,
        names=_agency_names([p.agency_code for p in rows]),
        secret_is_set=secret_is_set,
    )


def _values(form: PeerForm) -> dict[str, Any]:
    return {
        "agency_code": form.agency_code.data,
        "endpoint": form.endpoint.data,
        "secret_env": form.secret_env.data,
        "seal_required": form.seal_required.data,
        "active": form.active.data,
    }


def _save(form: PeerForm, peer: Peer | None) -> Peer | None:
    """Save the form's values; None (errors next to the fields) if refused."""
    try:
        saved = save_peer(peer, _values(form), actor=current_user)
    except PeerInvalid as exc:
        db.session.rollback()
        field = getattr(form, exc.field)
        field.errors = [
            *field.errors,
            _("This agency is already in the peer directory.")
            if exc.field == "agency_code"
            else _("Invalid value."),
        ]
        return None
    db.session.commit()
    return saved


@bp.route("/peers/new", methods=["GET", "POST"])
@superadmin_required
def peer_new():
    form = PeerForm()
    if form.validate_on_submit() and (peer := _save(form, None)) is not None:
        flash(_("Peer added."), "success")
        return redirect(url_for(".peer", peer_id=peer.id))
    return render_template("interchange/admin/peer_form.html", form=form, peer=None)


@bp.route("/peers/<int:peer_id>", methods=["GET", "POST"])
@superadmin_required
def peer(peer_id: int):
    peer = _peer_or_404(peer_id)
    form = PeerForm(obj=peer)
    if form.validate_on_submit() and _save(form, peer) is not None:
        flash(_("Changes saved."), "success")
        return redirect(url_for(".peer", peer_id=peer.id))
    return render_template(
        "interchange/admin/peer_form.html",
        form=form,
        peer=peer,
        cert_form=CertificateForm(formdata=None),
        agency_name=_agency_names([peer.agency_code]).get(peer.agency_code),
        secret_set=secret_is_set(peer),
    )


@bp.post("/peers/<int:peer_id>/active")
@superadmin_required
def peer_active(peer_id: int):
    """Deactivate (serve the agency here again) or reactivate; the row is kept."""
    peer = _peer_or_404(peer_id)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    active = request.form.get("active") == "1"
    save_peer(
        peer,
        {
            "agency_code": peer.agency_code,
            "endpoint": peer.endpoint,
            "secret_env": peer.secret_env,
            "active": active,
        },
        actor=current_user,
    )
    db.session.commit()
    flash(_("Peer activated.") if active else _("Peer deactivated."), "success")
    return redirect(url_for(".peer", peer_id=peer.id))


@bp.post("/peers/<int:peer_id>/certificates")
@superadmin_required
def pin(peer_id: int):
    peer = _peer_or_404(peer_id)
    form = CertificateForm()
    if not form.validate_on_submit():
        flash(_("Choose a certificate file."), "error")
        return redirect(url_for(".peer", peer_id=peer.id))
    data = form.certificate.data.read(MAX_CERTIFICATE_BYTES + 1)
    try:
        if len(data) > MAX_CERTIFICATE_BYTES:
            raise CertificateInvalid("too large")
        pin_certificate(peer, data, actor=current_user)
    except CertificateInvalid:
        db.session.rollback()
        flash(_("This is not a certificate file (PEM or DER)."), "error")
    else:
        db.session.commit()
        flash(_("Certificate pinned."), "success")
    return redirect(url_for(".peer", peer_id=peer.id))


@bp.post("/peers/<int:peer_id>/certificates/<int:cert_id>/delete")
@superadmin_required
def unpin(peer_id: int, cert_id: int):
    peer = _peer_or_404(peer_id)
    cert = db.session.get(PeerCertificate, cert_id)
    form = FlaskForm()
    if cert is None or cert.peer_id != peer.id:
        abort(404)
    if not form.validate_on_submit():
        abort(400)
    unpin_certificate(peer, cert.sha256, actor=current_user)
    db.session.commit()
    flash(_("Certificate removed."), "success")
    return redirect(url_for(".peer", peer_id=peer.id))


def _outbox_filters() -> dict[str, str]:
    state = request.args.get("state", "")
    return {
        "state": state if state in STATE_LABELS else "",
        "receiver": request.args.get("receiver", "").strip()[:32],
        "document_id": request.args.get("document_id", "").strip()[:300],
    }


@bp.route("/outbox")
@superadmin_required
def outbox():
    filters = _outbox_filters()
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    per_page = current_app.config["PAGE_SIZE"]
    query = select(OutboxMessage)
    if filters["state"]:
        query = query.where(OutboxMessage.state == filters["state"])
    if filters["receiver"]:
        query = query.where(OutboxMessage.receiver_code == filters["receiver"])
    if filters["document_id"]:
        query = query.where(
            OutboxMessage.edxml_document_id.contains(
                filters["document_id"], autoescape=True
            )
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.scalars(
        query.order_by(OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    counts = dict(
        db.session.execute(
            select(OutboxMessage.state, func.count(OutboxMessage.id)).group_by(
                OutboxMessage.state
            )
        ).all()
    )
    return render_template(
        "interchange/admin/outbox.html",
        messages=rows,
        filters=filters,
        counts=counts,
        total=total,
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        STATE_LABELS=STATE_LABELS,
    )


@bp.post("/outbox/<int:message_id>/retry")
@superadmin_required
def retry(message_id: int):
    msg = db.session.get(OutboxMessage, message_id)
    if msg is None:
        abort(404)
    form = FlaskForm()
    if not form.validate_on_submit():
        abort(400)
    if retry_now(msg, actor=current_user):
        db.session.commit()  # the delivery job runs after the commit
        flash(_("The message is being sent again."), "success")
    else:
        flash(_("Only waiting or failed messages can be sent again."), "error")
    args = {k: v for k, v in _outbox_filters().items() if v}
    return redirect(url_for(".outbox", **args))
