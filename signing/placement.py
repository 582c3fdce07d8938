"""Where a visible signature or stamp goes: a box on a page, or a box next to a text
anchor found on the page (e.g. "KT. CHỦ TỊCH" or a placeholder such as "[ky_so]").

Anchors are found with poppler's ``pdftotext -bbox-layout``: the same poppler that
CI installs for pdfsig, a C++ parser that handles the embedded CID fonts and
ToUnicode maps Vietnamese drafts use, and fast enough (~20 ms a page) to run per
signature. pdfminer.six would add a dependency and is much slower; pikepdf has no
text extraction. Anchors are matched within one line, after NFC normalisation,
case-insensitively and with runs of spaces collapsed.

Coordinates are PDF user space in points, origin bottom-left: ``(x1, y1, x2, y2)``.
Page indexes are 0-based; negative indexes count from the end (-1 = last page).
"""

from __future__ import annotations

import html
import re
import shutil
import subprocess  # noqa: S404 - fixed argument list, no shell
import tempfile
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from .errors import PlacementError

__all__ = ["Box", "Placement", "TextMatch", "find_text"]

Box = tuple[float, float, float, float]

_PAGE = re.compile(r'<page width="([\d.]+)" height="([\d.]+)">')
_LINE = re.compile(r"<line [^>]*>(.*?)</line>", re.S)
_WORD = re.compile(
    r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" yMax="([\d.]+)">'
    r"(.*?)</word>",
    re.S,
)


def _norm(text: str) -> str:
    return " ".join(unicodedata.normalize("NFC", text).casefold().split())


@dataclass(frozen=True)
class TextMatch:
    """Where an anchor text was found."""

    page: int
    box: Box
    page_size: tuple[float, float]


def find_text(
    pdf_path: str | Path, anchor: str, *, page: int | None = None
) -> list[TextMatch]:
    """All occurrences of ``anchor`` (one line each), in page order.

    Boxes are in the page's crop-box coordinates (pdftotext's frame), flipped to a
    bottom-left origin.
    """
    exe = shutil.which("pdftotext")
    if exe is None:
        raise PlacementError("Text anchors need poppler's pdftotext (poppler-utils)")
    args = [exe, "-q", "-bbox-layout", "-enc", "UTF-8"]
    if page is not None and page >= 0:
        args += ["-f", str(page + 1), "-l", str(page + 1)]
    args += [str(pdf_path), "-"]
    proc = subprocess.run(args, capture_output=True, check=False, timeout=60)  # noqa: S603
    if proc.returncode != 0:
        raise PlacementError(
            "Cannot extract text to find the anchor (pdftotext failed)"
        )
    out = proc.stdout.decode("utf-8", errors="replace")
    wanted = _norm(anchor)
    if not wanted:
        raise PlacementError("The anchor text is empty")
    first_page = page if page is not None and page >= 0 else 0
    matches: list[TextMatch] = []
    pages = list(_PAGE.finditer(out))
    for ix, page_match in enumerate(pages):
        end = pages[ix + 1].start() if ix + 1 < len(pages) else len(out)
        width, height = float(page_match.group(1)), float(page_match.group(2))
        for line in _LINE.finditer(out, page_match.end(), end):
            words = [
                (tuple(map(float, w.groups()[:4])), _norm(html.unescape(w.group(5))))
                for w in _WORD.finditer(line.group(1))
            ]
            matches.extend(
                TextMatch(first_page + ix, box, (width, height))
                for box in _match_line(words, wanted, height)
            )
    return matches


def _match_line(words, wanted: str, page_height: float):
    """Boxes of ``wanted`` inside one line of (bbox, text) words."""
    text = ""
    spans = []  # (start, end, bbox) of each word inside ``text``
    for bbox, word in words:
        if text:
            text += " "
        spans.append((len(text), len(text) + len(word), bbox))
        text += word
    start = text.find(wanted)
    while start >= 0:
        end = start + len(wanted)
        xs, ys = [], []
        for w_start, w_end, (x1, y1, x2, y2) in spans:
            if w_end <= start or w_start >= end:
                continue
            # a "word" may hold a whole line: interpolate the covered part
            n = max(w_end - w_start, 1)
            lo = max(start, w_start) - w_start
            hi = min(end, w_end) - w_start
            xs += [x1 + (x2 - x1) * lo / n, x1 + (x2 - x1) * hi / n]
            ys += [y1, y2]
        if xs:
            yield (min(xs), page_height - max(ys), max(xs), page_height - min(ys))
        start = text.find(wanted, start + 1)


@dataclass(frozen=True)
class Placement:
    """A box on a page, given directly or relative to an anchor text.

    ``box`` wins over ``anchor``. With an anchor, ``size`` (width, height) is the
    box size and ``mode`` says where it goes: ``"below"`` the anchor, centred on it
    (the signature between the position line and the name), ``"over"`` centred on
    it (replacing a placeholder), or ``"right"`` of it, vertically centred.
    Without ``page`` the anchor's last occurrence in the document is used.
    """

    page: int | None = None
    box: Box | None = None
    anchor: str | None = None
    size: tuple[float, float] = (180.0, 80.0)
    mode: str = "below"
    gap: float = 2.0

    def __post_init__(self):
        if self.box is None and self.anchor is None:
            raise ValueError("Placement needs a box or an anchor")
        if self.mode not in ("below", "over", "right"):
            raise ValueError(f"Unknown anchor mode {self.mode!r}")
        if self.box is not None:
            x1, y1, x2, y2 = self.box
            if x2 <= x1 or y2 <= y1:
                raise ValueError(
                    f"Box {self.box} must be x1,y1,x2,y2 with x1<x2, y1<y2"
                )

    def resolve(self, pdf_bytes: bytes, page_count: int) -> tuple[int, Box]:
        """``(page index, box)`` for this placement in the given document."""
        if self.box is not None:
            return self._page_index(self.page or 0, page_count), self.box
        page = None if self.page is None else self._page_index(self.page, page_count)
        with tempfile.NamedTemporaryFile(suffix=".pdf") as tmp:
            tmp.write(pdf_bytes)
            tmp.flush()
            matches = find_text(tmp.name, self.anchor, page=page)
        if not matches:
            where = "" if page is None else f" on page {page + 1}"
            raise PlacementError(f"Anchor text '{self.anchor}' not found{where}")
        match = matches[-1]
        return match.page, self._box_from(match.box)

    def _box_from(self, anchor: Box) -> Box:
        ax1, ay1, ax2, ay2 = anchor
        w, h = self.size
        cx, cy = (ax1 + ax2) / 2, (ay1 + ay2) / 2
        if self.mode == "below":
            top = ay1 - self.gap
            return (cx - w / 2, top - h, cx + w / 2, top)
        if self.mode == "over":
            return (cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2)
        left = ax2 + self.gap
        return (left, cy - h / 2, left + w, cy + h / 2)

    @staticmethod
    def _page_index(page: int, page_count: int) -> int:
        index = page + page_count if page < 0 else page
        if not 0 <= index < page_count:
            raise PlacementError(
                f"Page {page + 1 if page >= 0 else page} does not exist "
                f"(the document has {page_count} pages)"
            )
        return index
