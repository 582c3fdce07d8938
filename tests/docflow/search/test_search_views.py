"""The search page and /search.json, as users see them."""

from __future__ import annotations

import io

from docflow.documents import services as s
from docflow.extensions import db
from docflow.searching.models import DocumentText, TextState
from tests.helpers import login


def test_page_finds_without_accents_and_by_number(
    app, client, office, registered, assign_to
) -> None:
    doc = registered(
        "Quyết định về việc khen thưởng tập thể",
        code_number="15",
        code_notation="QĐ-UBND",
        subject="Khen thưởng tập thể lao động xuất sắc",
    )
    hidden = registered(
        "Quyết định về việc khen thưởng cá nhân",
        code_number="16",
        code_notation="QĐ-UBND",
    )
    assign_to(office, doc, user=office.specialist)
    login(client, office.specialist.username)

    html = client.get("/search?q=quyet+dinh+khen+thuong").get_data(as_text=True)
    assert f'data-id="{doc.id}"' in html and f'data-id="{hidden.id}"' not in html
    assert 'data-total="1"' in html
    assert "<mark>" in html and f'href="/incoming/{doc.id}"' in html
    assert (
        'data-count="1"' in html
    )  # facet counts only count what the specialist may see

    html = client.get("/search?q=15/QD-UBND").get_data(as_text=True)
    assert f'data-id="{doc.id}"' in html and "15/QĐ-UBND" in html
    assert 'data-total="0"' in client.get("/search?q=16/QD-UBND").get_data(as_text=True)


def test_filters_sort_and_paging(app, client, office, registered) -> None:
    for n in range(3):
        registered(
            f"Thông báo lịch họp số {n}", code_number=str(n), doc_type="Thông báo"
        )
    registered("Quyết định điều động cán bộ", code_number="9")
    login(client, office.leader.username)
    app.config["PAGE_SIZE"] = 2
    data = client.get("/search.json?doc_type=Thông báo&sort=date").get_json()
    assert data["total"] == 3 and data["pages"] == 2 and len(data["hits"]) == 2
    assert {h["doc_type"] for h in data["hits"]} == {"Thông báo"}
    assert (
        client.get("/search.json?doc_type=Thông báo&page=2").get_json()["hits"][0][
            "doc_type"
        ]
        == "Thông báo"
    )
    facets = client.get("/search.json").get_json()["facets"]
    assert {"value": "Thông báo", "count": 3} in facets["doc_type"]
    assert client.get("/search.json?year=2023").get_json()["total"] == 0
    assert (
        client.get("/search.json?year=2024&status=registered").get_json()["total"] == 4
    )


def test_json_needs_a_session_and_respects_agencies(
    app, client, office, make_office, registered
) -> None:
    assert client.get("/search.json?q=x").status_code == 401
    other = make_office(code="000.00.78.H56")
    registered("Hướng dẫn quyết toán kinh phí", who=other)
    login(client, office.leader.username)
    data = client.get("/search.json?q=quyết toán").get_json()
    assert (
        data["total"] == 0 and data["hits"] == [] and data["facets"]["doc_type"] == []
    )


def test_document_page_shows_when_content_could_not_be_extracted(
    app, client, office
) -> None:
    broken = b"%PDF-1.4\n" + b"\x00garbage" * 200
    doc = s.receive(office.clerk, io.BytesIO(broken), "hong.pdf")
    assert db.session.get(DocumentText, doc.id).state == TextState.FAILED
    login(client, office.clerk.username)
    html = client.get(f"/incoming/{doc.id}").get_data(as_text=True)
    assert 'data-text-state="failed"' in html
    assert "Không trích xuất được nội dung" in html
