"""Text extraction from uploaded files, safe against hostile input.

Every parser runs in a child process under a wall-clock timeout, a CPU limit and an
address-space limit (``prlimit``), so a crafted PDF or DOCX can make extraction fail
but never hang or crash the caller:

- PDF: poppler's ``pdftotext`` for the text layer; pages without text are rendered
  with ``pdftoppm`` and read by ``tesseract -l vie`` (OCR).
- DOCX / ODT: ``python -m search._office`` (zip + lxml without entities or network).
- Plain text: decoded here (UTF-8, UTF-16 with BOM, else Windows-1258).

The result says what happened: OK (text), EMPTY (nothing readable, e.g. a scan with
OCR unavailable) or FAILED (the file could not be read; ``reason`` says why).
"""

from __future__ import annotations

import dataclasses
import enum
import functools
import logging
import os
import re
import shutil
import signal
import subprocess  # noqa: S404 - fixed argument lists, no shell
import sys
import tempfile
import time
import unicodedata
import zipfile
from pathlib import Path

logger = logging.getLogger(__name__)


class ExtractState(enum.Enum):
    OK = "ok"
    EMPTY = "empty"  #: readable file, no text (e.g. a scan and no OCR)
    FAILED = "failed"  #: could not extract: damaged, encrypted, unsupported, too slow


@dataclasses.dataclass(frozen=True)
class Extraction:
    state: ExtractState
    text: str = ""  #: NFC, pages separated by a blank line
    reason: str = ""  #: why EMPTY or FAILED (or what was partial when OK)
    kind: str = ""  #: "pdf", "docx", "odt", "text"
    pages: int = 0  #: PDF pages read
    ocr_pages: int = 0  #: pages whose text came from OCR

    @property
    def ok(self) -> bool:
        return self.state is ExtractState.OK


@dataclasses.dataclass(frozen=True)
class Limits:
    """Bounds for one extraction. ``timeout`` covers the whole file, OCR included."""

    timeout: float = 120.0  #: seconds for the whole file
    memory_mb: int = 1024  #: address space of each child process
    max_pages: int = 1000  #: PDF pages read
    max_chars: int = 5_000_000  #: text kept
    ocr: bool = True  #: OCR pages without a text layer
    ocr_lang: str = "vie"
    ocr_max_pages: int = 50  #: scanned pages OCR-ed per file
    ocr_pixels: int = 3508  #: long side of the rendered page (A4 at 300 dpi)


class _Failed(Exception):
    pass


class _Timeout(_Failed):
    pass


def _clean(text: str) -> str:
    text = unicodedata.normalize("NFC", text)
    # Drop control characters except tab, newline and form feed.
    return re.sub(r"[\x00-\x08\x0b\x0d-\x1f\x7f]", "", text)


def _has_words(text: str) -> bool:
    return re.search(r"\w\w", text) is not None


def _run(
    cmd: list[str], deadline: float, limits: Limits, **kw
) -> subprocess.CompletedProcess:
    """Run ``cmd`` with the limits; kill its whole process group at the deadline."""
    remaining = deadline - time.monotonic()
    if remaining <= 0.05:
        raise _Timeout(f"timed out after {limits.timeout:g} s")
    if shutil.which("prlimit"):
        cpu = max(1, int(remaining) + 1)
        cmd = [
            "prlimit",
            f"--as={limits.memory_mb * 1024 * 1024}",
            f"--cpu={cpu}",
            "--core=0",
            "--",
            *cmd,
        ]
    env = dict(os.environ, OMP_THREAD_LIMIT="1", LC_ALL="C.UTF-8")
    env.update(kw.pop("env", {}))
    proc = subprocess.Popen(  # noqa: S603 - fixed argument list
        cmd,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        start_new_session=True,
        env=env,
        **kw,
    )
    try:
        out, err = proc.communicate(timeout=remaining)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise _Timeout(f"timed out after {limits.timeout:g} s") from None
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
    return subprocess.CompletedProcess(cmd, proc.returncode, out, err)


def _why(result: subprocess.CompletedProcess, tool: str) -> str:
    if result.returncode < 0:
        name = signal.Signals(-result.returncode).name
        return f"{tool} was killed ({name}: memory or CPU limit, or a crash)"
    lines = [ln for ln in result.stderr.decode("utf-8", "replace").splitlines() if ln]
    detail = lines[-1][:200] if lines else f"exit status {result.returncode}"
    return f"{tool}: {detail}"


def sniff(path: Path) -> str:
    """The kind of file by its content: "pdf", "docx", "odt", "text" or ""."""
    with open(path, "rb") as f:
        head = f.read(1024)
    if b"%PDF-" in head:
        return "pdf"
    if head.startswith(b"PK\x03\x04"):
        try:
            with zipfile.ZipFile(path) as z:
                names = set(z.namelist())
                if "word/document.xml" in names:
                    return "docx"
                if "content.xml" in names:
                    return "odt"
        except (zipfile.BadZipFile, OSError, ValueError):
            return ""
        return ""
    if b"\x00" in head and not head.startswith((b"\xff\xfe", b"\xfe\xff")):
        return ""
    return "text"


def extract(path: str | os.PathLike, *, limits: Limits | None = None) -> Extraction:
    """Extract text from the file at ``path``; never raises for bad content."""
    limits = limits or Limits()
    path = Path(path)
    deadline = time.monotonic() + limits.timeout
    try:
        kind = sniff(path)
    except OSError as exc:
        return Extraction(ExtractState.FAILED, reason=f"cannot read file: {exc}")
    try:
        if kind == "pdf":
            return _extract_pdf(path, deadline, limits)
        if kind in ("docx", "odt"):
            return _extract_office(path, kind, deadline, limits)
        if kind == "text":
            return _finish(
                _decode(path.read_bytes()[: limits.max_chars * 4]), "text", limits
            )
    except _Failed as exc:
        return Extraction(ExtractState.FAILED, reason=str(exc), kind=kind)
    return Extraction(ExtractState.FAILED, reason="unsupported file format")


