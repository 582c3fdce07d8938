"""Operator commands: reindex, check (--repair), query, and the archive import."""

from __future__ import annotations

import json

from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.extensions import db
from docflow.searching import get_index
from docflow.searching.models import DocumentText, TextState
from search.index import SearchQuery


def _run(app, *args):
    result = app.test_cli_runner().invoke(args=list(args))
    return result


def test_reindex_check_and_repair(app, office, registered) -> None:
    docs = [
        registered(f"Văn bản số {n} về đê điều", code_number=str(n)) for n in range(3)
    ]
    index = get_index()
    assert _run(app, "search", "check").exit_code == 0

    index.delete([str(docs[0].id)])  # missing
    index.upsert(
        [{"id": "999999", "version": "x", "agency_id": str(office.agency.id)}]
    )  # orphaned
    changed = db.session.get(
        IncomingDocument, docs[1].id
    )  # check() released the batch from the session
    changed.subject = "Trích yếu đổi mà chỉ mục chưa biết"
    db.session.info["docflow.search.paused"] = (
        True  # a change the index did not follow: stale
    )
    db.session.commit()
    db.session.info.pop("docflow.search.paused")

    result = _run(app, "search", "check")
    assert result.exit_code == 1
    assert f"missing: 1 ({docs[0].id})" in result.output
    assert f"stale: 1 ({docs[1].id})" in result.output
    assert "orphaned: 1 (999999)" in result.output
    result = _run(app, "search", "check", "--repair")
    assert result.exit_code == 0 and "Repaired." in result.output
    assert _run(app, "search", "check").exit_code == 0

    # Rebuild from scratch; a second run has nothing left to write (resumable).
    result = _run(app, "search", "reindex", "--full", "--quiet")
    assert result.exit_code == 0 and "3 entries written." in result.output
    assert "0 entries written." in _run(app, "search", "reindex", "--quiet").output
    assert index.count() == 3

    # Text lost (e.g. restored database without it): --extract brings it back.
    db.session.execute(db.delete(DocumentText))
    db.session.commit()
    result = _run(app, "search", "reindex", "--extract", "--quiet")
    assert (
        result.exit_code == 0 and "0 entries written." in result.output
    )  # same text: entries current
    assert db.session.scalar(db.select(db.func.count(DocumentText.document_id))) == 3
    assert get_index().search(SearchQuery(text="de dieu", unrestricted=True)).total == 3


def test_query_command(app, office, registered) -> None:
    doc = registered(
        "Chỉ thị về phòng cháy chữa cháy", code_number="15", code_notation="QĐ-UBND"
    )
    result = _run(
        app, "search", "query", "15/QD-UBND", "--agency", office.agency.code, "--json"
    )
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["total"] == 1 and data["hits"][0]["id"] == doc.id
    assert data["hits"][0]["number"] == "15/QĐ-UBND"
    result = _run(app, "search", "query", "chay")
    assert (
        result.exit_code == 0
        and "1 results" in result.output
        and " incoming " in result.output
        and "<mark>" in result.output
    )
    assert _run(app, "search", "query", "x", "--agency", "000.00.00.X99").exit_code != 0


def test_import_folder_with_a_bad_row_then_resume(app, office, pdf, tmp_path) -> None:
    folder = tmp_path / "archive"
    folder.mkdir()
    (folder / "a.pdf").write_bytes(
        pdf("Quyết định thành lập hội đồng thi đua khen thưởng")
    )
    (folder / "b.pdf").write_bytes(pdf("Công văn về lịch tiếp công dân"))
    (folder / "c.pdf").write_bytes(pdf("Kế hoạch cải cách hành chính"))
    rows = [
        {
            "file": "a.pdf",
            "issuer": "UBND tỉnh Hà Nam",
            "number": "7/QĐ-UBND",
            "date": "05/01/2019",
            "type": "Quyết định",
            "subject": "Thành lập hội đồng thi đua",
        },
        {
            "file": "b.pdf",
            "issuer": "Sở Nội vụ",
            "number": "12/SNV-VP",
            "date": "31/02/2019",
            "type": "Công văn",
            "subject": "Lịch tiếp công dân",
        },  # bad date
        {
            "file": "missing.pdf",
            "issuer": "Sở Nội vụ",
            "number": "13/SNV",
            "date": "2019-03-01",
            "type": "Công văn",
            "subject": "Không có tệp",
        },
        {
            "file": "c.pdf",
            "issuer": "Sở Nội vụ",
            "number": "14/KH-SNV",
            "date": "2019-03-02",
            "type": "Tờ khai",
            "subject": "Loại không hỗ trợ",
        },
    ]
    meta = folder / "metadata.jsonl"
    meta.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows[:1]) + "\n",
        encoding="utf-8",
    )

    # First run: only the first row (as if interrupted), then the full file.
    result = _run(app, "import", str(folder), "--agency", office.agency.code, "--quiet")
    assert result.exit_code == 0, result.output
    assert "1 imported, 0 already imported, 0 rejected." in result.output
    meta.write_text(
        "\n".join(json.dumps(r, ensure_ascii=False) for r in rows) + "\n",
        encoding="utf-8",
    )
    report = tmp_path / "rejected.csv"
    result = _run(
        app,
        "import",
        str(folder),
        "--agency",
        office.agency.code,
        "--quiet",
        "--report",
        str(report),
    )
    assert result.exit_code == 0, result.output
    assert "0 imported, 1 already imported, 3 rejected." in result.output
    assert "line 2 (b.pdf): bad date" in result.output
    assert "line 3 (missing.pdf): file not found" in result.output
    assert "line 4 (c.pdf): unsupported type 'Tờ khai'" in result.output
    assert report.read_text(encoding="utf-8").count("\n") == 4

    (doc,) = db.session.scalars(db.select(IncomingDocument)).all()
    assert doc.status == IncomingStatus.COMPLETED and doc.arrival_number == 1
    assert doc.number_notation == "7/QĐ-UBND" and doc.issued_date.year == 2019
    assert db.session.get(DocumentText, doc.id).state == TextState.OK
    hits = get_index().search(SearchQuery(text="hoi dong thi dua", unrestricted=True))
    assert [h.id for h in hits.hits] == [str(doc.id)]
