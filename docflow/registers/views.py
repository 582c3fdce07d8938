"""The register page (Sổ đăng ký văn bản đến / đi) and its PDF export, for either kind.

Records officers and leaders only; a register of another agency answers 404.
"""

from __future__ import annotations

import logging
from datetime import date, datetime
from typing import Any

from flask import Blueprint, abort, make_response, render_template, request, url_for
from flask_login import current_user, login_required

from ..extensions import db
from ..i18n import N_
from ..timeutil import to_local, utcnow
from .book import MAX_PERIOD_DAYS, RegisterBook, TooManyRows, may_open
from .pdf import Period

logger = logging.getLogger(__name__)

#: Rows per page on screen (the PDF holds the whole period).
ROWS_PER_PAGE = 200
TEMPLATE = "registers/register_book.html"
#: Years a period may start and end in.
FIRST_YEAR, LAST_YEAR = 1900, 2100


def register_book_blueprint(book: RegisterBook) -> Blueprint:
    """The page of ``book`` at ``<url_prefix>/register-book``; ``?format=pdf`` prints it."""
    bp = Blueprint(book.page.blueprint, __name__, url_prefix=book.page.url_prefix)

    @bp.route("/register-book")
    @login_required
    def show() -> Any:
        return _show(book)

    return bp


def _date_arg(name: str, errors: dict[str, str]) -> date | None:
    raw = (request.args.get(name) or "").strip()
    if not raw:
        return None
    # <input type="date"> sends yyyy-mm-dd; people typing by hand write dd/mm/yyyy.
    for parse in (
        date.fromisoformat,
        lambda s: datetime.strptime(s, "%d/%m/%Y").date(),
    ):
        try:
            value = parse(raw)
        except ValueError:
            continue
        # Day 1 or 9999 would overflow the period's UTC bounds (a 500, not an answer).
        if not FIRST_YEAR <= value.year <= LAST_YEAR:
            errors[name] = N_("Enter a date between 1900 and 2100.")
            return None
        return value
    errors[name] = N_("Enter a date as dd/mm/yyyy.")
    return None


def _period(errors: dict[str, str]) -> Period:
    """The period asked for; by default the current month (or the given date's)."""
    month = Period.month_of(to_local(utcnow()).date())  # this month, in Vietnam
    start, end = _date_arg("from", errors), _date_arg("to", errors)
    if start is None and end is None:
        return month
    if start is None:
        start = end.replace(day=1)  # type: ignore[union-attr]
    if end is None:
        end = Period.month_of(start).end
    if end < start:
        errors["to"] = N_("The end date is before the start date.")
    elif (end - start).days >= MAX_PERIOD_DAYS:
        errors["to"] = N_("Choose a period of at most one year.")
    return Period(start, end)


def _register(book: RegisterBook, registers: list[Any]) -> Any:
    """The register asked for (404 unless the agency's own), else the first one."""
    raw = request.args.get("register")
    if not raw:
        return registers[0] if registers else None
    if not raw.isdigit():
        abort(404)
    register = db.session.get(book.register_model, int(raw))
    if register is None or register.agency_id != current_user.agency_id:
        abort(404)
    return register


def _show(book: RegisterBook) -> Any:
    if not may_open(current_user):
        abort(403)
    registers = book.registers_of(current_user.agency_id)
    register = _register(book, registers)
    errors: dict[str, str] = {}
    period = _period(errors)
    context = {
        "book_page": book.page,
        "registers": registers,
        "register": register,
        "period": period,
        "errors": errors,
        "rows": [],
        "total": 0,
        "page": 1,
        "pages": 1,
        "too_many": False,
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
        return _pdf(book, register, period, context)
    total = book.count(register, period)
    pages = max(1, -(-total // ROWS_PER_PAGE))
    page = min(max(request.args.get("page", 1, type=int), 1), pages)
    rows = book.rows(
        register, period, limit=ROWS_PER_PAGE, offset=(page - 1) * ROWS_PER_PAGE
    )
    context.update(rows=rows, total=total, page=page, pages=pages)
    return render_template(TEMPLATE, **context)


def _pdf(
    book: RegisterBook, register: Any, period: Period, context: dict[str, Any]
) -> Any:
    try:
        data = book.export_pdf(current_user, register, period, ip=request.remote_addr)
    except TooManyRows as too_many:
        db.session.rollback()
        context.update(too_many=True, max_pdf_rows=too_many.limit)
        return render_template(TEMPLATE, **context), 400
    logger.info(
        "%s register %s exported by %s (%s)",
        book.name,
        register.id,
        current_user.id,
        period.label(),
    )
    response = make_response(data)
    response.headers["Content-Type"] = "application/pdf"
    filename = (
        f"{book.page.pdf_name}-{register.id}"
        f"-{period.start:%Y%m%d}-{period.end:%Y%m%d}.pdf"
    )
    response.headers["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.headers["Cache-Control"] = "private, no-store"
    return response
