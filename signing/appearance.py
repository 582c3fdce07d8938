"""Signature appearances per Nghị định 30/2020/NĐ-CP, Phụ lục I.

- ``ApprovalAppearance``: the competent person's signature (ô 7): the signature
  image (blue PNG, transparent) centred between the position (chức vụ) and the full
  name. Position and name are drawn only when given (the draft usually prints them).
- ``SealAppearance``: the agency's signature (ô 8): the red seal image, real size,
  overlapping about a third of the signer's image on its left (``seal_placement``).
- ``AttachmentAppearance``: attachments and appendices in separate files: no image,
  an invisible signature, and "số/ký hiệu; thời gian ký (ISO 8601, +07:00)" at the
  top right of the first page in a Times-like 10 pt black font, stamped in the same
  incremental update the signature covers.

Text goes through an embedded, subset DejaVu font with 1000 units per em (see
``signing.fonts``) and is NFC-normalised first.
"""

from __future__ import annotations

import functools
import unicodedata
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from PIL import Image
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.content import ResourceType
from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
from pyhanko.pdf_utils.images import pil_image
from pyhanko.pdf_utils.layout import BoxConstraints
from pyhanko.stamp import BaseStamp, BaseStampStyle

from . import fonts
from .errors import FieldError, PlacementError
from .placement import Box, Placement

__all__ = [
    "DEFAULT_SEAL_IMAGE",
    "DEFAULT_SIGNATURE_IMAGE",
    "ApprovalAppearance",
    "AttachmentAppearance",
    "SealAppearance",
    "VnStampStyle",
    "attachment_text",
    "seal_placement",
]

DATA_DIR = Path(__file__).parent / "data"
#: Demo images (generated with Pillow): never use them on real documents.
DEFAULT_SIGNATURE_IMAGE = DATA_DIR / "signature-demo.png"
DEFAULT_SEAL_IMAGE = DATA_DIR / "seal-demo.png"

LEADING = 1.3  # x font size; less and Vietnamese dot-below marks touch the next line


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


@functools.cache
def _load_image(path: str) -> Image.Image:
    """Decode an image once per process (appearances reuse the same PNGs)."""
    try:
        with Image.open(path) as img:
            img.load()
            return img.copy()
    except OSError as exc:
        raise PlacementError(f"Cannot read image {path}: {exc}") from exc


@functools.cache
def _font_factory(path: str) -> GlyphAccumulatorFactory:
    return GlyphAccumulatorFactory(path)


@dataclass(frozen=True)
class VnStampStyle(BaseStampStyle):
    """Lines of text at the top and bottom, an optional image between them.

    ``align`` is "center", "left" or "right". Used for all three appearances and for the
    attachment stamp.
    """

    top_lines: tuple[str, ...] = ()
    bottom_lines: tuple[str, ...] = ()
    image: str | None = None
    font: str = str(fonts.SANS_BOLD)
    font_size: float = 11
    text_color: tuple[float, float, float] = (0, 0, 0)
    align: str = "center"
    padding: float = 2
    border_width: int = 0
    background: None = None

    def create_stamp(self, writer, box, text_params) -> VnStamp:
        return VnStamp(writer=writer, style=self, box=box)


class VnStamp(BaseStamp):
    style: VnStampStyle

    def _render_inner_content(self):
        style = self.style
        width, height = self.box.width, self.box.height
        size = style.font_size
        leading = size * LEADING
        ops: list[bytes] = []
        lines = [nfc(t) for t in style.top_lines], [nfc(t) for t in style.bottom_lines]
        if any(lines):
            engine = _font_factory(style.font).create_font_engine(self.writer)
            self.set_resource(
                ResourceType.FONT, generic.pdf_name("/VnF"), engine.as_resource()
            )
            ops.append(b"%g %g %g rg" % style.text_color)

            def line_ops(text: str, baseline: float) -> bytes:
                shaped = engine.shape(text)
                text_width = shaped.x_advance * size
                if style.align == "right":
                    x = width - style.padding - text_width
                elif style.align == "left":
                    x = 2
                else:
                    x = (width - text_width) / 2
                return b"BT /VnF %g Tf %g %g Td %s ET" % (
                    size,
                    x,
                    baseline,
                    shaped.graphics_ops,
                )

            top, bottom = lines
            for i, text in enumerate(top):
                ops.append(line_ops(text, height - style.padding - size - i * leading))
            for i, text in enumerate(bottom):
                baseline = style.padding + size * 0.3 + (len(bottom) - 1 - i) * leading
                ops.append(line_ops(text, baseline))
        if style.image:
            img = _load_image(style.image)
            top_used = len(style.top_lines) * leading + (
                style.padding if style.top_lines else 0
            )
            bottom_used = len(style.bottom_lines) * leading + (
                style.padding if style.bottom_lines else 0
            )
            area_h = max(height - top_used - bottom_used, 1)
            scale = min(width / img.width, area_h / img.height)
            w, h = img.width * scale, img.height * scale
            x = (width - w) / 2
            y = bottom_used + (area_h - h) / 2
            self.set_resource(
                ResourceType.XOBJECT,
                generic.pdf_name("/VnImg"),
                pil_image(img, self.writer),
            )
            ops.append(b"q %g 0 0 %g %g %g cm /VnImg Do Q" % (w, h, x, y))
        return [b"q", *ops, b"Q"]


