"""Pages for dossiers: the yearly list, a dossier, its actions and export."""

from __future__ import annotations

from typing import Any

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
from sqlalchemy import func, or_, select

from ..agencies.models import Department
from ..auth.models import Role
from ..extensions import db
from ..i18n import N_
from . import access, services
from .export import export_to_tempfile
from .forms import (
    AddDocumentForm,
    AddToDossierForm,
    CloseForm,
    DossierForm,
    EditForm,
    HoldForm,
    ReopenForm,
    SimpleForm,
    retention_value,
)
from .kinds import KINDS, get_kind
from .models import Dossier, DossierCatalog, DossierItem, DossierStatus

bp = Blueprint("dossiers", __name__, url_prefix="/dossiers")

STATUS_LABELS = {
    DossierStatus.OPEN: N_("Open"),
    DossierStatus.CLOSED: N_("Closed"),
    DossierStatus.ARCHIVED: N_("Transferred to the archive"),
}
KIND_LABELS = {"incoming": N_("Incoming"), "outgoing": N_("Outgoing")}


@bp.context_processor
def _labels() -> dict[str, Any]:
    return {
        "STATUS_LABELS": STATUS_LABELS,
        "KIND_LABELS": KIND_LABELS,
        "DossierStatus": DossierStatus,
    }


@bp.app_context_processor
def _panel() -> dict[str, Any]:
    return {"dossier_panel": dossier_panel}


def dossier_panel(kind: str, doc: Any) -> dict[str, Any] | None:
    """For a document page: the dossiers holding the document and a form to add it to one."""
    if not current_user.is_authenticated or get_kind(kind) is None:
        return None
    holding = services.dossiers_holding(current_user, kind, doc.id)
    held = {d.id for d in holding}
    choices = [
        (d.id, f"{d.notation} ({d.year}) — {d.title[:80]}")
        for d in services.open_dossiers_for(current_user)
        if d.id not in held
    ]
    form = None
    if choices:
        form = AddToDossierForm(formdata=None, kind=kind, document_id=doc.id)
        form.dossier.choices = choices
    return {"holding": holding, "form": form, "kind": kind}


def _refused(exc: services.ActionRefused) -> None:
    flash(_(exc.message, **exc.params), "error")


def _departments() -> list[tuple[int, str]]:
    depts = db.session.scalars(
        select(Department)
        .where(
            Department.agency_id == current_user.agency_id, Department.active.is_(True)
        )
        .order_by(Department.name)
    )
    return [(0, "—")] + [(d.id, d.name) for d in depts]


