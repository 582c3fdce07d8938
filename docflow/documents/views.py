"""Pages for incoming documents: inbox, receive, the document page and its actions."""

from __future__ import annotations

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
from sqlalchemy import select

from ..agencies.models import Department
from ..auth.models import Role, User
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected, open_file
from ..i18n import N_
from . import services
from .access import active_assignment, can_view_content, visible_document_or_404
from .deadlines import deadline_state
from .forms import (
    AssignForm,
    AttachForm,
    CommentForm,
    CompleteForm,
    DecideForm,
    ExtensionForm,
    ForwardForm,
    ReceiveForm,
    RegisterForm,
    ReturnForm,
)
from .models import (
    AssignmentRole,
    Attachment,
    EventKind,
    ExtensionRequest,
    IncomingDocument,
    IncomingStatus,
)
from .queries import SORTS, TABS, counts, page_of, tabs_for
from .vocab import SECRECY_LABELS, URGENCY_LABELS, Secrecy

bp = Blueprint("incoming", __name__, url_prefix="/incoming")

ROLE_LABELS_ASSIGN = {
    AssignmentRole.LEAD: N_("Lead"),
    AssignmentRole.COORDINATE: N_("Coordinating"),
    AssignmentRole.INFORM: N_("For information"),
}


STATUS_LABELS = {
    IncomingStatus.PENDING: N_("Waiting to be registered"),
    IncomingStatus.REGISTERED: N_("Waiting for assignment"),
    IncomingStatus.IN_PROGRESS: N_("Being processed"),
    IncomingStatus.COMPLETED: N_("Completed"),
    IncomingStatus.RETURNED: N_("Returned"),
}
EVENT_LABELS = {
    EventKind.RECEIVED: N_("received the document"),
    EventKind.REGISTERED: N_("registered it"),
    EventKind.RETURNED: N_("returned it"),
    EventKind.ASSIGNED: N_("assigned it"),
    EventKind.REASSIGNED: N_("reassigned it"),
    EventKind.COMMENTED: N_("commented"),
    EventKind.ATTACHED: N_("attached a file"),
    EventKind.FORWARDED: N_("forwarded it"),
    EventKind.EXTENSION_REQUESTED: N_("asked for more time"),
    EventKind.EXTENSION_DECIDED: N_("decided on the extension"),
    EventKind.COMPLETED: N_("completed it"),
    EventKind.REMINDED: N_("sent a reminder"),
}


@bp.context_processor
def _labels():
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "EVENT_LABELS": EVENT_LABELS,
        "URGENCY_LABELS": URGENCY_LABELS,
        "SECRECY_LABELS": SECRECY_LABELS,
        "TABS": TABS,
        "ASSIGN_LABELS": ROLE_LABELS_ASSIGN,
        "deadline_state": deadline_state,
        "Secrecy": Secrecy,
    }


def _refused(exc: services.ActionRefused) -> None:
    flash(_(exc.message, **exc.params), "error")


@bp.route("/")
@login_required
def inbox():
    tabs = tabs_for(current_user)
    tab = request.args.get("tab") or tabs[0]
    if tab not in tabs:
        abort(404)
    sort = request.args.get("sort", "received")
    if sort not in SORTS:
        sort = "received"
    page = page_of(
        current_user,
        tab,
        sort,
        request.args.get("page", 1, type=int),
        current_app.config["PAGE_SIZE"],
    )
    return render_template(
        "documents/inbox.html",
        tabs=tabs,
        tab=tab,
        sort=sort,
        page=page,
        counts=counts(current_user),
    )


@bp.route("/receive", methods=["GET", "POST"])
@login_required
def receive():
    if current_user.role != Role.RECORDS_OFFICER:
        abort(403)
    form = ReceiveForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            doc = services.receive(
                current_user,
                upload.stream,
                upload.filename or "document",
                form.values(),
            )
        except UploadRejected as exc:
            form.file.errors.append(_(exc.message, **exc.params))
        except services.ActionRefused as exc:
            _refused(exc)
        else:
            flash(
                _("Document received. Register it to give it an arrival number."),
                "success",
            )
            return redirect(url_for(".show", doc_id=doc.id))
    return render_template("documents/receive.html", form=form)


