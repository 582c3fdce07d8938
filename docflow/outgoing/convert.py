"""DOCX/ODT drafts to PDF with LibreOffice headless (Debian libreoffice-writer-nogui).

Each conversion gets its own LibreOffice profile folder (two conversions at once would
otherwise fight over one profile) and a time limit; the process group is killed on
timeout so no soffice stays behind.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess  # noqa: S404 - fixed argument list, no shell
import tempfile
from pathlib import Path


class ConversionError(Exception):
    """The draft could not be converted; the message says why."""


def soffice() -> str | None:
    return shutil.which("soffice") or shutil.which("libreoffice")


def to_pdf(data: bytes, suffix: str, timeout: float = 120.0) -> bytes:
    binary = soffice()
    if binary is None:
        raise ConversionError("LibreOffice is not installed on the server")
    with tempfile.TemporaryDirectory(prefix="docflow-convert-") as tmp:
        src = Path(tmp) / f"draft{suffix}"
        src.write_bytes(data)
        profile = Path(tmp) / "profile"
        args = [
            binary,
            f"-env:UserInstallation=file://{profile}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            tmp,
            str(src),
        ]
        proc = subprocess.Popen(
            args,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,  # noqa: S603
            start_new_session=True,
            env={**os.environ, "HOME": tmp},
        )
        try:
            _out, err = proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.communicate()
            raise ConversionError(
                f"conversion took longer than {timeout:.0f} s"
            ) from None
        pdf = Path(tmp) / "draft.pdf"
        if proc.returncode != 0 or not pdf.exists():
            raise ConversionError(
                f"LibreOffice could not convert the file ({err.decode(errors='replace')[-200:]})"
            )
        return pdf.read_bytes()