# ------------------------------------------------------------------ list
@bp.route("/")
@login_required
def index():
    year = request.args.get("year", services.today().year, type=int)
    status = request.args.get("status", "")
    text = (request.args.get("q") or "").strip()
    department = request.args.get("department", 0, type=int)
    page = max(request.args.get("page", 1, type=int), 1)
    per_page = current_app.config["PAGE_SIZE"]
    query = select(Dossier).where(
        access.visible_clause(current_user), Dossier.year == year
    )
    if status in {s.value for s in DossierStatus}:
        query = query.where(Dossier.status == DossierStatus(status))
    if department:
        query = query.where(Dossier.department_id == department)
    if text:
        query = query.where(
            or_(Dossier.title.ilike(f"%{text}%"), Dossier.notation.ilike(f"%{text}%"))
        )
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    dossiers = db.session.scalars(
        query.order_by(Dossier.section, Dossier.notation)
        .offset((page - 1) * per_page)
        .limit(per_page)
    ).all()
    counts = dict(
        db.session.execute(
            select(DossierItem.dossier_id, func.count(DossierItem.id))
            .where(DossierItem.dossier_id.in_([d.id for d in dossiers]))
            .group_by(DossierItem.dossier_id)
        ).all()
    )
    years = set(
        db.session.scalars(
            select(DossierCatalog.year).where(
                DossierCatalog.agency_id == current_user.agency_id
            )
        )
    )
    years |= {services.today().year, year}
    return render_template(
        "dossiers/index.html",
        dossiers=dossiers,
        counts=counts,
        year=year,
        years=sorted(years, reverse=True),
        status=status,
        q=text,
        department=department,
        departments=_departments(),
        page=page,
        pages=max((total + per_page - 1) // per_page, 1),
        total=total,
        can_create=access.can_create(current_user),
        today=services.today(),
    )


@bp.route("/new", methods=["GET", "POST"])
@login_required
def new():
    if not access.can_create(current_user):
        abort(403)
    form = DossierForm()
    form.department.choices = _departments()
    if request.method == "GET":
        form.year.data = services.today().year
        form.start_date.data = services.today()
        form.department.data = current_user.department_id or 0
    if form.validate_on_submit():
        try:
            dossier = services.create_dossier(
                current_user,
                notation=form.notation.data,
                title=form.title.data,
                year=form.year.data,
                retention_years=retention_value(form.retention.data),
                rights=form.rights.data,
                section=form.section.data or "",
                description=form.description.data or "",
                department_id=form.department.data or None,
                start_date=form.start_date.data,
                is_construction=form.is_construction.data,
            )
        except services.ActionRefused as exc:
            db.session.rollback()
            form.notation.errors.append(_(exc.message, **exc.params))
        else:
            flash(
                _("Dossier %(notation)s opened.", notation=dossier.notation), "success"
            )
            return redirect(url_for(".show", dossier_id=dossier.id))
    return render_template("dossiers/new.html", form=form), 400 if form.errors else 200


# ------------------------------------------------------------------ one dossier
@bp.route("/<int:dossier_id>")
@login_required
def show(dossier_id: int):
    return _render(access.visible_dossier_or_404(current_user, dossier_id))


def _render(dossier: Dossier, status: int = 200, **forms: Any):  # type: ignore[no-untyped-def]
    manager = access.is_manager(current_user, dossier)
    is_open = dossier.status == DossierStatus.OPEN
    text = (request.args.get("q") or "").strip()
    candidates: list[tuple[str, Any]] = []
    if manager and is_open and text:
        present = {(i.kind, i.document_id) for i in dossier.items}
        for name, handler in KINDS.items():
            for doc in handler.search(current_user, text):
                info = handler.describe(doc)
                if (
                    name,
                    doc.id,
                ) not in present and info.agency_id == dossier.agency_id:
                    candidates.append((name, info))
    close_form = forms.get("close")
    if close_form is None and manager and is_open:
        close_form = CloseForm(
            formdata=None,
            end_date=services.today(),
            retention=""
            if dossier.retention_years is None
            else str(dossier.retention_years),
        )
    context = {
        "dossier": dossier,
        "items": services.item_views(current_user, dossier),
        "manager": manager,
        "q": text,
        "candidates": candidates,
        "add_form": AddDocumentForm(formdata=None),
        "simple_form": SimpleForm(formdata=None),
        "close_form": close_form,
        "reopen_form": forms.get("reopen") or ReopenForm(formdata=None),
        "edit_form": forms.get("edit")
        or EditForm(
            formdata=None,
            obj=dossier,
            retention=""
            if dossier.retention_years is None
            else str(dossier.retention_years),
        ),
        "hold_form": forms.get("hold") or HoldForm(formdata=None),
        "is_records_officer": current_user.role == Role.RECORDS_OFFICER,
    }
    return render_template("dossiers/show.html", **context), status


def _manage(dossier_id: int) -> Dossier:
    return access.visible_dossier_or_404(current_user, dossier_id)


@bp.route("/<int:dossier_id>/documents", methods=["POST"])
@login_required
def add_document(dossier_id: int):
    dossier = _manage(dossier_id)
    form = AddDocumentForm()
    if not form.validate():
        abort(400)
    try:
        services.add_document(
            current_user, dossier, form.kind.data, int(form.document_id.data)
        )
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
    else:
        flash(_("The document was added to the dossier."), "success")
    return redirect(
        url_for(".show", dossier_id=dossier.id, q=request.args.get("q") or None)
    )


@bp.route("/<int:dossier_id>/documents/<int:item_id>/remove", methods=["POST"])
@login_required
def remove_document(dossier_id: int, item_id: int):
    dossier = _manage(dossier_id)
    item = db.session.get(DossierItem, item_id)
    if item is None or item.dossier_id != dossier.id or not SimpleForm().validate():
        abort(404)
    try:
        services.remove_document(current_user, dossier, item)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
    else:
        flash(_("The document was taken out of the dossier."), "success")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/close", methods=["POST"])
@login_required
def close(dossier_id: int):
    dossier = _manage(dossier_id)
    form = CloseForm()
    if not form.validate():
        return _render(dossier, 400, close=form)
    try:
        services.close(
            current_user,
            dossier,
            end_date=form.end_date.data,
            retention_years=retention_value(form.retention.data),
            settled_date=form.settled_date.data,
        )
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render(dossier, 400, close=form)
    flash(_("The dossier is closed."), "success")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/edit", methods=["POST"])
@login_required
def edit(dossier_id: int):
    dossier = _manage(dossier_id)
    form = EditForm()
    if not form.validate():
        return _render(dossier, 400, edit=form)
    try:
        changed = services.update(
            current_user,
            dossier,
            title=form.title.data,
            section=form.section.data or "",
            description=form.description.data or "",
            retention_years=retention_value(form.retention.data),
            rights=form.rights.data,
        )
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render(dossier, 400, edit=form)
    if changed:
        flash(_("The dossier information was saved."), "success")
    else:
        flash(_("Nothing was changed."), "info")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/hold", methods=["POST"])
@login_required
def hold(dossier_id: int):
    dossier = _manage(dossier_id)
    form = HoldForm()
    if not form.validate():
        return _render(dossier, 400, hold=form)
    try:
        services.hold(current_user, dossier, form.until.data, form.approval.data)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render(dossier, 400, hold=form)
    flash(
        _("The dossier is kept back until %(day)s.", day=f"{form.until.data:%d/%m/%Y}"),
        "success",
    )
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/reopen", methods=["POST"])
@login_required
def reopen(dossier_id: int):
    dossier = _manage(dossier_id)
    form = ReopenForm()
    if not form.validate():
        return _render(dossier, 400, reopen=form)
    try:
        services.reopen(current_user, dossier, form.reason.data)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
        return _render(dossier, 400, reopen=form)
    flash(_("The dossier is open again."), "success")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/archive", methods=["POST"])
@login_required
def archive(dossier_id: int):
    dossier = _manage(dossier_id)
    if not SimpleForm().validate():
        abort(400)
    try:
        services.mark_archived(current_user, dossier)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
    else:
        flash(_("The transfer to the archive is recorded."), "success")
    return redirect(url_for(".show", dossier_id=dossier.id))


@bp.route("/<int:dossier_id>/export.zip")
@login_required
def export(dossier_id: int):
    dossier = access.visible_dossier_or_404(current_user, dossier_id)
    tmp, meta = export_to_tempfile(dossier, current_user)
    services.record_export(
        current_user,
        dossier,
        documents=meta["DocTotal"],
        with_content=sum(1 for d in meta["Documents"] if d["ContentIncluded"]),
    )
    name = f"hoso_{dossier.year}_{dossier.notation}.zip".replace("/", "-")
    response = send_file(
        tmp,
        mimetype="application/zip",
        as_attachment=True,
        download_name=name,
        conditional=False,
        etag=False,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


# ------------------------------------------------------------------ from a document page
@bp.route("/add-document", methods=["POST"])
@login_required
def add_from_document():
    form = AddToDossierForm()
    form.dossier.choices = [
        (d.id, d.notation) for d in services.open_dossiers_for(current_user)
    ]
    handler = get_kind(form.kind.data or "")
    if handler is None or not (form.document_id.data or "").isdigit():
        abort(404)
    doc = handler.load(int(form.document_id.data))
    if doc is None or not handler.can_view(current_user, doc):
        abort(404)
    back = handler.describe(doc).url
    if not form.validate():
        flash(_("Choose one of your open dossiers."), "error")
        return redirect(back)
    dossier = access.visible_dossier_or_404(current_user, form.dossier.data)
    try:
        services.add_document(current_user, dossier, form.kind.data, doc.id)
    except services.ActionRefused as exc:
        db.session.rollback()
        _refused(exc)
    else:
        flash(
            _(
                "The document was added to dossier %(notation)s.",
                notation=dossier.notation,
            ),
            "success",
        )
    return redirect(back)