def _leaders() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(
                User.agency_id == current_user.agency_id,
                User.role == Role.LEADER,
                User.active.is_(True),
            )
            .order_by(User.full_name)
        )
    )


def _colleagues() -> list[User]:
    return list(
        db.session.scalars(
            select(User)
            .where(User.agency_id == current_user.agency_id, User.active.is_(True))
            .order_by(User.full_name)
        )
    )


def _assign_choices() -> list[tuple[str, str]]:
    depts = db.session.scalars(
        select(Department)
        .where(
            Department.agency_id == current_user.agency_id, Department.active.is_(True)
        )
        .order_by(Department.name)
    )
    choices = [(f"d:{d.id}", f"[{_('Department')}] {d.name}") for d in depts]
    choices += [
        (f"u:{u.id}", f"{u.full_name} — {u.position or ''}") for u in _colleagues()
    ]
    return choices


def _forms(doc: IncomingDocument) -> dict:
    """The action forms the current user may use on ``doc`` now."""
    forms: dict = {}
    user = current_user
    if doc.status == IncomingStatus.PENDING and user.role == Role.RECORDS_OFFICER:
        reg = RegisterForm(obj=doc, formdata=None)
        reg.urgency.data, reg.secrecy.data = doc.urgency.value, doc.secrecy.value
        reg.presented_to.choices = [(0, "—")] + [
            (u.id, f"{u.full_name} — {u.position or ''}") for u in _leaders()
        ]
        forms["register"], forms["return"] = reg, ReturnForm(formdata=None)
    if (
        doc.status in (IncomingStatus.REGISTERED, IncomingStatus.IN_PROGRESS)
        and user.role == Role.LEADER
    ):
        form = AssignForm(formdata=None)
        form.lead.choices = form.coordinate.choices = form.inform.choices = (
            _assign_choices()
        )
        form.deadline.data = doc.due_date
        forms["assign"] = form
    if doc.status == IncomingStatus.IN_PROGRESS:
        forms["comment"], forms["attach"] = (
            CommentForm(formdata=None),
            AttachForm(formdata=None),
        )
        mine = active_assignment(
            user, doc, AssignmentRole.LEAD, AssignmentRole.COORDINATE
        )
        if mine is not None:
            fwd = ForwardForm(formdata=None)
            fwd.to_user.choices = [(0, "—")] + [
                (u.id, u.full_name) for u in _colleagues() if u.id != user.id
            ]
            forms["forward"] = fwd
        if active_assignment(user, doc, AssignmentRole.LEAD) is not None:
            forms["extension"] = ExtensionForm(formdata=None)
        if (
            mine is not None
            and mine.role == AssignmentRole.LEAD
            or user.role == Role.LEADER
        ):
            forms["complete"] = CompleteForm(formdata=None)
        if user.role == Role.LEADER:
            forms["decide"] = DecideForm(formdata=None)
    return forms


@bp.route("/<int:doc_id>")
@login_required
def show(doc_id: int):
    doc = visible_document_or_404(current_user, doc_id)
    return _render_document(doc)


def _render_document(doc: IncomingDocument, **override_forms):  # type: ignore[no-untyped-def]
    forms = _forms(doc)
    forms.update(override_forms)
    report = json.loads(doc.signature_report) if doc.signature_report else None
    pending_extensions = db.session.scalars(
        select(ExtensionRequest).where(
            ExtensionRequest.document_id == doc.id, ExtensionRequest.granted.is_(None)
        )
    ).all()
    duplicates = (
        services.find_duplicates(
            doc.agency_id, doc.issuer_name, doc.code_number, doc.code_notation, doc.id
        )
        if doc.status == IncomingStatus.PENDING
        else []
    )
    content_ok = can_view_content(current_user, doc)
    return render_template(
        "documents/show.html",
        doc=doc,
        forms=forms,
        report=report,
        content_ok=content_ok,
        packet_files=_packet_files(doc) if content_ok else [],
        duplicates=duplicates,
        pending_extensions=pending_extensions,
    )


