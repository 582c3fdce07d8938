import datetime as dt

import pytest

from search.index import IndexDocument, QueryError, SearchError, SearchQuery, Viewer


def ids(results):
    return [h.id for h in results.hits]


def search(index, text="", viewer=None, **kw):
    viewer = viewer or Viewer(agency_id="A", user_id="u1", department_ids=("d1",))
    return index.search(SearchQuery(text=text, viewer=viewer, **kw))


def test_accent_insensitive_match_including_d_stroke(index, make_doc):
    index.upsert(
        [
            make_doc("1", subject="Quyết định đúng thẩm quyền"),
            make_doc("2", subject="Nội dung công văn"),
        ]
    )
    assert ids(search(index, "quyet dinh")) == ["1"]
    assert ids(search(index, "QUYẾT ĐỊNH")) == ["1"]
    # "dung" matches both "đúng" and "dung"; "đúng" typed exactly ranks đúng first.
    assert set(ids(search(index, "dung"))) == {"1", "2"}
    assert ids(search(index, "đúng"))[0] == "1"


@pytest.mark.parametrize(
    "typed, first", [("bản", "doc-ban-hoi"), ("bán", "doc-ban-sac")]
)
def test_exact_diacritics_rank_first(index, make_doc, typed, first):
    index.upsert(
        [
            make_doc("doc-ban-hoi", content="Dự thảo bản hợp đồng lao động"),
            make_doc("doc-ban-sac", content="Dự thảo hợp đồng bán nhà ở"),
        ]
    )
    results = search(index, typed)
    assert results.total == 2  # folding still finds both
    assert ids(results)[0] == first


def test_adjacent_syllables_rank_above_scattered(index, make_doc):
    index.upsert(
        [
            make_doc(
                "scattered",
                content="Hợp tác về bảo vệ môi trường, đồng thời "
                "giữ gìn an ninh; hiểm họa thiên tai được nêu.",
            ),
            make_doc("phrase", content="Quy định về bảo hiểm và hợp đồng lao động."),
            make_doc("filler", content="Báo cáo tình hình kinh tế xã hội."),
        ]
    )
    for text in ("hợp đồng bảo hiểm", "hop dong bao hiem", '"bảo hiểm"'):
        assert ids(search(index, text))[0] == "phrase", text


def test_quoted_phrase_requires_adjacency(index, make_doc):
    index.upsert(
        [
            make_doc("1", content="đất đai và nhà ở"),
            make_doc("2", content="nhà đất, đai ốc"),
        ]
    )
    assert ids(search(index, '"dat dai"')) == ["1"]


def test_document_number_found_in_any_spelling(index, make_doc):
    index.upsert(
        [
            make_doc("own", number="15/QĐ-UBND", subject="Về việc phê duyệt"),
            make_doc("cites", content="Căn cứ Quyết định số 15/QĐ-UBND của UBND tỉnh"),
            make_doc("other", number="16/QĐ-UBND", content="Căn cứ 150/QĐ-UBND"),
        ]
    )
    for typed in ("15/QD-UBND", "15/qd-ubnd", "15/QĐ-UBND"):
        results = search(index, typed)
        assert ids(results) == ["own", "cites"], typed
    assert search(index, "15/QD-UBND").hits[0].number == "15/QĐ-UBND"


def _permission_corpus(make_doc):
    docs = [
        make_doc(f"pub{i}", subject="kế hoạch năm", doc_type="Kế hoạch")
        for i in range(5)
    ]
    docs += [
        make_doc(
            f"dept{i}",
            subject="kế hoạch mật",
            doc_type="Tờ trình",
            public_in_agency=False,
            department_ids=("d1",),
        )
        for i in range(3)
    ]
    docs += [
        make_doc(
            "mine",
            subject="kế hoạch riêng",
            doc_type="Tờ trình",
            public_in_agency=False,
            user_ids=("u1",),
        ),
        make_doc(
            "restricted",
            subject="kế hoạch tuyệt mật",
            doc_type="Mật",
            public_in_agency=False,
            department_ids=("d2",),
            user_ids=("u2",),
        ),
    ]
    docs += [
        make_doc(f"other{i}", agency_id="B", subject="kế hoạch", doc_type="Khác")
        for i in range(7)
    ]
    return docs


