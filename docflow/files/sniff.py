"""Recognise a file's type from its content (the name and the browser's claim are ignored)."""

from __future__ import annotations

import zipfile
from typing import BinaryIO

PDF = "application/pdf"
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
ODT = "application/vnd.oasis.opendocument.text"
DOC = "application/msword"
PNG = "image/png"
JPEG = "image/jpeg"
TIFF = "image/tiff"

#: What users may attach to documents.
DOCUMENT_TYPES = frozenset({PDF, DOCX, XLSX, ODT, DOC, PNG, JPEG, TIFF})

EXTENSIONS = {
    PDF: "pdf",
    DOCX: "docx",
    XLSX: "xlsx",
    ODT: "odt",
    DOC: "doc",
    PNG: "png",
    JPEG: "jpg",
    TIFF: "tif",
}


def sniff(stream: BinaryIO) -> str | None:
    """The media type of ``stream`` judged by its bytes, or None if not recognised.

    The stream is rewound to where it was.
    """
    start = stream.tell()
    head = stream.read(8)
    try:
        if head.startswith(b"%PDF-"):
            return PDF
        if head.startswith(b"\x89PNG\r\n\x1a\n"):
            return PNG
        if head.startswith(b"\xff\xd8\xff"):
            return JPEG
        if head[:4] in (b"II*\x00", b"MM\x00*"):
            return TIFF
        if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
            return DOC
        if head.startswith(b"PK\x03\x04"):
            stream.seek(start)
            return _sniff_zip(stream)
        # Some PDF writers put a few bytes before the header; the spec allows 1024.
        stream.seek(start)
        if b"%PDF-" in stream.read(1024):
            return PDF
        return None
    finally:
        stream.seek(start)


def _sniff_zip(stream: BinaryIO) -> str | None:
    try:
        with zipfile.ZipFile(stream) as archive:
            names = set(archive.namelist())
            if "mimetype" in names:
                mimetype = (
                    archive.read("mimetype")[:100].decode("ascii", "replace").strip()
                )
                return ODT if mimetype == ODT else None
            if "[Content_Types].xml" in names:
                if any(n.startswith("word/") for n in names):
                    return DOCX
                if any(n.startswith("xl/") for n in names):
                    return XLSX
    except (zipfile.BadZipFile, OSError, ValueError):
        return None
    return None
