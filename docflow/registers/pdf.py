"""The period of a register and its printed form (PDF).

The incoming register (Sổ đăng ký văn bản đến) and the outgoing one (Sổ đăng ký văn bản
đi) are both a titled table of ten columns over a period. The PDF keeps the form's
Vietnamese headings whatever the interface language (it is the agency's paper register),
embeds a DejaVu subset with every Vietnamese letter, repeats the table header on each
page and numbers the pages ("Trang n/N").
"""

from __future__ import annotations

import io
import unicodedata
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from xml.sax.saxutils import escape

from ..timeutil import VN_TZ


def nfc(text: str | None) -> str:
    return unicodedata.normalize("NFC", text or "")


def day(value: date | None) -> str:
    """dd/mm/yyyy, or nothing."""
    return f"{value:%d/%m/%Y}" if value else ""


@dataclass(frozen=True)
class Period:
    """Calendar days in Vietnam time, both ends included."""

    start: date
    end: date

    @classmethod
    def month_of(cls, day: date) -> Period:
        first = day.replace(day=1)
        following = (first + timedelta(days=32)).replace(day=1)
        return cls(first, following - timedelta(days=1))

    def utc_bounds(self) -> tuple[datetime, datetime]:
        """[start, end) as the naive UTC timestamps the database stores."""

        def utc(day: date) -> datetime:
            return (
                datetime.combine(day, time.min, VN_TZ)
                .astimezone(UTC)
                .replace(tzinfo=None)
            )

        return utc(self.start), utc(self.end + timedelta(days=1))

    def label(self) -> str:
        return f"Từ ngày {self.start:%d/%m/%Y} đến ngày {self.end:%d/%m/%Y}"


@dataclass(frozen=True)
class RegisterForm:
    """The fixed parts of one printed register form."""

    #: "Sổ đăng ký văn bản đến"
    title: str
    #: The column headings, in order; they are numbered (1) ... (n) below.
    columns: Sequence[str]
    #: Column widths in mm: A4 landscape (297 mm) less 2 × 10 mm margins.
    widths_mm: Sequence[float]
    #: Indexes of the columns printed centred (dates, numbers).
    centred: Collection[int]
    #: The line printed when the period holds no document.
    empty: str


# ---------------------------------------------------------------- PDF rendering
FONT, FONT_BOLD = "DocflowSans", "DocflowSans-Bold"


def register_fonts() -> frozenset[int]:
    """Register the Vietnamese fonts once per process; the code points they cover."""
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    from signing.fonts import SANS, SANS_BOLD

    if FONT not in pdfmetrics.getRegisteredFontNames():
        pdfmetrics.registerFont(TTFont(FONT, str(SANS)))
        pdfmetrics.registerFont(TTFont(FONT_BOLD, str(SANS_BOLD)))
    return frozenset(pdfmetrics.getFont(FONT).face.charToGlyph)


def printable(text: str, covered: frozenset[int]) -> str:
    """Escaped paragraph text; characters the font lacks print as '?', not blank."""
    clean = "".join(ch if ord(ch) in covered or ch == "\n" else "?" for ch in nfc(text))
    return escape(clean).replace("\n", "<br/>")


def render_register_pdf(
    form: RegisterForm,
    agency_name: str,
    register_name: str,
    period: Period,
    rows: Sequence[Sequence[str]],
) -> bytes:
    """A4 landscape: title, the columns, header on every page, page numbers."""
    from reportlab.lib import colors
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.pdfgen.canvas import Canvas
    from reportlab.platypus import (
        LongTable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        TableStyle,
    )

    covered = register_fonts()
    size = 8
    cell = ParagraphStyle("cell", fontName=FONT, fontSize=size, leading=size * 1.3)
    centred = ParagraphStyle("centred", parent=cell, alignment=TA_CENTER)
    head = ParagraphStyle("head", parent=centred, fontName=FONT_BOLD)
    title = ParagraphStyle("title", parent=head, fontSize=15, leading=20)
    line = ParagraphStyle("line", parent=centred, fontSize=10, leading=13)

    def p(text: str, style: ParagraphStyle) -> Paragraph:
        return Paragraph(printable(text, covered), style)

    n = len(form.columns)
    years = sorted({period.start.year, period.end.year})
    story = [
        p(
            agency_name.upper(),
            ParagraphStyle("agency", parent=head, fontSize=10, leading=13),
        ),
        Spacer(1, 4 * mm),
        p(form.title, title),
        p(f"{register_name} — Năm {'–'.join(str(y) for y in years)}", line),
        p(period.label(), line),
        Spacer(1, 4 * mm),
    ]
    data = [
        [p(c, head) for c in form.columns],
        [p(f"({i})", centred) for i in range(1, n + 1)],
    ]
    for texts in rows:
        data.append(
            [p(t, centred if i in form.centred else cell) for i, t in enumerate(texts)]
        )
    if not rows:
        data.append([p(form.empty, cell)] + [""] * (n - 1))
    table = LongTable(data, colWidths=[w * mm for w in form.widths_mm], repeatRows=2)
    style = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("FONTNAME", (0, 0), (-1, -1), FONT),
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("VALIGN", (0, 0), (-1, 1), "MIDDLE"),
        ("BACKGROUND", (0, 0), (-1, 1), colors.HexColor("#eeeeee")),
        ("LEFTPADDING", (0, 0), (-1, -1), 2),
        ("RIGHTPADDING", (0, 0), (-1, -1), 2),
    ]
    if not rows:
        style.append(("SPAN", (0, 2), (-1, 2)))
    table.setStyle(TableStyle(style))
    story.append(table)

    class NumberedCanvas(Canvas):
        """Keeps every page until the end so each can say 'Trang n/N'."""

        def __init__(self, *args, **kwargs) -> None:  # type: ignore[no-untyped-def]
            super().__init__(*args, **kwargs)
            self._pages: list[dict] = []

        def showPage(self) -> None:  # noqa: N802 - reportlab's name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self.setFont(FONT, 8)
                self.drawRightString(
                    landscape(A4)[0] - 10 * mm,
                    6 * mm,
                    f"Trang {self._pageNumber}/{total}",
                )
                super().showPage()
            super().save()

    out = io.BytesIO()
    doc = SimpleDocTemplate(
        out,
        pagesize=landscape(A4),
        leftMargin=10 * mm,
        rightMargin=10 * mm,
        topMargin=10 * mm,
        bottomMargin=12 * mm,
        title=f"{form.title} – {nfc(register_name)}",
        author=nfc(agency_name),
        creator="docflow",
        invariant=True,
        initialFontName=FONT,  # else an unembedded Helvetica is declared on every page
    )
    doc.build(story, canvasmaker=NumberedCanvas)
    return out.getvalue()