# -- the three kinds of appearance ---------------------------------------------------


@dataclass(frozen=True)
class ApprovalAppearance:
    """The leader's approval signature: position above, image, name below."""

    placement: Placement
    name: str | None = None
    #: "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH": one line per ``\n``
    position: str | None = None
    image: str | Path | None = DEFAULT_SIGNATURE_IMAGE
    font_size: float = 11

    def stamp_style(self) -> VnStampStyle:
        return VnStampStyle(
            top_lines=tuple(self.position.split("\n")) if self.position else (),
            bottom_lines=(self.name,) if self.name else (),
            image=str(self.image) if self.image else None,
            font_size=self.font_size,
        )


@dataclass(frozen=True)
class SealAppearance:
    """The agency's signature: the red seal image only."""

    placement: Placement
    image: str | Path = DEFAULT_SEAL_IMAGE

    def stamp_style(self) -> VnStampStyle:
        return VnStampStyle(image=str(self.image))


@dataclass(frozen=True)
class AttachmentAppearance:
    """Invisible signature + "số/ký hiệu; thời gian ký" stamped top right of a page."""

    #: số và ký hiệu of the main document, e.g. "15/QĐ-UBND"
    number: str
    page: int = 0
    font_size: float = 10
    #: distance from the right and top page edges, points (15 mm, 7 mm)
    margins: tuple[float, float] = (42.5, 20.0)
    box_size: tuple[float, float] = field(default=(360.0, 16.0))

    def text(self, signing_time: datetime) -> str:
        return attachment_text(self.number, signing_time)


def attachment_text(number: str, signing_time: datetime) -> str:
    """ "15/QĐ-UBND; 2026-03-05T14:32:10+07:00" (ISO 8601, seconds)."""
    return f"{nfc(number)}; {signing_time.isoformat(timespec='seconds')}"


def stamp_attachment_text(writer, appearance: AttachmentAppearance, text: str) -> None:
    """Draw the attachment text at the top right of ``appearance.page``."""
    page_ix = appearance.page
    try:
        page_ref = writer.find_page_for_modification(page_ix)[0]
    except (IndexError, ValueError) as exc:
        raise PlacementError(f"Page {page_ix + 1} does not exist") from exc
    x1, y1, x2, y2 = _page_box(page_ref.get_object())
    w, h = appearance.box_size
    right, top = appearance.margins
    style = VnStampStyle(
        top_lines=(text,),
        font=str(fonts.SERIF),
        font_size=appearance.font_size,
        align="right",
        padding=0,
    )
    stamp = style.create_stamp(writer, BoxConstraints(width=w, height=h), {})
    stamp.apply(page_ix, x2 - right - w, y2 - top - h)


def _page_box(page) -> Box:
    for key in ("/CropBox", "/MediaBox"):
        box = page.get(key)
        if box is not None:
            x1, y1, x2, y2 = (float(v) for v in box)
            return (min(x1, x2), min(y1, y2), max(x1, x2), max(y1, y2))
    parent = page.get("/Parent")
    if parent is not None:
        return _page_box(parent.get_object())
    return (0.0, 0.0, 612.0, 792.0)


def seal_placement(reader, approval_field: str, *, size: float = 105.0) -> Placement:
    """Placement of the seal over the left third of an approval signature's image.

    ``size`` is the seal diameter in points (105 pt = 37 mm, a common seal size).
    The image is assumed to fill the approval widget's width (image-only
    appearance); with position/name lines it sits in the widget's middle band.
    """
    from pyhanko.sign.fields import enumerate_sig_fields

    for name, _value, field_ref in enumerate_sig_fields(reader):
        if name != approval_field:
            continue
        widget = field_ref.get_object()
        rect = widget.get("/Rect")
        page_ref = widget.get_value_as_reference("/P") if "/P" in widget else None
        if rect is None or page_ref is None:
            break
        page_ix = _page_index_of(reader, page_ref)
        x1, y1, x2, y2 = (float(v) for v in rect)
        left, right = min(x1, x2), max(x1, x2)
        cy = (y1 + y2) / 2
        overlap_right = left + (right - left) / 3
        box = (overlap_right - size, cy - size / 2, overlap_right, cy + size / 2)
        return Placement(page=page_ix, box=box)
    raise FieldError(
        f"No visible signature field '{approval_field}' to put the seal on"
    )


def _page_index_of(reader, page_ref) -> int:
    for ix in range(int(reader.root["/Pages"]["/Count"])):
        if reader.find_page_for_modification(ix)[0].idnum == page_ref.idnum:
            return ix
    raise FieldError("The approval signature's page cannot be found")