def _load_for_action(doc_id: int) -> IncomingDocument:
    return visible_document_or_404(current_user, doc_id)


@bp.route("/<int:doc_id>/register", methods=["POST"])
@login_required
def register(doc_id: int):
    doc = _load_for_action(doc_id)
    form = RegisterForm()
    form.presented_to.choices = [(0, "—")] + [(u.id, u.full_name) for u in _leaders()]
    if not form.validate():
        return _render_document(doc, register=form), 400
    leader = (
        db.session.get(User, form.presented_to.data) if form.presented_to.data else None
    )
    try:
        services.register(
            current_user,
            doc,
            form.values(),
            presented_to=leader,
            confirm_duplicate=form.confirm_duplicate.data,
        )
    except services.DuplicateWarning as exc:
        db.session.rollback()
        form.confirm_duplicate.errors.append(
            _(
                "A document with the same issuer, number and notation is already registered (arrival no. %(n)s). "
                "Tick the box to register it anyway.",
                n=", ".join(str(d.arrival_number) for d in exc.duplicates),
            )
        )
        return _render_document(doc, register=form), 409
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render_document(doc, register=form), 400
    flash(_("Registered with arrival number %(n)d.", n=doc.arrival_number), "success")
    return redirect(url_for(".show", doc_id=doc.id))


def _simple_action(doc_id: int, form_class, action, success: str, field_name: str):  # type: ignore[no-untyped-def]
    doc = _load_for_action(doc_id)
    form = form_class()
    if not form.validate():
        return _render_document(doc, **{field_name: form}), 400
    try:
        action(doc, form)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render_document(doc, **{field_name: form}), 400
    except UploadRejected as exc:
        db.session.rollback()
        form.file.errors.append(_(exc.message, **exc.params))
        return _render_document(doc, **{field_name: form}), 400
    flash(success, "success")
    return redirect(url_for(".show", doc_id=doc.id))


@bp.route("/<int:doc_id>/return", methods=["POST"])
@login_required
def return_(doc_id: int):
    return _simple_action(
        doc_id,
        ReturnForm,
        lambda d, f: services.return_document(current_user, d, f.reason.data),
        _("The document was returned."),
        "return",
    )


def _target(value: str) -> services.Target:
    kind, _sep, ident = (value or "").partition(":")
    if kind not in ("u", "d") or not ident.isdigit():
        raise services.ActionRefused(
            "Assignments go to people and departments of the agency."
        )
    return (
        services.Target(user_id=int(ident))
        if kind == "u"
        else services.Target(department_id=int(ident))
    )


@bp.route("/<int:doc_id>/assign", methods=["POST"])
@login_required
def assign(doc_id: int):
    def action(doc: IncomingDocument, form: AssignForm) -> None:
        plan = services.AssignmentPlan(
            lead=_target(form.lead.data),
            coordinate=[_target(v) for v in form.coordinate.data],
            inform=[_target(v) for v in form.inform.data],
            deadline=form.deadline.data,
            instruction=form.instruction.data or "",
        )
        services.assign(current_user, doc, plan)

    # Choices validate the submission against the agency's own people and units.
    return _simple_action(
        doc_id,
        _with_choices(AssignForm, _assign_choices()),
        action,
        _("Assignment saved."),
        "assign",
    )


def _with_choices(form_class, choices):  # type: ignore[no-untyped-def]
    def factory():  # type: ignore[no-untyped-def]
        form = form_class()
        form.lead.choices = form.coordinate.choices = form.inform.choices = choices
        return form

    return factory


@bp.route("/<int:doc_id>/comment", methods=["POST"])
@login_required
def comment(doc_id: int):
    return _simple_action(
        doc_id,
        CommentForm,
        lambda d, f: services.comment(current_user, d, f.text.data),
        _("Comment added."),
        "comment",
    )


@bp.route("/<int:doc_id>/attach", methods=["POST"])
@login_required
def attach(doc_id: int):
    def action(doc: IncomingDocument, form: AttachForm) -> None:
        services.attach(
            current_user, doc, form.file.data.stream, form.file.data.filename or "file"
        )

    return _simple_action(doc_id, AttachForm, action, _("File attached."), "attach")


