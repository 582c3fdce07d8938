"""The report pages, their drill-down and their PDF / CSV exports.

Leaders and records officers (their agency) and department heads (their department)
only; anyone else gets 403. A unit of another agency, or another unit for a head,
answers 404. Periods follow the registers: this month by default, at most one year.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import (
    Blueprint,
    abort,
    has_request_context,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_login import current_user, login_required

from ..agencies.models import Department
from ..auth.models import User
from ..extensions import db
from ..registers.pdf import Period

# The registers' period rules (default month, dd/mm/yyyy or ISO, at most a year).
from ..registers.views import _period as parse_period
from . import export, incoming, outgoing
from .scope import may_open, unit_of

logger = logging.getLogger(__name__)

bp = Blueprint("reports", __name__, url_prefix="/reports")

DOCUMENTS_PER_PAGE = 50


@bp.app_context_processor
def _navigation() -> dict[str, bool]:
    """The "Reports" link of the top bar, for those who may open them."""
    return {"may_open_reports": has_request_context() and may_open(current_user)}


def _require_reader() -> None:
    if not may_open(current_user):
        abort(403)


def _unit_key(raw: str | None) -> str | None:
    """The unit asked for, as a report key; 404 unless the reader may count it."""
    if not raw:
        return None
    limited_to = unit_of(current_user)
    if raw == incoming.NONE:
        if limited_to is not None:
            abort(404)
        return raw
    if not raw.isdigit():
        abort(404)
    unit = db.session.get(Department, int(raw))
    if unit is None or unit.agency_id != current_user.agency_id:
        abort(404)
    if limited_to is not None and unit.id != limited_to:
        abort(404)
    return str(unit.id)


def _person_key(raw: str | None) -> str | None:
    if not raw:
        return None
    if raw != incoming.NONE and not raw.isdigit():
        abort(404)
    return raw


def _period_args(period: Period) -> dict[str, str]:
    return {"from": period.start.isoformat(), "to": period.end.isoformat()}


def _period_url(period: Period) -> Any:
    """url_for with the period's from/to added (templates merge one dict at a time)."""

    def build(endpoint: str, **values: Any) -> str:
        return url_for(endpoint, **_period_args(period), **values)

    return build


def _scope_name() -> str | None:
    unit = unit_of(current_user)
    return db.session.get(Department, unit).name if unit is not None else None


def _download(data: bytes, mimetype: str, name: str, period: Period) -> Any:
    response = make_response(data)
    response.headers["Content-Type"] = mimetype
    extension = "pdf" if mimetype == "application/pdf" else "csv"
    filename = f"{name}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.{extension}"
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response


def _export(kind: str, fmt: str, period: Period, pdf: Any, csv: Any, **details: Any):
    """Audit then serve one export; ``pdf`` / ``csv`` make the bytes."""
    data = pdf() if fmt == "pdf" else csv()
    export.audit_export(current_user, kind, fmt, period, request.remote_addr, **details)
    logger.info("%s report exported by %s (%s)", kind, current_user.id, period.label())
    mimetype = "application/pdf" if fmt == "pdf" else "text/csv; charset=utf-8"
    name = "bao-cao-van-ban-den" if kind == "incoming" else "bao-cao-van-ban-di"
    return _download(data, mimetype, name, period)


@bp.route("/")
@login_required
def index() -> Any:
    _require_reader()
    return redirect(url_for(".incoming_report"))


@bp.route("/incoming")
@login_required
def incoming_report() -> Any:
    _require_reader()
    unit_key = _unit_key(request.args.get("unit"))
    errors: dict[str, str] = {}
    period = parse_period(errors)
    context: dict[str, Any] = {
        "period": period,
        "errors": errors,
        "unit_key": unit_key,
        "measures": incoming.MEASURES,
        "agency_wide": unit_of(current_user) is None,
    }
    if errors:
        return render_template("reports/incoming.html", **context), 400
    if unit_key is None:
        report = incoming.by_unit(current_user, period)
    else:
        report = incoming.by_person(current_user, period, unit_key)
    fmt = request.args.get("format")
    if fmt in ("pdf", "csv"):
        scope = export.incoming_scope(report, _scope_name())
        return _export(
            "incoming",
            fmt,
            period,
            lambda: export.incoming_pdf(current_user.agency.name, report, scope),
            lambda: export.incoming_csv(report),
            unit=unit_key,
        )
    args = _period_args(period)
    context.update(report=report, period_args=args, period_url=_period_url(period))
    return render_template("reports/incoming.html", **context)


