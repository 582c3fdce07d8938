"""Reading input PDFs, and the one rewrite allowed: normalising an unsigned upload.

pyHanko's strict reader refuses some files other tools write (Pillow's PDFs fail with
"Illegal generation 65536"); pikepdf (qpdf) repairs them. Rewriting is only ever
allowed before the first signature: any rewrite of a signed file breaks every
signature in it, so ``normalise_unsigned`` refuses signed input.
"""

from __future__ import annotations

import io
from typing import BinaryIO

from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
from pyhanko.pdf_utils.misc import PdfError
from pyhanko.pdf_utils.reader import PdfFileReader

from .errors import AlreadySigned, EncryptedPdf, UnreadablePdf

__all__ = ["is_signed", "normalise_unsigned", "open_incremental", "read_input"]

PdfInput = bytes | bytearray | memoryview | BinaryIO


def read_input(src: PdfInput) -> bytes:
    """The whole input as bytes (documents are a few MB at most)."""
    if isinstance(src, bytes | bytearray | memoryview):
        data = bytes(src)
    else:
        try:
            data = src.read()
        except OSError as exc:
            raise UnreadablePdf(f"Cannot read the input document: {exc}") from exc
    if not data.lstrip()[:5].startswith(b"%PDF-"):
        raise UnreadablePdf("The input is not a PDF file (no %PDF- header)")
    return data


def open_incremental(data: bytes) -> IncrementalPdfFileWriter:
    """A pyHanko incremental writer on ``data``, with docflow's error messages."""
    try:
        writer = IncrementalPdfFileWriter(io.BytesIO(data), strict=True)
    except (
        PdfError,
        ValueError,
        KeyError,
        TypeError,
        AssertionError,
        RecursionError,
    ) as exc:
        # pyHanko raises assorted exceptions on damaged files
        raise UnreadablePdf(
            f"The PDF is malformed ({exc}); if it has never been signed, "
            "normalise it first (normalise_unsigned)"
        ) from exc
    if writer.prev.encrypted:
        raise EncryptedPdf("The PDF is encrypted; remove the password before signing")
    return writer


def _has_signature(pdf) -> bool:
    """Whether a pikepdf document has a filled signature field or a /Perms entry."""
    root = pdf.Root
    if "/Perms" in root:
        return True
    acroform = root.get("/AcroForm")
    if acroform is None:
        return False
    stack = list(acroform.get("/Fields", []))
    seen = 0
    while stack and seen < 100_000:
        seen += 1
        field = stack.pop()
        if field.get("/FT") == "/Sig" and "/V" in field:
            return True
        stack.extend(field.get("/Kids", []))
    return False


def is_signed(src: PdfInput) -> bool:
    """Whether the PDF carries at least one signature (or a document timestamp)."""
    import pikepdf

    data = read_input(src)
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            return _has_signature(pdf)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdf("The PDF is encrypted") from exc
    except pikepdf.PdfError as exc:
        raise UnreadablePdf(f"The PDF is malformed: {exc}") from exc


def normalise_unsigned(src: PdfInput) -> bytes:
    """Rewrite an unsigned PDF once with pikepdf so pyHanko's strict reader accepts it.

    Raises :class:`AlreadySigned` for a signed PDF, :class:`EncryptedPdf` and
    :class:`UnreadablePdf` for files qpdf cannot repair.
    """
    import pikepdf

    data = read_input(src)
    out = io.BytesIO()
    try:
        with pikepdf.open(io.BytesIO(data)) as pdf:
            if _has_signature(pdf):
                raise AlreadySigned(
                    "The PDF is already signed: rewriting it would break its signatures"
                )
            pdf.save(out)
    except pikepdf.PasswordError as exc:
        raise EncryptedPdf("The PDF is encrypted; remove the password first") from exc
    except pikepdf.PdfError as exc:
        raise UnreadablePdf(f"The PDF cannot be repaired: {exc}") from exc
    return out.getvalue()


def page_count(writer: IncrementalPdfFileWriter) -> int:
    return int(writer.root["/Pages"]["/Count"])


def open_reader(data: bytes) -> PdfFileReader:
    return open_incremental(data).prev
