"""Pages for outgoing documents: lists, drafting, review, signature, issue."""

from __future__ import annotations

import difflib
import json

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select, true

from ..agencies.models import Agency, Department
from ..auth.models import Role, User
from ..documents.services import ActionRefused
from ..documents.vocab import SECRECY_LABELS, URGENCY_LABELS, Secrecy, Urgency
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected, open_file
from ..i18n import N_
from . import services
from .access import can_view_content, my_turn_clause, visible_clause, visible_or_404
from .forms import (
    ActionForm,
    DraftForm,
    ReplacesForm,
    ReviewForm,
    SubmitForm,
    VersionForm,
)
from .models import OutgoingDocument, OutgoingStatus, RecipientKind

bp = Blueprint("outgoing", __name__, url_prefix="/outgoing")
S = OutgoingStatus

STATUS_LABELS = {
    S.DRAFT: N_("Draft"),
    S.IN_REVIEW: N_("In review"),
    S.RETURNED: N_("Returned for revision"),
    S.APPROVED: N_("Waiting for signature"),
    S.SIGNED: N_("Waiting to be issued"),
    S.ISSUED: N_("Issued"),
}
EVENT_LABELS = {
    "created": N_("created the draft"),
    "version": N_("uploaded a new version"),
    "submitted": N_("submitted it"),
    "approved": N_("approved it"),
    "returned": N_("returned it for revision"),
    "signed": N_("signed it"),
    "issued": N_("numbered, sealed and issued it"),
    "delivered": N_("delivered it to"),
    "queued": N_("queued it for sending to"),
    "recall_requested": N_("asked the recipients to give it back"),
    "revoked": N_("revoked it"),
    "updated": N_("corrected its published information"),
    "replaced": N_("replaced it by"),
    "replaces_set": N_("marked it as replacing"),
}
REVIEW_LABELS = {
    "pending": N_("Waiting"),
    "approved": N_("Approved"),
    "returned": N_("Returned for revision"),
    "cancelled": N_("Cancelled"),
}
DELIVERY_LABELS = {
    "not_sent": N_("Not sent"),
    "delivered": N_("Delivered"),
    "queued": N_("Waiting to be sent"),
    "not_electronic": N_("On paper only"),
}


def _tab_conditions(user: User) -> dict:
    return {
        "mine": (
            N_("My drafts"),
            (OutgoingDocument.drafted_by_id == user.id)
            & OutgoingDocument.status.in_([S.DRAFT, S.RETURNED, S.IN_REVIEW]),
        ),
        "to_review": (
            N_("Waiting for my review"),
            (OutgoingDocument.status == S.IN_REVIEW) & my_turn_clause(user),
        ),
        "to_sign": (
            N_("Waiting for my signature"),
            (OutgoingDocument.status == S.APPROVED)
            & (OutgoingDocument.signer_id == user.id),
        ),
        "to_issue": (N_("Waiting to be issued"), OutgoingDocument.status == S.SIGNED),
        "issued": (N_("Issued"), OutgoingDocument.status == S.ISSUED),
        "all": (N_("All"), true()),
    }


@bp.context_processor
def _labels():
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "EVENT_LABELS": EVENT_LABELS,
        "DELIVERY_LABELS": DELIVERY_LABELS,
        "REVIEW_LABELS": REVIEW_LABELS,
        "URGENCY_LABELS": URGENCY_LABELS,
        "SECRECY_LABELS": SECRECY_LABELS,
    }


@bp.route("/")
@login_required
def index():
    tabs = _tab_conditions(current_user)
    tab = request.args.get("tab", "mine")
    if tab not in tabs:
        abort(404)
    query = select(OutgoingDocument).where(visible_clause(current_user), tabs[tab][1])
    docs = db.session.scalars(
        query.order_by(OutgoingDocument.updated_at.desc()).limit(200)
    ).all()
    counts = {
        name: db.session.scalar(
            select(func.count())
            .select_from(OutgoingDocument)
            .where(visible_clause(current_user), cond)
        )
        for name, (_label, cond) in tabs.items()
    }
    return render_template(
        "outgoing/index.html", tabs=tabs, tab=tab, docs=docs, counts=counts
    )


