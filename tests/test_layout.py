"""The four import names are generic: make sure they are ours, and the libraries stay framework-free."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("name", ["docflow", "signing", "search", "storage"])
def test_import_names_resolve_to_this_repository(name: str) -> None:
    module = __import__(name)
    assert Path(module.__file__).resolve().parent == ROOT / name


@pytest.mark.parametrize("name", ["signing", "search", "storage"])
def test_libraries_do_not_import_flask_or_docflow(name: str) -> None:
    code = (
        "import sys, pkgutil, importlib\n"
        f"import {name}\n"
        f"for m in pkgutil.walk_packages({name}.__path__, '{name}.'):\n"
        "    try:\n"
        "        importlib.import_module(m.name)\n"
        "    except ImportError as e:\n"
        "        if 'flask' in str(e).lower() or 'docflow' in str(e).lower(): raise\n"
        "bad = sorted(k for k in sys.modules if k.split('.')[0] in {'flask', 'docflow', 'flask_sqlalchemy'})\n"
        "assert not bad, bad\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr


def test_config_is_not_a_package() -> None:
    assert not (ROOT / "config" / "__init__.py").exists()
