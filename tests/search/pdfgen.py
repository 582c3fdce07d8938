"""Small generated test files: a PDF with a real Vietnamese text layer, a scanned page,
DOCX and ODT. Built with pikepdf, fontTools and Pillow (already project dependencies).
"""

from __future__ import annotations

import io
import zipfile
from pathlib import Path

DEJAVU = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")


def text_pdf(lines: list[str], path: Path) -> Path:
    """One A4 page showing ``lines`` in DejaVu Sans, embedded (Type0, Identity-H)."""
    import pikepdf
    from fontTools.ttLib import TTFont

    font = TTFont(str(DEJAVU))
    cmap = font.getBestCmap()
    scale = 1000 / font["head"].unitsPerEm
    used: dict[int, str] = {}
    ops = ["BT", "/F1 14 Tf", "50 780 Td"]
    for line in lines:
        gids = []
        for ch in line:
            gid = font.getGlyphID(cmap[ord(ch)])
            used[gid] = ch
            gids.append(f"{gid:04X}")
        ops += [f"<{''.join(gids)}> Tj", "0 -22 Td"]
    ops.append("ET")

    pdf = pikepdf.new()
    widths = []
    for gid in sorted(used):
        widths += [
            gid,
            [round(font["hmtx"].metrics[font.getGlyphName(gid)][0] * scale)],
        ]
    bfchars = "\n".join(
        f"<{gid:04X}> <{ch.encode('utf-16-be').hex().upper()}>"
        for gid, ch in sorted(used.items())
    )
    tounicode = (
        "/CIDInit /ProcSet findresource begin 12 dict begin begincmap\n"
        "/CIDSystemInfo << /Registry (Adobe) /Ordering (UCS) /Supplement 0 >> def\n"
        "/CMapName /Adobe-Identity-UCS def /CMapType 2 def\n"
        "1 begincodespacerange <0000> <FFFF> endcodespacerange\n"
        f"{len(used)} beginbfchar\n{bfchars}\nendbfchar\n"
        "endcmap CMapName currentdict /CMap defineresource pop end end"
    )
    descriptor = pikepdf.Dictionary(
        Type=pikepdf.Name.FontDescriptor,
        FontName=pikepdf.Name("/DejaVuSans"),
        Flags=32,
        FontBBox=[-1021, -463, 1793, 1232],
        ItalicAngle=0,
        Ascent=928,
        Descent=-236,
        CapHeight=729,
        StemV=80,
        FontFile2=pikepdf.Stream(pdf, DEJAVU.read_bytes()),
    )
    cidfont = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.CIDFontType2,
        BaseFont=pikepdf.Name("/DejaVuSans"),
        CIDSystemInfo=pikepdf.Dictionary(
            Registry="Adobe", Ordering="Identity", Supplement=0
        ),
        FontDescriptor=descriptor,
        CIDToGIDMap=pikepdf.Name.Identity,
        W=widths,
    )
    type0 = pikepdf.Dictionary(
        Type=pikepdf.Name.Font,
        Subtype=pikepdf.Name.Type0,
        BaseFont=pikepdf.Name("/DejaVuSans"),
        Encoding=pikepdf.Name("/Identity-H"),
        DescendantFonts=[pdf.make_indirect(cidfont)],
        ToUnicode=pikepdf.Stream(pdf, tounicode.encode()),
    )
    page = pikepdf.Dictionary(
        Type=pikepdf.Name.Page,
        MediaBox=[0, 0, 595, 842],
        Resources=pikepdf.Dictionary(Font=pikepdf.Dictionary(F1=type0)),
        Contents=pikepdf.Stream(pdf, "\n".join(ops).encode()),
    )
    pdf.pages.append(pikepdf.Page(page))
    pdf.save(path)
    return path


def scanned_pdf(lines: list[str], path: Path) -> Path:
    """An image-only PDF page (no text layer): the text rendered at 300 dpi."""
    from PIL import Image, ImageDraw, ImageFont

    image = Image.new("L", (2480, 1200), 255)
    draw = ImageDraw.Draw(image)
    font = ImageFont.truetype(str(DEJAVU), 56)
    for i, line in enumerate(lines):
        draw.text((150, 150 + i * 110), line, font=font, fill=0)
    image.save(path, "PDF", resolution=300.0)
    return path


def docx(paragraphs: list[str], path: Path) -> Path:
    w = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(f"<w:p><w:r><w:t>{_esc(p)}</w:t></w:r></w:p>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="{w}">'
        f"<w:body>{body}</w:body></w:document>"
    )
    return _zip(path, {"[Content_Types].xml": "<Types/>", "word/document.xml": xml})


def odt(paragraphs: list[str], path: Path) -> Path:
    ns = (
        'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
        'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"'
    )
    body = "".join(f"<text:p>{_esc(p)}</text:p>" for p in paragraphs)
    xml = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {ns}>'
        f"<office:body><office:text>{body}</office:text></office:body>"
        "</office:document-content>"
    )
    return _zip(
        path,
        {"mimetype": "application/vnd.oasis.opendocument.text", "content.xml": xml},
    )


def _esc(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _zip(path: Path, members: dict[str, str]) -> Path:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    path.write_bytes(buf.getvalue())
    return path