def test_permission_filter_hides_docs_and_their_counts(index, make_doc):
    index.upsert(_permission_corpus(make_doc))
    visible = {f"pub{i}" for i in range(5)} | {f"dept{i}" for i in range(3)} | {"mine"}
    seen = set()
    totals = set()
    for page in (1, 2, 3):
        results = search(index, "ke hoach", page=page, per_page=4)
        seen |= set(ids(results))
        totals.add(results.total)
        assert results.pages == 3
    assert seen == visible
    assert totals == {9}
    facets = dict(search(index, "ke hoach").facets["doc_type"])
    assert facets == {"Kế hoạch": 5, "Tờ trình": 4}
    # Browsing (no text) and agency-wide roles keep the boundary too.
    assert search(index, "").total == 9
    boss = Viewer(agency_id="A", user_id="boss", all_in_agency=True)
    assert search(index, "ke hoach", viewer=boss).total == 10
    stranger = Viewer(agency_id="C", user_id="u1", department_ids=("d1",))
    assert search(index, "ke hoach", viewer=stranger).total == 0
    # A user of department d1 only: not "mine", not "restricted".
    other = Viewer(agency_id="A", user_id="u9", department_ids=("d1",))
    assert set(ids(search(index, "mật", viewer=other, per_page=50))) == {
        "dept0",
        "dept1",
        "dept2",
    }


def test_a_viewer_is_required(index):
    with pytest.raises(QueryError):
        index.search(SearchQuery(text="x"))
    index.search(SearchQuery(text="x", unrestricted=True))


def test_facet_counts_and_filters(index, make_doc):
    index.upsert(
        [
            make_doc(
                "1",
                subject="về đất đai",
                doc_type="Quyết định",
                issuer="UBND",
                status="issued",
                issued_date=dt.date(2023, 3, 1),
            ),
            make_doc(
                "2",
                subject="về đất đai",
                doc_type="Quyết định",
                issuer="Sở TNMT",
                status="draft",
                issued_date=dt.date(2024, 3, 1),
            ),
            make_doc(
                "3",
                subject="về đất đai",
                doc_type="Công văn",
                issuer="UBND",
                status="issued",
                issued_date=dt.date(2024, 6, 1),
            ),
            make_doc("4", subject="về thuế", doc_type="Công văn", issuer="UBND"),
        ]
    )
    results = search(index, "đất đai")
    assert results.total == 3
    assert results.facets == {
        "doc_type": [("Quyết định", 2), ("Công văn", 1)],
        "issuer": [("UBND", 2), ("Sở TNMT", 1)],
        "year": [("2024", 2), ("2023", 1)],
        "status": [("issued", 2), ("draft", 1)],
    }
    narrowed = search(index, "đất đai", filters={"year": [2024], "issuer": "UBND"})
    assert ids(narrowed) == ["3"]
    ranged = search(
        index, "dat dai", issued_from=dt.date(2024, 1, 1), issued_to=dt.date(2024, 4, 1)
    )
    assert ids(ranged) == ["2"]
    with pytest.raises(QueryError):
        search(index, "x", filters={"agency": ["B"]})


def test_sort_by_date(index, make_doc):
    index.upsert(
        [
            make_doc(str(i), subject="công văn", issued_date=dt.date(2020 + i, 1, 1))
            for i in (2, 0, 3, 1)
        ]
    )
    assert ids(search(index, "cong van", sort="date")) == ["3", "2", "1", "0"]
    assert ids(search(index, "cong van", sort="date_asc")) == ["0", "1", "2", "3"]
    assert search(index, "cong van", sort="date").hits[0].issued_date == dt.date(
        2023, 1, 1
    )