def _draft_form() -> DraftForm:
    form = DraftForm()
    units = db.session.scalars(
        select(Department)
        .where(
            Department.agency_id == current_user.agency_id, Department.active.is_(True)
        )
        .order_by(Department.name)
    ).all()
    form.department_id.choices = [(0, "—")] + [(d.id, d.name) for d in units]
    form.to_departments.choices = [(d.id, d.name) for d in units]
    agencies = db.session.scalars(
        select(Agency)
        .where(Agency.id != current_user.agency_id, Agency.active.is_(True))
        .order_by(Agency.name)
    ).all()
    form.to_agencies.choices = [(a.id, f"{a.name} ({a.code})") for a in agencies]
    form.replaces.choices = _replaceable_choices(None)
    if request.method == "GET":
        form.department_id.data = current_user.department_id or 0
    return form


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    form = _draft_form()
    if form.validate_on_submit():
        recipients = [
            services.RecipientSpec(RecipientKind.AGENCY, agency_id=i)
            for i in form.to_agencies.data
        ]
        recipients += [
            services.RecipientSpec(RecipientKind.DEPARTMENT, department_id=i)
            for i in form.to_departments.data
        ]
        recipients += [
            services.RecipientSpec(RecipientKind.PLACE, name=line)
            for line in (form.to_places.data or "").splitlines()
            if line.strip()
        ]
        values = services.DraftValues(
            doc_type=form.doc_type.data,
            subject=form.subject.data,
            urgency=Urgency(form.urgency.data),
            secrecy=Secrecy(form.secrecy.data),
            department_id=form.department_id.data or None,
            recipients=recipients,
            replaces_id=form.replaces.data or None,
        )
        attachments = [
            (f.stream, f.filename or "attachment.pdf")
            for f in form.attachments.data or []
            if f and f.filename
        ]
        try:
            doc = services.create_draft(
                current_user,
                values,
                form.file.data.stream,
                form.file.data.filename or "draft",
                attachments,
            )
        except UploadRejected as exc:
            db.session.rollback()
            form.file.errors.append(_(exc.message, **exc.params))
        except ActionRefused as exc:
            db.session.rollback()
            flash(_(exc.message, **exc.params), "error")
        else:
            flash(_("Draft saved."), "success")
            return redirect(url_for(".show", doc_id=doc.id))
    return render_template("outgoing/new.html", form=form)


def _colleagues(roles: tuple[Role, ...] | None = None) -> list[User]:
    query = select(User).where(
        User.agency_id == current_user.agency_id, User.active.is_(True)
    )
    if roles:
        query = query.where(User.role.in_(roles))
    return list(db.session.scalars(query.order_by(User.full_name)))


def _submit_form() -> SubmitForm:
    form = SubmitForm()
    form.reviewers.choices = [
        (u.id, f"{u.full_name} — {u.position or ''}")
        for u in _colleagues((Role.DEPARTMENT_HEAD, Role.LEADER))
        if u.id != current_user.id
    ]
    form.signer.choices = [
        (u.id, f"{u.full_name} — {u.position or ''}")
        for u in _colleagues((Role.LEADER,))
    ]
    return form


@bp.route("/<int:doc_id>")
@login_required
def show(doc_id: int):
    return render_show(visible_or_404(current_user, doc_id))


def _replaceable_choices(doc: OutgoingDocument) -> list[tuple[int, str]]:
    """Issued, not revoked documents of the agency a new one may replace (latest first)."""
    issued = db.session.scalars(
        select(OutgoingDocument)
        .where(
            OutgoingDocument.agency_id == current_user.agency_id,
            OutgoingDocument.issued_at.is_not(None),
            OutgoingDocument.revoked_at.is_(None),
            OutgoingDocument.id != (doc.id if doc is not None else 0),
        )
        .order_by(OutgoingDocument.issued_at.desc())
        .limit(300)
    )
    return [(0, "—")] + [
        (d.id, f"{d.number_notation} — {d.subject[:80]}") for d in issued
    ]


def render_show(doc: OutgoingDocument, status: int = 200, **forms):  # type: ignore[no-untyped-def]
    """The document page; ``forms`` replace the empty ones (a form sent back with errors)."""
    from ..interchange.forms import RevokeForm, UpdateForm
    from ..interchange.sender_changes import current_values

    step = services.current_step(doc)
    report = json.loads(doc.signature_report) if doc.signature_report else None
    context = dict(
        doc=doc,
        step=step,
        report=report,
        content_ok=can_view_content(current_user, doc),
        version_form=VersionForm(formdata=None),
        submit_form=_submit_form(),
        review_form=ReviewForm(formdata=None),
        action_form=ActionForm(formdata=None),
        replaced_by=db.session.scalars(
            select(OutgoingDocument).where(
                OutgoingDocument.replaces_id == doc.id,
                OutgoingDocument.issued_at.is_not(None),
            )
        ).all(),
    )
    if doc.issued_at is not None and not doc.is_revoked:
        context["revoke_form"] = RevokeForm(formdata=None)
        context["update_form"] = UpdateForm(formdata=None, obj=current_values(doc))
    elif doc.issued_at is None:
        replaces_form = ReplacesForm(formdata=None, replaces=doc.replaces_id or 0)
        replaces_form.replaces.choices = _replaceable_choices(doc)
        context["replaces_form"] = replaces_form
    context.update(forms)
    context.update(_labels())  # also when another blueprint renders the page
    return render_template("outgoing/show.html", **context), status


def _act(doc_id: int, action, success: str):  # type: ignore[no-untyped-def]
    doc = visible_or_404(current_user, doc_id)
    try:
        action(doc)
    except ActionRefused as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    except UploadRejected as exc:
        db.session.rollback()
        flash(_(exc.message, **exc.params), "error")
    else:
        flash(success, "success")
    return redirect(url_for(".show", doc_id=doc_id))