@bp.route("/<int:doc_id>/forward", methods=["POST"])
@login_required
def forward(doc_id: int):
    def factory():  # type: ignore[no-untyped-def]
        form = ForwardForm()
        form.to_user.choices = [(0, "—")] + [(u.id, u.full_name) for u in _colleagues()]
        return form

    def action(doc: IncomingDocument, form: ForwardForm) -> None:
        to_user = db.session.get(User, form.to_user.data) if form.to_user.data else None
        if to_user is None:
            raise services.ActionRefused(
                "Forward to an active colleague of the same agency."
            )
        services.forward(current_user, doc, to_user, form.note.data or "")

    return _simple_action(doc_id, factory, action, _("Forwarded."), "forward")


@bp.route("/<int:doc_id>/extension", methods=["POST"])
@login_required
def extension(doc_id: int):
    def action(doc: IncomingDocument, form: ExtensionForm) -> None:
        services.request_extension(
            current_user, doc, form.new_deadline.data, form.reason.data
        )

    return _simple_action(
        doc_id, ExtensionForm, action, _("Extension requested."), "extension"
    )


@bp.route("/<int:doc_id>/extension/<int:req_id>/<decision>", methods=["POST"])
@login_required
def decide(doc_id: int, req_id: int, decision: str):
    if decision not in ("grant", "refuse"):
        abort(404)
    req = db.session.get(ExtensionRequest, req_id)
    if req is None or req.document_id != doc_id:
        abort(404)
    return _simple_action(
        doc_id,
        DecideForm,
        lambda d, f: services.decide_extension(current_user, req, decision == "grant"),
        _("Decision saved."),
        "decide",
    )


@bp.route("/<int:doc_id>/complete", methods=["POST"])
@login_required
def complete(doc_id: int):
    return _simple_action(
        doc_id,
        CompleteForm,
        lambda d, f: services.complete(current_user, d, f.result.data),
        _("The document is completed."),
        "complete",
    )


def _send(record: StoredFile, download: bool):  # type: ignore[no-untyped-def]
    inline = (
        record.media_type in ("application/pdf", "image/png", "image/jpeg")
        and not download
    )
    response = send_file(
        open_file(record),
        mimetype=record.media_type,
        as_attachment=not inline,
        download_name=record.original_name,
        conditional=False,
        etag=record.sha256,
    )
    response.headers["Cache-Control"] = "private, no-store"
    if inline:  # shown in the document page's preview frame (same origin only)
        response.headers["X-Frame-Options"] = "SAMEORIGIN"
        response.headers["Content-Security-Policy"] = (
            "default-src 'none'; frame-ancestors 'self'"
        )
    return response


@bp.route("/<int:doc_id>/file")
@login_required
def main_file(doc_id: int):
    doc = visible_document_or_404(current_user, doc_id)
    if doc.main_file is None or not can_view_content(current_user, doc):
        abort(404)
    return _send(doc.main_file, request.args.get("download") == "1")


def _packet_files(doc: IncomingDocument) -> list:
    """The other files of the interchange packet the document came in (none otherwise)."""
    from ..interchange.services import packet_files

    return packet_files(doc)


@bp.route("/<int:doc_id>/packet-files/<int:file_id>")
@login_required
def packet_file(doc_id: int, file_id: int):
    """A file of the packet besides the main one: the same rules as the main file."""
    doc = visible_document_or_404(current_user, doc_id)
    if not can_view_content(current_user, doc):
        abort(404)
    stored = next((f for f, _r in _packet_files(doc) if f.id == file_id), None)
    if stored is None:
        abort(404)
    return _send(stored, request.args.get("download") == "1")


@bp.route("/<int:doc_id>/attachments/<int:attachment_id>")
@login_required
def attachment_file(doc_id: int, attachment_id: int):
    doc = visible_document_or_404(current_user, doc_id)
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.document_id != doc.id
        or not can_view_content(current_user, doc)
    ):
        abort(404)
    return _send(attachment.file, request.args.get("download") == "1")