def test_snippet_marks_matches_and_escapes_html(index, make_doc):
    index.upsert(
        [
            make_doc(
                "1", content='<script>alert("x")</script> Phê duyệt dự án & kế hoạch'
            )
        ]
    )
    snippet = search(index, "du an").hits[0].snippet
    assert "<mark>dự</mark> <mark>án</mark>" in snippet
    assert "<script" not in snippet and "&lt;/script&gt;" in snippet
    assert "&amp;" in snippet


def test_upsert_replaces_and_delete_removes(index, make_doc):
    index.upsert([make_doc("1", version="1", subject="bản nháp")])
    index.upsert([make_doc("1", version="2", subject="bản chính thức")])
    assert index.count() == 1
    assert index.ids_with_versions() == {"1": "2"}
    assert search(index, "nháp").total == 0
    assert search(index, "chính thức").total == 1
    assert index.delete(["1", "missing"]) == 1
    assert index.count() == 0


def test_upsert_skip_unchanged_writes_only_new_versions(index, make_doc):
    assert index.upsert([make_doc("1", version="1", subject="bản nháp")]) == 1
    # Same version: nothing written, even though the text differs (the caller's
    # version is trusted to cover everything it indexes).
    same = make_doc("1", version="1", subject="bản khác")
    assert index.upsert([same], skip_unchanged=True) == 0
    assert search(index, "nháp").total == 1
    assert search(index, "khác").total == 0
    # A new version, and a new id, are written; the unchanged one in the batch is not.
    batch = [
        make_doc("1", version="2", subject="bản chính thức"),
        make_doc("2", version="1", subject="Tờ trình"),
        make_doc("1", version="2", subject="bản chính thức"),
    ]
    assert index.upsert(batch, skip_unchanged=True) == 2
    assert index.ids_with_versions() == {"1": "2", "2": "1"}
    assert search(index, "chính thức").total == 1
    assert index.upsert(batch, skip_unchanged=True) == 0
    # Without the flag an upsert always rewrites.
    assert index.upsert([same]) == 1
    assert search(index, "khác").total == 1


def test_dict_documents_and_clear(index):
    index.upsert(
        [
            {
                "id": "x",
                "version": "v",
                "agency_id": "A",
                "subject": "Tờ trình",
                "public_in_agency": True,
            }
        ]
    )
    assert index.count() == 1
    index.clear()
    assert index.count() == 0
    with pytest.raises(SearchError):
        index.upsert([{"id": "x", "version": "v", "agency_id": "A", "colour": "red"}])
    with pytest.raises(SearchError):
        IndexDocument(id="a b", version="1", agency_id="A")


def test_long_question_falls_back_to_any_word(index, make_doc):
    index.upsert(
        [make_doc("1", content="Người dưới 18 tuổi không bị phạt tù chung thân")]
    )
    results = search(index, "người dưới bao nhiêu tuổi thì không bị tù chung thân")
    assert ids(results) == ["1"]


def test_reopen_keeps_documents(make_index, make_doc, tmp_path):
    from search.whoosh_index import WhooshIndex

    first = WhooshIndex(tmp_path / "same")
    first.upsert([make_doc("1", subject="Tờ trình")])
    assert WhooshIndex(tmp_path / "same").count() == 1


def test_second_writer_waits_then_succeeds(make_index, make_doc, tmp_path):
    import threading
    import time

    from search.whoosh_index import WhooshIndex

    holder = WhooshIndex(tmp_path / "shared")
    waiter = WhooshIndex(tmp_path / "shared", lock_timeout=10)
    w = holder._writer()
    threading.Timer(0.5, w.commit).start()
    started = time.monotonic()
    waiter.upsert([make_doc("1", subject="Tờ trình")])
    assert time.monotonic() - started >= 0.4
    assert waiter.count() == 1


