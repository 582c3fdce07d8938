"""The outgoing register page (Sổ đăng ký văn bản đi) and its PDF export.

Records officers and leaders only; a register of another agency answers 404. The period
filter is the incoming register's (same form fields, same rules).
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user, login_required

from ..documents.register_views import _period as requested_period
from ..extensions import db
from . import register_book as book
from .models import OutgoingRegister

logger = logging.getLogger(__name__)

bp = Blueprint("outgoing_register_book", __name__, url_prefix="/outgoing")

#: Rows per page on screen (the PDF holds the whole period).
ROWS_PER_PAGE = 200
TEMPLATE = "outgoing/register_book.html"


def _register(registers: list[OutgoingRegister]) -> OutgoingRegister | None:
    """The register asked for (404 unless the agency's own), else the first one."""
    raw = request.args.get("register")
    if not raw:
        return registers[0] if registers else None
    if not raw.isdigit():
        abort(404)
    register = db.session.get(OutgoingRegister, int(raw))
    if register is None or register.agency_id != current_user.agency_id:
        abort(404)
    return register


@bp.route("/register-book")
@login_required
def show() -> Any:
    if not book.may_open(current_user):
        abort(403)
    registers = book.registers_of(current_user.agency_id)
    register = _register(registers)
    errors: dict[str, str] = {}
    period = requested_period(errors)
    context = {
        "registers": registers,
        "register": register,
        "period": period,
        "errors": errors,
        "rows": [],
        "total": 0,
        "page": 1,
        "pages": 1,
        "too_many": False,
        "max_pdf_rows": book.MAX_PDF_ROWS,
    }
    if register is not None:
        query = {
            "register": register.id,
            "from": period.start.isoformat(),
            "to": period.end.isoformat(),
        }
        context["book_url"] = lambda **extra: url_for(".show", **query, **extra)
    if errors or register is None:
        return render_template(TEMPLATE, **context), 400 if errors else 200
    if request.args.get("format") == "pdf":
        return _pdf(register, period, context)
    total = book.count_rows(register, period)
    pages = max(1, -(-total // ROWS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = book.book_rows(
        register, period, limit=ROWS_PER_PAGE, offset=(page - 1) * ROWS_PER_PAGE
    )
    context.update(rows=rows, total=total, page=page, pages=pages)
    return render_template(TEMPLATE, **context)


def _pdf(register: OutgoingRegister, period: Any, context: dict[str, Any]) -> Any:
    try:
        data = book.export_pdf(current_user, register, period, ip=request.remote_addr)
    except book.TooManyRows:
        db.session.rollback()
        context["too_many"] = True
        return render_template(TEMPLATE, **context), 400
    logger.info(
        "outgoing register %s exported by %s (%s)",
        register.id,
        current_user.id,
        period.label(),
    )
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    filename = (
        f"so-van-ban-di-{register.id}-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
