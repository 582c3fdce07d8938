"""Both reports as PDF (the registers' printed table) and as CSV for spreadsheets.

Like the registers, the printed headings stay Vietnamese whatever the interface
language: the report is the agency's paper. CSV files start with a byte order mark so
Excel reads them as UTF-8, and cells a spreadsheet would take for a formula are quoted
with a leading apostrophe (unit names and document types are typed by people).
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence

from ..agencies.models import Agency
from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..registers.pdf import Period, RegisterForm, render_register_pdf
from . import incoming, outgoing

INCOMING_TITLE = "Báo cáo tình hình giải quyết văn bản đến"
OUTGOING_TITLE = "Báo cáo giải quyết văn bản đi"
TOTAL = "Tổng cộng"

#: The printed heading of each column (Vietnamese, as on the agency's paper).
INCOMING_HEADINGS = {
    "received": "Số văn bản nhận",
    "on_time": "Đã giải quyết đúng hạn",
    "late": "Đã giải quyết quá hạn",
    "in_progress": "Đang giải quyết trong hạn",
    "overdue": "Quá hạn chưa giải quyết",
    "no_deadline": "Không có thời hạn",
}
OUTGOING_HEADINGS = {
    "drafts": "Dự thảo tạo mới",
    "issued": "Đã ban hành",
    "electronic": "Ban hành điện tử",
    "paper": "Chỉ ban hành giấy",
    "recipients": "Nơi nhận liên thông",
    "delivered": "Đã chuyển đến",
    "waiting": "Đang chờ gửi",
    "failed": "Gửi lỗi",
    "returned": "Bị trả lại",
}
NO_UNIT = "Không thuộc đơn vị nào"
NO_PERSON = "Giao cho đơn vị, chưa giao cá nhân"
BY_UNIT = "Theo đơn vị soạn thảo"
BY_TYPE = "Theo loại văn bản"


def incoming_first_heading(report: incoming.IncomingReport) -> str:
    return "Người chủ trì" if report.unit_key is not None else "Đơn vị chủ trì"


def incoming_name(report: incoming.IncomingReport, row: incoming.Row) -> str:
    if row.key == "total":
        return TOTAL
    if row.key == incoming.NONE:
        return NO_PERSON if report.unit_key is not None else NO_UNIT
    return row.name


def incoming_table(report: incoming.IncomingReport) -> list[list[str]]:
    return [
        [incoming_name(report, row)] + [str(row.figures[m]) for m in incoming.MEASURES]
        for row in [*report.rows, report.total]
    ]


def incoming_scope(report: incoming.IncomingReport, unit_name: str | None) -> str:
    """The line under the title: the whole agency, or the unit."""
    if report.unit_key == incoming.NONE:
        return NO_UNIT
    if report.unit is not None:
        return report.unit.name
    return unit_name or "Toàn cơ quan"


def outgoing_name(row: outgoing.Row) -> str:
    if row.key == "total":
        return TOTAL
    return NO_UNIT if row.key == outgoing.NONE else row.name


def outgoing_sections(
    report: outgoing.OutgoingReport,
) -> list[tuple[str, list[list[str]]]]:
    """(section, rows): by drafting unit then by document type, each with its total."""
    return [
        (
            title,
            [
                [outgoing_name(r)] + [str(r.figures[m]) for m in outgoing.MEASURES]
                for r in [*rows, total]
            ],
        )
        for title, rows, total in (
            (BY_UNIT, report.by_unit, report.unit_total),
            (BY_TYPE, report.by_type, report.type_total),
        )
    ]


def _form(
    title: str, first: str, headings: Sequence[str], first_mm: float
) -> RegisterForm:
    # A4 landscape less the margins: 277 mm.
    width = (277 - first_mm) / len(headings)
    return RegisterForm(
        title=title,
        columns=[first, *headings],
        widths_mm=[first_mm] + [width] * len(headings),
        centred=range(1, len(headings) + 1),
        empty="",
    )


def incoming_pdf(
    agency_name: str, report: incoming.IncomingReport, scope: str
) -> bytes:
    form = _form(
        INCOMING_TITLE,
        incoming_first_heading(report),
        list(INCOMING_HEADINGS.values()),
        87,
    )
    return render_register_pdf(
        form, agency_name, scope, report.period, incoming_table(report)
    )


def outgoing_pdf(
    agency_name: str, report: outgoing.OutgoingReport, scope: str
) -> bytes:
    form = _form(
        OUTGOING_TITLE,
        f"{BY_UNIT} / {BY_TYPE}",
        list(OUTGOING_HEADINGS.values()),
        70,
    )
    rows: list[list[str]] = []
    width = len(OUTGOING_HEADINGS)
    for title, section in outgoing_sections(report):
        rows.append([title.upper()] + [""] * width)
        rows.extend(section)
    return render_register_pdf(form, agency_name, scope, report.period, rows)


def _cell(value: str) -> str:
    """Text a spreadsheet would run as a formula is kept as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _csv(rows: Sequence[Sequence[str]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    for row in rows:
        writer.writerow([_cell(c) for c in row])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def incoming_csv(report: incoming.IncomingReport) -> bytes:
    head = [incoming_first_heading(report), *INCOMING_HEADINGS.values()]
    return _csv([head, *incoming_table(report)])


def outgoing_csv(report: outgoing.OutgoingReport) -> bytes:
    head = ["Nhóm", "Tên", *OUTGOING_HEADINGS.values()]
    rows = [
        [title, *row] for title, section in outgoing_sections(report) for row in section
    ]
    return _csv([head, *rows])


def audit_export(
    actor: User, kind: str, fmt: str, period: Period, ip: str | None, **details: object
) -> None:
    """Write the export to the audit trail, as the registers do (commits)."""
    record(
        f"reports.{kind}.export",
        actor=actor,
        obj=db.session.get(Agency, actor.agency_id),
        ip=ip,
        format=fmt,
        start=period.start.isoformat(),
        end=period.end.isoformat(),
        **details,
    )
    db.session.commit()