@bp.route("/<int:doc_id>/versions", methods=["POST"])
@login_required
def add_version(doc_id: int):
    visible_or_404(
        current_user, doc_id
    )  # outsiders learn nothing, not even a form error
    form = VersionForm()
    if not form.validate():
        flash(_("Choose the file."), "error")
        return redirect(url_for(".show", doc_id=doc_id))
    return _act(
        doc_id,
        lambda d: services.add_version(
            current_user,
            d,
            form.file.data.stream,
            form.file.data.filename or "draft",
            form.note.data or "",
        ),
        _("New version saved."),
    )


@bp.route("/<int:doc_id>/submit", methods=["POST"])
@login_required
def submit(doc_id: int):
    visible_or_404(current_user, doc_id)
    form = _submit_form()
    if not form.validate():
        flash(_("Choose the signer."), "error")
        return redirect(url_for(".show", doc_id=doc_id))
    ordered = [
        int(v) for v in request.form.getlist("reviewers")
    ]  # keep the order the user chose
    return _act(
        doc_id,
        lambda d: services.submit(current_user, d, ordered, form.signer.data),
        _("Submitted for review."),
    )


@bp.route("/<int:doc_id>/review", methods=["POST"])
@login_required
def review(doc_id: int):
    visible_or_404(current_user, doc_id)
    form = ReviewForm()
    if not form.validate():
        abort(400)
    return _act(
        doc_id,
        lambda d: services.review(
            current_user, d, form.decision.data == "approve", form.comment.data or ""
        ),
        _("Decision saved."),
    )


@bp.route("/<int:doc_id>/sign", methods=["POST"])
@login_required
def sign(doc_id: int):
    visible_or_404(current_user, doc_id)
    if not ActionForm().validate():
        abort(400)
    return _act(doc_id, lambda d: services.sign(current_user, d), _("Signed."))


@bp.route("/<int:doc_id>/issue", methods=["POST"])
@login_required
def issue(doc_id: int):
    visible_or_404(current_user, doc_id)
    if not ActionForm().validate():
        abort(400)
    return _act(doc_id, lambda d: services.issue(current_user, d), _("Issued."))


@bp.route("/<int:doc_id>/send", methods=["POST"])
@login_required
def send(doc_id: int):
    visible_or_404(current_user, doc_id)
    if not ActionForm().validate():
        abort(400)
    return _act(
        doc_id, lambda d: services.send_electronically(current_user, d), _("Sent.")
    )


@bp.route("/<int:doc_id>/replaces", methods=["POST"])
@login_required
def set_replaces(doc_id: int):
    """The drafter or a records officer says which issued document this one replaces."""
    doc = visible_or_404(current_user, doc_id)
    form = ReplacesForm()
    form.replaces.choices = _replaceable_choices(doc)
    if not form.validate():
        flash(_("Choose an issued document of your agency."), "error")
        return redirect(url_for(".show", doc_id=doc_id))
    return _act(
        doc_id,
        lambda d: services.set_replaces(current_user, d, form.replaces.data or None),
        _("Saved."),
    )


@bp.route("/<int:doc_id>/compare")
@login_required
def compare(doc_id: int):
    """Text differences between two versions (extracted with the search library's sandboxed extractor)."""
    from search.extract import extract_bytes

    doc = visible_or_404(current_user, doc_id)
    if not can_view_content(current_user, doc):
        abort(404)
    by_number = {v.number: v for v in doc.versions if v.file is not None}
    a, b = request.args.get("a", type=int), request.args.get("b", type=int)
    if a not in by_number or b not in by_number:
        abort(404)
    texts = []
    for number in (a, b):
        with open_file(by_number[number].file) as stream:
            texts.append((extract_bytes(stream.read()).text or "").splitlines())
    diff = list(
        difflib.unified_diff(texts[0], texts[1], f"v{a}", f"v{b}", lineterm="", n=2)
    )
    return render_template("outgoing/compare.html", doc=doc, a=a, b=b, diff=diff)


def _send_file(doc: OutgoingDocument, record: StoredFile | None):  # type: ignore[no-untyped-def]
    if record is None or not can_view_content(current_user, doc):
        abort(404)
    download = request.args.get("download") == "1"
    response = send_file(
        open_file(record),
        mimetype=record.media_type,
        as_attachment=download,
        download_name=record.original_name,
        conditional=False,
        etag=record.sha256,
    )
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    response.headers["Content-Security-Policy"] = (
        "default-src 'none'; frame-ancestors 'self'"
    )
    return response


@bp.route("/<int:doc_id>/file/<kind>")
@login_required
def file(doc_id: int, kind: str):
    doc = visible_or_404(current_user, doc_id)
    if kind == "issued":
        return _send_file(doc, doc.issued_file)
    if kind == "signed":
        return _send_file(doc, doc.signed_file)
    if kind.startswith("v") and kind[1:].isdigit():
        version = next((v for v in doc.versions if v.number == int(kind[1:])), None)
        return _send_file(doc, version.file if version else None)
    if kind.startswith("a") and kind[1:].isdigit():
        att = next((a for a in doc.attachments if a.id == int(kind[1:])), None)
        return _send_file(doc, (att.sealed_file or att.file) if att else None)
    abort(404)


__all__ = ["bp", "current_app"]