def extract_bytes(data: bytes, *, limits: Limits | None = None) -> Extraction:
    """Extract text from file content held in memory."""
    with tempfile.TemporaryDirectory(prefix="docflow-extract-") as tmp:
        path = Path(tmp, "upload")
        path.write_bytes(data)
        return extract(path, limits=limits)


def _finish(text: str, kind: str, limits: Limits, **extra) -> Extraction:
    text = _clean(text)[: limits.max_chars].strip()
    if not _has_words(text):
        reason = extra.pop("reason", "") or "no text found"
        return Extraction(ExtractState.EMPTY, reason=reason, kind=kind, **extra)
    return Extraction(ExtractState.OK, text=text, kind=kind, **extra)


def _decode(data: bytes) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", "replace")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1258", "replace")


def _extract_office(
    path: Path, kind: str, deadline: float, limits: Limits
) -> Extraction:
    # cwd: "-m" imports this very package, installed or not.
    package_root = str(Path(__file__).resolve().parent.parent)
    result = _run(
        [
            sys.executable,
            "-m",
            "search._office",
            kind,
            str(path),
            str(limits.max_chars),
        ],
        deadline,
        limits,
        cwd=package_root,
    )
    if result.returncode != 0:
        raise _Failed(_why(result, kind))
    return _finish(result.stdout.decode("utf-8", "replace"), kind, limits)


@functools.lru_cache(maxsize=8)
def tesseract_available(lang: str = "vie") -> bool:
    """True if ``tesseract`` and its ``lang`` data are installed."""
    if not (shutil.which("tesseract") and shutil.which("pdftoppm")):
        return False
    try:
        out = subprocess.run(  # noqa: S603
            [shutil.which("tesseract") or "tesseract", "--list-langs"],
            capture_output=True,
            timeout=20,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return lang in out.stdout.decode("utf-8", "replace").split()


def _pdf_pages(path: Path, deadline: float, limits: Limits) -> int:
    result = _run(["pdfinfo", str(path)], deadline, limits)
    m = re.search(rb"^Pages:\s+(\d+)", result.stdout, re.M)
    return int(m.group(1)) if m else 0


def _extract_pdf(path: Path, deadline: float, limits: Limits) -> Extraction:
    if not shutil.which("pdftotext"):
        raise _Failed("pdftotext is not installed (Debian poppler-utils)")
    with tempfile.TemporaryDirectory(prefix="docflow-pdf-") as tmp:
        out = Path(tmp, "text.txt")
        result = _run(
            [
                "pdftotext",
                "-enc",
                "UTF-8",
                "-l",
                str(limits.max_pages),
                str(path),
                str(out),
            ],
            deadline,
            limits,
        )
        raw = ""
        if out.exists():
            with open(out, "rb") as f:
                raw = f.read(limits.max_chars * 4).decode("utf-8", "replace")
        pages = raw.split("\f")
        if pages and not pages[-1].strip():
            pages.pop()  # pdftotext ends every page with a form feed
        if result.returncode != 0 and not _has_words(raw):
            stderr = result.stderr.decode("utf-8", "replace")
            if "Incorrect password" in stderr or "encrypted" in stderr.lower():
                raise _Failed("the PDF is encrypted")
            if "Wrong page range" in stderr:
                raise _Failed("the PDF has no readable pages")
            raise _Failed(_why(result, "pdftotext"))
        if not pages:
            pages = [""] * min(_pdf_pages(path, deadline, limits), limits.max_pages)
        partial = "" if result.returncode == 0 else _why(result, "pdftotext")
        blank = [i for i, page in enumerate(pages) if not _has_words(page)]
        ocr_done = 0
        reason = partial
        if blank and limits.ocr:
            if tesseract_available(limits.ocr_lang):
                ocr_done, reason = _ocr_pages(
                    path, pages, blank, Path(tmp), deadline, limits
                )
                reason = "; ".join(filter(None, [partial, reason]))
            else:
                reason = "pages without a text layer; OCR unavailable (tesseract)"
        elif blank:
            reason = "pages without a text layer; OCR disabled"
        text = "\n\n".join(p.strip() for p in pages)
        return _finish(
            text, "pdf", limits, pages=len(pages), ocr_pages=ocr_done, reason=reason
        )


def _ocr_pages(path, pages, blank, tmp: Path, deadline, limits) -> tuple[int, str]:
    """OCR the ``blank`` page indexes in place; return (pages done, note)."""
    done = 0
    for index in blank[: limits.ocr_max_pages]:
        number = str(index + 1)
        prefix = tmp / f"page{number}"
        try:
            render = _run(
                [
                    "pdftoppm",
                    "-f",
                    number,
                    "-l",
                    number,
                    "-gray",
                    "-png",
                    "-scale-to",
                    str(limits.ocr_pixels),
                    str(path),
                    str(prefix),
                ],
                deadline,
                limits,
            )
            images = sorted(tmp.glob(f"page{number}*.png"))
            if render.returncode != 0 or not images:
                continue
            result = _run(
                ["tesseract", str(images[0]), "stdout", "-l", limits.ocr_lang],
                deadline,
                limits,
            )
            for image in images:
                image.unlink()
        except _Timeout:
            return done, f"OCR stopped by the time limit after {done} pages"
        if result.returncode == 0:
            pages[index] = result.stdout.decode("utf-8", "replace")
            done += 1
    if len(blank) > limits.ocr_max_pages:
        return done, f"OCR limited to {limits.ocr_max_pages} pages"
    return done, ""