def test_second_writer_gets_index_busy_after_timeout(make_doc, tmp_path):
    import time

    from search.index import IndexBusy
    from search.whoosh_index import WhooshIndex

    holder = WhooshIndex(tmp_path / "shared")
    impatient = WhooshIndex(tmp_path / "shared", lock_timeout=0.3)
    w = holder._writer()
    try:
        started = time.monotonic()
        with pytest.raises(IndexBusy, match="locked by another writer"):
            impatient.upsert([make_doc("1")])
        assert 0.25 <= time.monotonic() - started < 3
    finally:
        w.cancel()
    impatient.upsert([make_doc("1")])
    assert impatient.count() == 1


def test_unrestricted_search_sees_every_agency(index, make_doc):
    index.upsert(
        [
            make_doc(
                "a1", agency_id="A", subject="báo cáo", issued_date=dt.date(2021, 1, 1)
            ),
            make_doc(
                "b1", agency_id="B", subject="báo cáo", issued_date=dt.date(2023, 1, 1)
            ),
            make_doc(
                "b2",
                agency_id="B",
                subject="báo cáo",
                public_in_agency=False,
                issued_date=dt.date(2022, 1, 1),
            ),
        ]
    )
    results = index.search(SearchQuery(text="bao cao", unrestricted=True, sort="date"))
    assert ids(results) == ["b1", "b2", "a1"]
    assert results.total == 3
    assert dict(results.facets["year"]) == {"2021": 1, "2022": 1, "2023": 1}
    assert index.count() == 3
    assert set(index.ids_with_versions()) == {"a1", "b1", "b2"}


def test_kind_filters_counts_and_comes_back_on_hits(index, make_doc):
    index.upsert(
        [
            make_doc("1", kind="incoming", subject="Kế hoạch phòng chống thiên tai"),
            make_doc("o1", kind="outgoing", subject="Kế hoạch phòng chống dịch"),
            make_doc("d1", kind="dossier", subject="Hồ sơ kế hoạch năm"),
            make_doc("o2", kind="outgoing", subject="Kế hoạch khác", agency_id="B"),
        ]
    )
    results = search(index, "ke hoach", facets=("kind",))
    assert results.total == 3
    assert dict(results.facets["kind"]) == {"incoming": 1, "outgoing": 1, "dossier": 1}
    assert {h.id: h.kind for h in results.hits} == {
        "1": "incoming",
        "o1": "outgoing",
        "d1": "dossier",
    }
    only = search(index, "ke hoach", filters={"kind": ["outgoing"]})
    assert ids(only) == ["o1"] and only.total == 1


def test_extra_text_is_searched_but_not_shown(index, make_doc):
    index.upsert(
        [
            make_doc(
                "1",
                subject="Công văn gửi các sở",
                content="Nội dung công văn",
                extra_text="Sở Tài chính\nSở Nội vụ",
            )
        ]
    )
    results = search(index, "so tai chinh")
    assert ids(results) == ["1"]
    assert "Tài chính" not in results.hits[0].snippet


def test_an_index_without_newer_fields_gains_them(tmp_path, make_doc):
    """An index written before a field existed opens, keeps its entries, takes the new field."""
    from whoosh import index as whoosh_index

    from search.whoosh_index import WhooshIndex, make_schema

    old = make_schema()
    old.remove("kind")
    (tmp_path / "old").mkdir()
    whoosh_index.create_in(tmp_path / "old", old)
    writer = whoosh_index.open_dir(tmp_path / "old").writer()
    writer.add_document(id="7", version="1", agency="A", public="1", text="thiên tai")
    writer.commit()

    upgraded = WhooshIndex(tmp_path / "old")
    assert "kind" in upgraded._ix.schema.names()
    upgraded.upsert([make_doc("o8", kind="outgoing", subject="Thiên tai")])
    results = search(upgraded, "thien tai", facets=("kind",))
    assert sorted(ids(results)) == ["7", "o8"]
    assert dict(results.facets["kind"]) == {"outgoing": 1}  # the old entry has none
    assert ids(search(upgraded, "thien tai", filters={"kind": ["outgoing"]})) == ["o8"]
