import concurrent.futures
import subprocess
import sys
import time
import unicodedata
import zipfile
from pathlib import Path

import pytest

from search.extract import (
    Extraction,
    ExtractState,
    Limits,
    _run,
    _Timeout,
    extract,
    extract_bytes,
    tesseract_available,
)
from tests.search import pdfgen

CORPUS = Path(__file__).resolve().parents[3] / "shared" / "corpora" / "pdf-malformed"
if (
    not CORPUS.is_dir()
):  # the checkout's sibling; CI keeps the shared folder at /work/shared
    CORPUS = Path("/work/shared/corpora/pdf-malformed")
needs_tesseract = pytest.mark.skipif(
    not tesseract_available("vie"),
    reason="OCR needs Debian tesseract-ocr and tesseract-ocr-vie (CI installs them)",
)


def test_text_pdf_with_vietnamese(tmp_path):
    lines = [
        "QUYẾT ĐỊNH số 15/QĐ-UBND",
        "Về việc phê duyệt kế hoạch ứng dụng công nghệ",
    ]
    result = extract(pdfgen.text_pdf(lines, tmp_path / "a.pdf"))
    assert result.state is ExtractState.OK, result.reason
    assert result.kind == "pdf" and result.pages == 1 and result.ocr_pages == 0
    assert lines[0] in result.text and lines[1] in result.text
    assert unicodedata.is_normalized("NFC", result.text)


def test_plain_text_is_nfc_normalised():
    nfd = unicodedata.normalize("NFD", "Tờ trình về việc Đầu tư")
    result = extract_bytes(nfd.encode("utf-8"))
    assert result.ok and result.text == "Tờ trình về việc Đầu tư"
    assert extract_bytes("Công văn".encode("utf-16")).text == "Công văn"


@pytest.mark.parametrize("make, kind", [(pdfgen.docx, "docx"), (pdfgen.odt, "odt")])
def test_office_documents(tmp_path, make, kind):
    path = make(
        ["Tờ trình <đề nghị> & kiến nghị", "Điều 2. Hiệu lực thi hành"],
        tmp_path / f"a.{kind}",
    )
    result = extract(path)
    assert result.state is ExtractState.OK and result.kind == kind
    assert result.text == "Tờ trình <đề nghị> & kiến nghị\nĐiều 2. Hiệu lực thi hành"


def test_docx_entities_are_not_expanded(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT")
    xml = (
        '<?xml version="1.0"?><!DOCTYPE d [<!ENTITY x SYSTEM "file://'
        f'{secret}"><!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;">]>'
        '<w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/'
        'main"><w:body><w:p><w:r><w:t>Văn bản &x;&b;</w:t></w:r></w:p></w:body>'
        "</w:document>"
    )
    path = tmp_path / "evil.docx"
    with zipfile.ZipFile(path, "w") as z:
        z.writestr("word/document.xml", xml)
    result = extract(path)
    assert isinstance(result, Extraction)
    assert "SECRET" not in result.text and "aaaaaaaaaa" not in result.text


@pytest.mark.parametrize(
    "data",
    [b"", b"\x00\x01\x02\xff" * 100, b"PK\x03\x04 broken zip", b"%PDF-1.7\n%%EOF"],
)
def test_unreadable_content_gives_a_state_not_an_exception(data):
    result = extract_bytes(data)
    assert result.state in (ExtractState.EMPTY, ExtractState.FAILED)
    assert result.reason


def test_scanned_page_without_ocr_is_empty(tmp_path):
    path = pdfgen.scanned_pdf(["Công văn"], tmp_path / "scan.pdf")
    result = extract(path, limits=Limits(ocr=False))
    assert result.state is ExtractState.EMPTY
    assert "OCR disabled" in result.reason


@needs_tesseract
def test_ocr_of_a_scanned_vietnamese_page(tmp_path):
    lines = ["QUYẾT ĐỊNH", "Về việc phê duyệt kế hoạch", "Ủy ban nhân dân tỉnh Hà Nam"]
    result = extract(pdfgen.scanned_pdf(lines, tmp_path / "scan.pdf"))
    assert result.state is ExtractState.OK, result.reason
    assert result.ocr_pages == 1
    for word in ("QUYẾT", "ĐỊNH", "phê duyệt", "kế hoạch", "Ủy ban", "Hà Nam"):
        assert word in result.text


def test_child_is_killed_at_the_deadline():
    started = time.monotonic()
    with pytest.raises(_Timeout):
        _run(["sleep", "30"], time.monotonic() + 0.5, Limits(timeout=0.5))
    assert time.monotonic() - started < 5


def test_child_memory_is_limited():
    code = "x = bytearray(2 * 1024 ** 3); print(len(x))"
    result = _run(
        [sys.executable, "-c", code], time.monotonic() + 30, Limits(memory_mb=256)
    )
    assert result.returncode != 0


def test_whole_budget_exhausted_fails_cleanly(tmp_path):
    path = pdfgen.text_pdf(["Công văn"], tmp_path / "a.pdf")
    result = extract(path, limits=Limits(timeout=0.01))
    assert result.state is ExtractState.FAILED and "timed out" in result.reason


@pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"malformed PDF corpus absent: {CORPUS}"
)
def test_malformed_corpus_never_raises_or_hangs():
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 100
    limits = Limits(timeout=5, ocr=False, memory_mb=512)

    def one(path):
        started = time.monotonic()
        return path, extract(path, limits=limits), time.monotonic() - started

    states = set()
    with concurrent.futures.ThreadPoolExecutor(2) as pool:
        for path, result, elapsed in pool.map(one, files):
            assert isinstance(result, Extraction), path
            assert elapsed < limits.timeout + 3, path
            if result.state is not ExtractState.OK:
                assert result.reason, path
            states.add(result.state)
    assert states == {ExtractState.OK, ExtractState.EMPTY, ExtractState.FAILED}


def test_library_imports_no_flask_or_docflow():
    code = (
        "import sys, search.extract, search.whoosh_index, search.analysis;"
        "bad = [m for m in sys.modules if m.split('.')[0] in ('flask', 'docflow')];"
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603


@needs_tesseract
@pytest.mark.skipif(
    not CORPUS.is_dir(), reason=f"malformed PDF corpus absent: {CORPUS}"
)
def test_malformed_sample_with_ocr_is_bounded():
    files = sorted(p for p in CORPUS.rglob("*.pdf") if "image" in p.name)[:6]
    limits = Limits(timeout=10, ocr_max_pages=1, memory_mb=512)
    for path in files:
        started = time.monotonic()
        result = extract(path, limits=limits)
        assert isinstance(result, Extraction)
        assert time.monotonic() - started < limits.timeout + 3, path
