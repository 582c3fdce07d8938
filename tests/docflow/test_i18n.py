from __future__ import annotations

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_vietnamese_catalogue_is_complete_and_compiled() -> None:
    spec = importlib.util.spec_from_file_location(
        "i18n_vi", ROOT / "scripts" / "i18n_vi.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    po, mo, missing = module.build(module.extract())
    assert missing == [], f"untranslated: {missing} (run scripts/i18n_vi.py)"
    assert module.CONFLICTS == [], f"one msgid, two translations: {module.CONFLICTS}"
    out = ROOT / "docflow" / "translations" / "vi" / "LC_MESSAGES"
    assert (out / "messages.mo").read_bytes() == mo, (
        "messages.mo is stale: run scripts/i18n_vi.py"
    )
    assert (out / "messages.po").read_bytes() == po
