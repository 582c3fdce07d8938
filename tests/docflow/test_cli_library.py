"""`docflow sign`, `docflow verify` and `docflow signing ...` work outside the web app, with no database."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.docflow.office import make_pdf


def _docflow(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DOCFLOW_")}
    env["DOCFLOW_INSTANCE_PATH"] = str(cwd / "no-instance-needed")
    return subprocess.run(
        [sys.executable, "-c", "from docflow.cli import main; main()", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_verify_an_unsigned_file_exits_2_without_a_database(tmp_path: Path) -> None:
    pdf = tmp_path / "unsigned.pdf"
    pdf.write_bytes(make_pdf())
    result = _docflow("verify", "--json", "--no-fetch", str(pdf), cwd=tmp_path)
    assert result.returncode == 2, result.stderr
    assert '"NO_SIGNATURE"' in result.stdout
    assert not (tmp_path / "no-instance-needed" / "docflow.db").exists()


def test_signing_group_is_mounted(tmp_path: Path) -> None:
    result = _docflow("signing", "--help", cwd=tmp_path)
    assert result.returncode == 0
    for command in ("renew-timestamps", "fill-issue", "prepare-fields", "sign"):
        assert command in result.stdout
    bad = _docflow(
        "sign",
        str(tmp_path / "missing.pdf"),
        str(tmp_path / "out.pdf"),
        "--pkcs12",
        "nope.p12",
        "--passphrase-env",
        "X",
        cwd=tmp_path,
    )
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
