"""The index follows the workflow, and what it returns follows access.py."""

from __future__ import annotations

import io

from docflow.documents import services as s
from docflow.documents.indexing import viewer_for
from docflow.extensions import db
from docflow.searching import get_index
from docflow.searching.models import DocumentText, TextState
from docflow.searching.services import check, search_documents
from search.index import SearchQuery


def _ids(results) -> set[int]:
    return {int(h.id) for h in results.hits}


def test_index_follows_register_assign_complete(office, registered, assign_to) -> None:
    doc = registered(
        "Kế hoạch phòng chống lụt bão năm 2024",
        code_number="15",
        code_notation="QĐ-UBND",
    )
    text = db.session.get(DocumentText, doc.id)
    assert text.state == TextState.OK and "lụt bão" in text.text
    # Registered: the records officer and the leader find it, by content and by number.
    assert _ids(search_documents(office.clerk, "lut bao")) == {doc.id}
    assert _ids(search_documents(office.leader, "15/QD-UBND")) == {doc.id}
    assert search_documents(office.specialist, "lut bao").total == 0
    assert search_documents(office.head, "lut bao").total == 0

    assign_to(office, doc, user=office.specialist)
    assert _ids(search_documents(office.specialist, "lụt bão")) == {doc.id}
    assert _ids(search_documents(office.head, "lụt bão")) == {
        doc.id
    }  # one of the head's people
    assert search_documents(office.other_specialist, "lụt bão").total == 0
    assert search_documents(office.specialist, "").facets["status"] == [
        ("in_progress", 1)
    ]

    s.complete(office.specialist, doc, "Đã triển khai")
    assert search_documents(office.specialist, "").facets["status"] == [
        ("completed", 1)
    ]
    assert check().clean


def test_department_assignment_reaches_the_head_only(
    office, registered, assign_to
) -> None:
    doc = registered("Báo cáo tổng kết công tác văn thư")
    assign_to(office, doc, department=office.unit)
    assert _ids(search_documents(office.head, "van thu")) == {doc.id}
    assert search_documents(office.specialist, "van thu").total == 0


def test_other_agency_never_appears_in_hits_totals_or_facets(
    office, make_office, registered
) -> None:
    other = make_office(code="000.00.77.H56", name="Ủy ban nhân dân tỉnh Khác")
    mine = registered("Quyết định phê duyệt dự toán ngân sách")
    theirs = [
        registered(
            "Quyết định phê duyệt dự toán ngân sách", who=other, code_number=str(n)
        )
        for n in range(3)
    ]
    results = search_documents(office.leader, "quyet dinh ngan sach")
    assert _ids(results) == {mine.id} and results.total == 1
    assert results.facets["doc_type"] == [("Quyết định", 1)]
    assert results.facets["issuer"] == [("Bộ Nội vụ", 1)]
    assert search_documents(other.leader, "ngan sach").total == len(theirs)


def test_secret_content_is_not_searchable(office, registered) -> None:
    doc = registered(
        "Phương án bảo vệ mục tiêu trọng yếu",
        secrecy="confidential",
        subject="Về phương án bảo vệ",
    )
    assert (
        db.session.get(DocumentText, doc.id) is None
    )  # never extracted, never indexed
    assert search_documents(office.leader, "muc tieu trong yeu").total == 0
    # Its metadata follows the ordinary rules.
    assert _ids(search_documents(office.leader, "phuong an bao ve")) == {doc.id}


def test_viewer_matches_roles(office) -> None:
    assert (
        viewer_for(office.leader).all_in_agency
        and viewer_for(office.clerk).all_in_agency
    )
    assert viewer_for(office.head).department_ids == (str(office.unit.id),)
    spec = viewer_for(office.specialist)
    assert not spec.all_in_agency and spec.department_ids == ()


def test_jobs_are_safe_to_run_twice_and_drop_gone_rows(office, registered) -> None:
    from docflow.searching.jobs import extract, index_incoming

    one, two = registered("Một"), registered("Hai")
    for _ in range(2):
        index_incoming(one.id)
        extract(one.id, force=True)
    assert get_index().search(SearchQuery(unrestricted=True)).total == 2
    index_incoming(two.id + 100)  # never existed: nothing happens
    get_index().upsert(
        [{"id": "4242", "version": "1", "agency_id": str(office.agency.id)}]
    )
    index_incoming(4242)  # row gone: its entry goes too
    assert sorted(get_index().ids_with_versions()) == sorted([str(one.id), str(two.id)])


def test_search_backend_is_checked_at_start_up(tmp_path) -> None:
    import pytest

    from docflow import create_app
    from docflow.settings import ConfigError
    from tests.conftest import base_config

    with pytest.raises(
        ConfigError, match="SEARCH_BACKEND: must be whoosh-per-agency or whoosh"
    ):
        create_app(
            base_config(tmp_path, SEARCH_BACKEND="elasticsearch"),
            instance_path=str(tmp_path / "i"),
        )
    app = create_app(
        base_config(tmp_path, SEARCH_BACKEND="whoosh"),
        instance_path=str(tmp_path / "i"),
    )
    assert type(app.extensions["docflow.search"]).__name__ == "WhooshIndex"


def _count_writes(monkeypatch) -> list[str]:
    """Record every index commit (WhooshIndex._write) from now on."""
    from search.whoosh_index import WhooshIndex

    writes: list[str] = []
    original = WhooshIndex._write

    def counting(self, work, **commit_args):
        writes.append(self.path)
        return original(self, work, **commit_args)

    monkeypatch.setattr(WhooshIndex, "_write", counting)
    return writes


def test_inline_arrival_writes_its_entry_once(office, pdf, monkeypatch) -> None:
    from docflow.documents.services import store_signature_report

    writes = _count_writes(monkeypatch)
    doc = s.receive(office.clerk, io.BytesIO(pdf("Phòng chống lụt bão")), "vb.pdf")
    # The inline queue extracts before writing: one commit holds metadata and text.
    assert len(writes) == 1
    assert _ids(search_documents(office.clerk, "lut bao")) == {doc.id}
    # A change the entry does not hold (the signature report) writes nothing ...
    store_signature_report(doc, {"indication": "TOTAL-PASSED"})
    assert len(writes) == 1
    # ... a change it holds is written.
    doc.subject = "Về việc phòng chống lụt bão"
    db.session.commit()
    assert len(writes) == 2
    assert check().clean


def test_inline_extraction_failure_still_indexes_metadata(
    office, pdf, monkeypatch
) -> None:
    from docflow.searching import jobs
    from storage.errors import StorageUnavailable

    calls = []

    def unavailable(doc, **kwargs):
        calls.append(doc.id)
        raise StorageUnavailable("storage down")

    monkeypatch.setattr(jobs, "extract_document", unavailable)
    monkeypatch.setattr(
        jobs.current_app.extensions["docflow.jobs"], "raise_errors", False
    )
    doc = s.receive(office.clerk, io.BytesIO(pdf("Phòng chống lụt bão")), "vb.pdf")
    # Tried in the index job, and again by the extraction job it then queues.
    assert len(calls) >= 2 and set(calls) == {doc.id}
    assert db.session.get(DocumentText, doc.id) is None
    assert get_index().ids_with_versions().keys() == {str(doc.id)}