@bp.route("/incoming/documents")
@login_required
def incoming_documents() -> Any:
    """The documents behind one figure of the incoming report."""
    _require_reader()
    unit_key = _unit_key(request.args.get("unit"))
    person_key = _person_key(request.args.get("person"))
    measure = request.args.get("measure", "received")
    if measure not in incoming.MEASURES:
        abort(404)
    errors: dict[str, str] = {}
    period = parse_period(errors)
    context: dict[str, Any] = {
        "period": period,
        "errors": errors,
        "unit_key": unit_key,
        "person_key": person_key,
        "measure": measure,
        "measures": incoming.MEASURES,
    }
    if errors:
        return render_template("reports/incoming_documents.html", **context), 400
    found = incoming.documents(
        current_user,
        period,
        unit_key=unit_key,
        person_key=person_key,
        measure=measure,
        page=request.args.get("page", 1, type=int),
        per_page=DOCUMENTS_PER_PAGE,
    )
    unit = (
        db.session.get(Department, int(unit_key))
        if unit_key
        not in (
            None,
            incoming.NONE,
        )
        else None
    )
    person = None
    if person_key not in (None, incoming.NONE):
        person = db.session.get(User, int(person_key))
        if person is None or person.agency_id != current_user.agency_id:
            abort(404)
    query = {
        **_period_args(period),
        "measure": measure,
        **({"unit": unit_key} if unit_key else {}),
        **({"person": person_key} if person_key else {}),
    }
    context.update(
        found=found,
        unit=unit,
        person=person,
        period_args=_period_args(period),
        page_url=lambda page: url_for(".incoming_documents", **query, page=page),
    )
    return render_template("reports/incoming_documents.html", **context)


@bp.route("/outgoing")
@login_required
def outgoing_report() -> Any:
    _require_reader()
    errors: dict[str, str] = {}
    period = parse_period(errors)
    context: dict[str, Any] = {
        "period": period,
        "errors": errors,
        "document_measures": outgoing.DOCUMENT_MEASURES,
        "recipient_measures": outgoing.RECIPIENT_MEASURES,
        "measures": outgoing.MEASURES,
    }
    if errors:
        return render_template("reports/outgoing.html", **context), 400
    report = outgoing.report(current_user, period)
    fmt = request.args.get("format")
    if fmt in ("pdf", "csv"):
        scope = _scope_name() or "Toàn cơ quan"
        return _export(
            "outgoing",
            fmt,
            period,
            lambda: export.outgoing_pdf(current_user.agency.name, report, scope),
            lambda: export.outgoing_csv(report),
        )
    context.update(
        report=report,
        period_args=_period_args(period),
        period_url=_period_url(period),
    )
    return render_template("reports/outgoing.html", **context)


@bp.route("/outgoing/documents")
@login_required
def outgoing_documents() -> Any:
    """The documents (or recipient agencies) behind one figure of the outgoing report."""
    _require_reader()
    group = request.args.get("group") or None
    key = request.args.get("key") or None
    measure = request.args.get("measure", "issued")
    if measure not in outgoing.MEASURES or group not in (None, *outgoing.GROUPS):
        abort(404)
    if group is None:
        key = None
    elif group == "unit":
        key = _unit_key(key)
        if key is None:
            abort(404)
    elif key is None:
        abort(404)
    errors: dict[str, str] = {}
    period = parse_period(errors)
    unit = (
        db.session.get(Department, int(key))
        if group == "unit" and key != outgoing.NONE
        else None
    )
    context: dict[str, Any] = {
        "period": period,
        "errors": errors,
        "group": group,
        "key": key,
        "unit": unit,
        "measure": measure,
        "measures": outgoing.MEASURES,
    }
    if errors:
        return render_template("reports/outgoing_documents.html", **context), 400
    found = outgoing.listing(
        current_user,
        period,
        group=group,
        key=key,
        measure=measure,
        page=request.args.get("page", 1, type=int),
        per_page=DOCUMENTS_PER_PAGE,
    )
    query = {**_period_args(period), "measure": measure, "group": group, "key": key}
    context.update(
        found=found,
        period_args=_period_args(period),
        page_url=lambda page: url_for(".outgoing_documents", **query, page=page),
    )
    return render_template("reports/outgoing_documents.html", **context)
