"""The issued number and date, filled in after the leader's signature.

NĐ 30/2020 has the System assign the number and issue time *after* the competent
person signs. To keep that signature valid, the unsigned draft declares empty text
fields at the "Số:" and date positions (``prepare_fields``); after the leader signs,
the records officer's step sets each field's value and appearance stream in an
incremental update (``fill_issue_fields``) — pyHanko then reports the leader's
signature intact at modification level FORM_FILLING with exactly these fields
changed — and the agency seal is applied after that.
"""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Mapping

from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.generic import pdf_name
from pyhanko.pdf_utils.layout import BoxConstraints

from . import fonts
from .appearance import VnStampStyle, nfc
from .documents import PdfInput, is_signed, open_incremental, page_count, read_input
from .errors import AlreadySigned, FieldError
from .placement import Placement

__all__ = [
    "DATE_FIELD",
    "NUMBER_FIELD",
    "fill_fields",
    "fill_issue_fields",
    "format_issue_date",
    "prepare_fields",
]

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"


def format_issue_date(date: dt.date) -> str:
    """ "ngày 05 tháng 3 năm 2026": day < 10 and months 1, 2 padded (NĐ 30, PL I)."""
    month = f"{date.month:02d}" if date.month < 3 else str(date.month)
    return f"ngày {date.day:02d} tháng {month} năm {date.year}"


def prepare_fields(
    src: PdfInput, placements: Mapping[str, Placement], *, font_size: float = 13
) -> bytes:
    """Declare empty text fields (name -> placement) in an unsigned draft."""
    data = read_input(src)
    if is_signed(data):
        raise AlreadySigned(
            "Declare the fields in the draft, before the first signature"
        )
    writer = open_incremental(data)
    pages = page_count(writer)
    root = writer.root
    acroform = root.get("/AcroForm")
    if acroform is None:
        acroform = generic.DictionaryObject(
            {pdf_name("/Fields"): generic.ArrayObject()}
        )
        root[pdf_name("/AcroForm")] = writer.add_object(acroform)
        writer.update_root()
    else:
        acroform = (
            acroform.get_object() if hasattr(acroform, "get_object") else acroform
        )
        writer.update_container(acroform)
    existing = {name for name, _ in _walk_fields(acroform)}
    # Viewers that regenerate appearances need /DA + /DR; our own appearance
    # streams embed a Vietnamese font and do not depend on it.
    acroform.setdefault(
        pdf_name("/DA"), generic.pdf_string(f"/Helv {font_size:g} Tf 0 g")
    )
    if "/DR" not in acroform:
        helvetica = generic.DictionaryObject(
            {
                pdf_name("/Type"): pdf_name("/Font"),
                pdf_name("/Subtype"): pdf_name("/Type1"),
                pdf_name("/BaseFont"): pdf_name("/Helvetica"),
                pdf_name("/Encoding"): pdf_name("/WinAnsiEncoding"),
            }
        )
        acroform[pdf_name("/DR")] = generic.DictionaryObject(
            {
                pdf_name("/Font"): generic.DictionaryObject(
                    {pdf_name("/Helv"): writer.add_object(helvetica)}
                )
            }
        )
    fields = acroform[pdf_name("/Fields")]
    for name, placement in placements.items():
        if name in existing:
            raise FieldError(f"A form field named '{name}' already exists")
        page_ix, box = placement.resolve(data, pages)
        page_ref = writer.find_page_for_modification(page_ix)[0]
        field = generic.DictionaryObject(
            {
                pdf_name("/FT"): pdf_name("/Tx"),
                pdf_name("/T"): generic.TextStringObject(name),
                pdf_name("/Type"): pdf_name("/Annot"),
                pdf_name("/Subtype"): pdf_name("/Widget"),
                pdf_name("/F"): generic.NumberObject(4),  # print
                pdf_name("/Rect"): generic.ArrayObject(map(generic.FloatObject, box)),
                pdf_name("/P"): page_ref,
                pdf_name("/DA"): generic.pdf_string(f"/Helv {font_size:g} Tf 0 g"),
            }
        )
        field_ref = writer.add_object(field)
        fields.append(field_ref)
        page = page_ref.get_object()
        annots = page.get("/Annots")
        if annots is None:
            page[pdf_name("/Annots")] = generic.ArrayObject([field_ref])
        else:
            annots.get_object().append(field_ref)
            if isinstance(annots, generic.IndirectObject):
                writer.mark_update(annots)
        writer.update_container(page)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _walk_fields(acroform):
    stack = [ref for ref in acroform.get("/Fields", ())]
    while stack:
        ref = stack.pop()
        field = ref.get_object()
        name = field.get("/T")
        if name is not None:
            yield str(name), ref
        stack.extend(field.get("/Kids", ()))


def fill_fields(
    src: PdfInput,
    values: Mapping[str, str],
    *,
    font_size: float = 13,
    font: str = str(fonts.SERIF),
) -> bytes:
    """Set text field values with Vietnamese appearance streams, as an incremental
    update (signed documents stay valid: FORM_FILLING)."""
    data = read_input(src)
    writer = open_incremental(data)
    acroform = writer.root.get("/AcroForm")
    found = dict(_walk_fields(acroform.get_object())) if acroform is not None else {}
    for name, value in values.items():
        ref = found.get(name)
        if ref is None:
            raise FieldError(
                f"No form field '{name}' in the document; declare it in the draft "
                "with prepare_fields() before the first signature"
            )
        field = ref.get_object()
        if field.get("/FT") != "/Tx":
            raise FieldError(f"Form field '{name}' is not a text field")
        value = nfc(value)
        x1, y1, x2, y2 = (float(v) for v in field["/Rect"])
        box = BoxConstraints(width=abs(x2 - x1), height=abs(y2 - y1))
        # one line, left-aligned, vertically centred in the widget
        padding = max((box.height - font_size * 1.3) / 2, 0)
        style = VnStampStyle(
            top_lines=(value,),
            font=font,
            font_size=font_size,
            align="left",
            padding=padding,
        )
        stamp = style.create_stamp(writer, box, {})
        appearance = writer.add_object(stamp.as_form_xobject())
        field[pdf_name("/V")] = generic.TextStringObject(value)
        field[pdf_name("/AP")] = generic.DictionaryObject({pdf_name("/N"): appearance})
        writer.update_container(field)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def fill_issue_fields(
    src: PdfInput,
    number: str,
    date: dt.date | str,
    *,
    number_field: str = NUMBER_FIELD,
    date_field: str = DATE_FIELD,
    font_size: float = 13,
) -> bytes:
    """Fill the issued number ("15/QĐ-UBND") and date into the pre-declared fields.

    ``date`` may be a date (formatted "ngày 05 tháng 3 năm 2026") or ready text.
    """
    date_text = format_issue_date(date) if isinstance(date, dt.date) else date
    return fill_fields(
        src, {number_field: number, date_field: date_text}, font_size=font_size
    )
