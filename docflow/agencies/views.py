"""Administration pages: agencies, departments, users.

The system administrator (superadmin) manages every agency; an agency's administrator
manages only their own agency. Anything else answers 404.
"""

from __future__ import annotations

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from ..auth.access import managed_agency_or_404, roles_required
from ..auth.models import Role, User
from ..auth.passwords import MIN_LENGTH, password_problem
from ..extensions import db
from .forms import LEVEL_LABELS, ROLE_LABELS, AgencyForm, DepartmentForm, UserForm
from .models import Agency, Department
from .services import DuplicateError, save_agency, save_department, save_user

bp = Blueprint("admin", __name__, url_prefix="/admin")
admin_only = roles_required(Role.ADMIN)

AGENCY_FIELDS = (
    "code",
    "code_qd20",
    "name",
    "short_name",
    "level",
    "parent_id",
    "address",
    "phone",
    "email",
    "website",
    "active",
)
#: Fields only the system administrator may change (they place the agency in the hierarchy).
SUPERADMIN_FIELDS = ("code", "level", "parent_id", "active")


@bp.context_processor
def _labels():
    return {"LEVEL_LABELS": LEVEL_LABELS, "ROLE_LABELS": ROLE_LABELS}


@bp.route("/")
@admin_only
def index():
    if current_user.is_superadmin:
        return redirect(url_for(".agencies"))
    return redirect(url_for(".agency", agency_id=current_user.agency_id))


@bp.route("/agencies")
@admin_only
def agencies():
    query = select(Agency).order_by(Agency.code)
    if not current_user.is_superadmin:
        query = query.where(Agency.id == current_user.agency_id)
    return render_template(
        "admin/agencies.html", agencies=db.session.scalars(query).all()
    )


def _agency_form(agency: Agency | None) -> AgencyForm:
    form = AgencyForm(obj=agency)
    others = db.session.scalars(select(Agency).order_by(Agency.name)).all()
    form.parent_id.choices = [(0, "—")] + [
        (a.id, f"{a.name} ({a.code})") for a in others if a is not agency
    ]
    if request.method == "GET" and agency is not None:
        form.level.data = agency.level.value
        form.parent_id.data = agency.parent_id or 0
    return form


def _agency_values(form: AgencyForm, agency: Agency | None) -> dict:
    values = {name: getattr(form, name).data for name in AGENCY_FIELDS}
    values["parent_id"] = values["parent_id"] or None
    for key in ("code_qd20", "address", "phone", "email", "website"):
        values[key] = values[key] or None
    if agency is not None and not current_user.is_superadmin:
        for key in SUPERADMIN_FIELDS:
            values[key] = getattr(agency, key)
        values["level"] = agency.level.value
    return values


@bp.route("/agencies/new", methods=["GET", "POST"])
@admin_only
def agency_new():
    if not current_user.is_superadmin:
        abort(403)
    form = _agency_form(None)
    if form.validate_on_submit():
        try:
            agency = save_agency(None, _agency_values(form, None), actor=current_user)
        except DuplicateError:
            form.code.errors.append(
                _("This identifier is already used by another agency.")
            )
        else:
            flash(_("Agency created."), "success")
            return redirect(url_for(".agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=None)


@bp.route("/agencies/<int:agency_id>", methods=["GET", "POST"])
@admin_only
def agency(agency_id: int):
    agency = managed_agency_or_404(agency_id)
    form = _agency_form(agency)
    if form.validate_on_submit():
        try:
            save_agency(agency, _agency_values(form, agency), actor=current_user)
        except DuplicateError:
            form.code.errors.append(
                _("This identifier is already used by another agency.")
            )
        except ValueError:
            form.parent_id.errors.append(_("An agency cannot be its own parent."))
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".agency", agency_id=agency.id))
    return render_template("admin/agency_form.html", form=form, agency=agency)


@bp.route("/agencies/<int:agency_id>/departments")
@admin_only
def departments(agency_id: int):
    agency = managed_agency_or_404(agency_id)
    return render_template(
        "admin/departments.html", agency=agency, departments=agency.departments
    )


@bp.route(
    "/agencies/<int:agency_id>/departments/new",
    methods=["GET", "POST"],
    defaults={"department_id": None},
)
@bp.route(
    "/agencies/<int:agency_id>/departments/<int:department_id>", methods=["GET", "POST"]
)
@admin_only
def department(agency_id: int, department_id: int | None):
    agency = managed_agency_or_404(agency_id)
    department = None
    if department_id is not None:
        department = db.session.get(Department, department_id)
        if department is None or department.agency_id != agency.id:
            abort(404)
    form = DepartmentForm(obj=department)
    if form.validate_on_submit():
        values = {
            "name": form.name.data,
            "short_name": form.short_name.data or None,
            "active": form.active.data,
        }
        try:
            save_department(agency, department, values, actor=current_user)
        except DuplicateError:
            form.name.errors.append(
                _("This agency already has a department with this name.")
            )
        else:
            flash(_("Changes saved."), "success")
            return redirect(url_for(".departments", agency_id=agency.id))
    return render_template(
        "admin/department_form.html", form=form, agency=agency, department=department
    )


@bp.route("/agencies/<int:agency_id>/users")
@admin_only
def users(agency_id: int):
    agency = managed_agency_or_404(agency_id)
    rows = db.session.scalars(
        select(User).where(User.agency_id == agency.id).order_by(User.full_name)
    ).all()
    return render_template("admin/users.html", agency=agency, users=rows)


@bp.route(
    "/agencies/<int:agency_id>/users/new",
    methods=["GET", "POST"],
    defaults={"user_id": None},
)
@bp.route("/agencies/<int:agency_id>/users/<int:user_id>", methods=["GET", "POST"])
@admin_only
def user(agency_id: int, user_id: int | None):
    agency = managed_agency_or_404(agency_id)
    user = None
    if user_id is not None:
        user = db.session.get(User, user_id)
        if user is None or user.agency_id != agency.id:
            abort(404)
    form = UserForm(obj=user)
    form.department_id.choices = [(0, "—")] + [
        (d.id, d.name) for d in agency.departments
    ]
    if request.method == "GET" and user is not None:
        form.role.data = user.role.value
        form.department_id.data = user.department_id or 0
    if form.validate_on_submit():
        password = form.password.data or None
        if user is None and not password:
            form.password.errors.append(_("A first password is required."))
        elif password and (problem := password_problem(password, form.username.data)):
            form.password.errors.append(_(problem, n=MIN_LENGTH))
        else:
            values = {
                "username": form.username.data,
                "full_name": form.full_name.data,
                "position": form.position.data or None,
                "email": form.email.data or None,
                "role": form.role.data,
                "department_id": form.department_id.data or None,
                "active": form.active.data,
            }
            if user is not None and user.id == current_user.id:
                values["active"], values["role"] = (
                    True,
                    user.role.value,
                )  # never lock yourself out
            try:
                save_user(agency, user, values, password=password, actor=current_user)
            except DuplicateError:
                form.username.errors.append(_("This user name is taken."))
            else:
                flash(_("Changes saved."), "success")
                return redirect(url_for(".users", agency_id=agency.id))
    return render_template("admin/user_form.html", form=form, agency=agency, user=user)
