"""The shared pager macro (templates/_pager.html) used by every paged list."""

from __future__ import annotations

from flask import render_template_string

TEMPLATE = (
    '{% from "_pager.html" import pager with context %}'
    "{% macro link(p) %}/list?q=a&page={{ p }}{% endmacro %}"
    "{{ pager(page, pages, link) }}"
)


def test_previous_and_next_links_follow_the_page(app) -> None:
    with app.test_request_context("/"):
        middle = render_template_string(TEMPLATE, page=2, pages=3)
        first = render_template_string(TEMPLATE, page=1, pages=3)
        last = render_template_string(TEMPLATE, page=3, pages=3)
        alone = render_template_string(TEMPLATE, page=1, pages=1)
    assert 'href="/list?q=a&page=1"' in middle
    assert 'href="/list?q=a&page=3"' in middle
    assert "Trang 2 / 3" in middle
    assert "page=0" not in first and 'page=2"' in first
    assert "page=4" not in last and 'page=2"' in last
    assert alone.strip() == ""  # one page: no pager at all


def test_a_real_list_pages_through_the_macro(app, office) -> None:
    """The dossier list with one dossier a page: the links keep the filters."""
    from docflow.dossiers import services as ds
    from tests.helpers import login

    app.config["PAGE_SIZE"] = 1
    for n in (1, 2):
        ds.create_dossier(office.clerk, notation=f"0{n}.TH", title=f"Hồ sơ {n}")
    client = app.test_client()
    login(client, office.clerk.username)
    html = client.get(f"/dossiers/?year={ds.today().year}&page=1").get_data(
        as_text=True
    )
    assert "Trang 1 / 2" in html
    assert f"year={ds.today().year}" in html and "page=2" in html
