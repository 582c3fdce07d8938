"""Dossiers in search: found by title, number, notes and the documents they hold, only by
the people who may open them; the documents inside never leak through their dossier."""

from __future__ import annotations

import json

from docflow.auth.models import Role, User
from docflow.dossiers import access
from docflow.dossiers import services as ds
from docflow.dossiers.models import Dossier
from docflow.extensions import db
from docflow.searching import get_index
from docflow.searching.services import search_documents
from docflow.searching.sources import SOURCES
from tests.helpers import login


def _found(user, text="", kind="dossier") -> set[str]:
    results = search_documents(user, text, kind=kind, per_page=200)
    assert results.total == len(results.hits)
    return {h.id for h in results.hits}


def _run(app, *args):
    return app.test_cli_runner().invoke(args=list(args))


def test_dossier_found_by_title_number_notes_and_documents(
    app, client, office, registered, assign_to
) -> None:
    doc = registered(
        "Nội dung",
        subject="Quy hoạch vùng trồng cây dược liệu",
        code_number="27",
        code_notation="QĐ-UBND",
    )
    assign_to(office, doc, user=office.specialist)
    dossier = ds.create_dossier(
        office.specialist,
        notation="05.KT",
        title="Hồ sơ đề án phát triển kinh tế rừng",
        description="Theo dõi tiến độ trồng keo",
    )
    ds.add_document(office.specialist, dossier, "incoming", doc.id)
    entry = f"d{dossier.id}"
    for user in (office.specialist, office.clerk):
        for query in (
            "kinh tế rừng",
            "kinh te rung",
            '"đề án phát triển"',
            "05.KT",
            "trồng keo",  # the notes
        ):
            assert _found(user, query) == {entry}, (user.username, query)
    assert _found(office.other_specialist, "kinh te rung") == set()

    # Documents found the dossier by their titles, with or without diacritics.
    assert _found(office.clerk, "duoc lieu") == {entry}
    assert _found(office.clerk, "27/QĐ-UBND") == {entry}
    # "all kinds": the incoming document and the dossier holding it.
    both = search_documents(office.clerk, "cây dược liệu")
    assert {(h.kind, h.id) for h in both.hits} == {
        ("incoming", str(doc.id)),
        ("dossier", entry),
    }
    assert dict(both.facets["kind"]) == {"incoming": 1, "dossier": 1}

    login(client, office.clerk.username)
    html = client.get("/search?q=kinh+te+rung&kind=dossier").get_data(as_text=True)
    assert f'data-id="{entry}" data-kind="dossier"' in html
    assert f'href="/dossiers/{dossier.id}"' in html and "Hồ sơ" in html
    assert "Đang lập" in html and "05.KT" in html  # status label, number
    data = client.get("/search.json?q=kinh+te+rung&kind=incoming").get_json()
    assert data["total"] == 0
    data = client.get("/search.json?q=kinh+te+rung").get_json()
    assert [(h["kind"], h["id"], h["url"]) for h in data["hits"]] == [
        ("dossier", dossier.id, f"/dossiers/{dossier.id}")
    ]


def test_index_agrees_with_dossier_access_for_every_user(
    app, office, create_user
) -> None:
    vx = office.other_specialist.department_id
    create_user(office.agency, "truongphong_vx", Role.DEPARTMENT_HEAD, department_id=vx)
    dossiers = [
        ds.create_dossier(office.specialist, notation="01.KT", title="Hồ sơ thi đua"),
        ds.create_dossier(
            office.other_specialist, notation="02.VX", title="Hồ sơ thi đua khối"
        ),
        ds.create_dossier(office.head, notation="03.KT", title="Hồ sơ thi đua phòng"),
        ds.create_dossier(office.clerk, notation="04.VT", title="Hồ sơ thi đua chung"),
        ds.create_dossier(
            office.leader,
            notation="05.VX",
            title="Hồ sơ thi đua năm",
            department_id=vx,
        ),
    ]
    other = ds.create_dossier(
        office.specialist, notation="06.KT", title="Hồ sơ khác hẳn"
    )
    users = list(
        db.session.scalars(db.select(User).where(User.agency_id == office.agency.id))
    )
    assert len(users) == 7
    seen_by_someone_not_all = False
    for user in users:
        expected = {f"d{d.id}" for d in dossiers if access.can_view(user, d)}
        assert _found(user, "thi đua") == expected, user.username
        assert _found(user, "thi dua", kind=None) == expected, user.username
        everything = {
            f"d{d.id}" for d in [*dossiers, other] if access.can_view(user, d)
        }
        assert _found(user) == everything, user.username
        seen_by_someone_not_all |= 0 < len(expected) < len(dossiers)
    assert seen_by_someone_not_all  # the users really differ


def test_documents_a_dossier_viewer_may_not_see_stay_out_of_its_entry(
    app, office, registered, assign_to
) -> None:
    secret_ish = registered(
        "Nội dung",
        subject="Phương án sắp xếp cán bộ chủ chốt",
        code_number="31",
        code_notation="TTr-SNV",
    )
    dossier = ds.create_dossier(
        office.specialist, notation="07.KT", title="Hồ sơ công tác cán bộ"
    )
    # The records officer sees every document and may add it to any dossier.
    ds.add_document(office.clerk, dossier, "incoming", secret_ish.id)
    entry = f"d{dossier.id}"
    # The keeper cannot open the document: its words must not find the dossier,
    # for the keeper or anyone else (the entry is the same for every viewer).
    assert _found(office.specialist, "chủ chốt") == set()
    assert _found(office.clerk, "chủ chốt") == set()
    assert _found(office.clerk, "31/TTr-SNV") == set()
    assert _found(office.clerk, "chủ chốt", kind="incoming") == {str(secret_ish.id)}
    assert _found(office.specialist, "công tác cán bộ") == {entry}
    # Once the keeper (and so the head of the unit) may see it, the document's
    # index job refreshes the dossier holding it.
    assign_to(office, secret_ish, user=office.specialist)
    assert _found(office.specialist, "chủ chốt") == {entry}
    assert _found(office.head, "31/TTr-SNV") == {entry}


def test_reindex_and_check_cover_dossiers(app, office) -> None:
    dossiers = [
        ds.create_dossier(office.specialist, notation=f"0{n}.KT", title=f"Hồ sơ {n}")
        for n in range(1, 4)
    ]
    index = get_index()
    assert _run(app, "search", "check").exit_code == 0
    first, second = (f"d{d.id}" for d in dossiers[:2])
    index.delete([first])  # missing
    index.upsert(
        [
            {
                "id": "d999999",
                "version": "x",
                "agency_id": str(office.agency.id),
                "kind": "dossier",
            }
        ]
    )  # orphaned
    db.session.execute(
        db.update(Dossier).where(Dossier.id == dossiers[1].id).values(title="Đổi")
    )  # bulk SQL: no listener, the entry goes stale
    db.session.commit()
    result = _run(app, "search", "check")
    assert result.exit_code == 1, result.output
    assert f"missing: 1 ({first})" in result.output
    assert f"stale: 1 ({second})" in result.output
    assert "orphaned: 1 (d999999)" in result.output
    result = _run(app, "search", "check", "--repair")
    assert result.exit_code == 0 and "Repaired." in result.output
    assert _found(office.specialist, "Đổi") == {second}

    result = _run(app, "search", "reindex", "--full", "--quiet")
    assert result.exit_code == 0 and "3 entries written." in result.output
    assert set(index.ids_with_versions()) == {f"d{d.id}" for d in dossiers}
    result = _run(
        app,
        "search",
        "query",
        "ho so",
        "--kind",
        "dossier",
        "--agency",
        office.agency.code,
        "--json",
    )
    hits = json.loads(result.output)["hits"]
    assert sorted(h["id"] for h in hits) == [dossiers[0].id, dossiers[2].id]
    assert {h["kind"] for h in hits} == {"dossier"}
    assert SOURCES["dossier"].count() == 3


def test_outgoing_documents_in_a_dossier_follow_the_same_rule(app, office) -> None:
    import io

    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.outgoing import services as out
    from tests.docflow.office import make_pdf

    def draft(user, subject):
        values = out.DraftValues(
            "Báo cáo", subject, Urgency.NORMAL, Secrecy.NONE, user.department_id
        )
        return out.create_draft(user, values, io.BytesIO(make_pdf(subject)), "a.pdf")

    mine = draft(office.specialist, "Sơ kết mô hình nuôi ong lấy mật")
    theirs = draft(office.other_specialist, "Kế hoạch tổ chức lễ hội đua thuyền")
    dossier = ds.create_dossier(
        office.specialist, notation="08.KT", title="Hồ sơ khuyến nông"
    )
    ds.add_document(office.specialist, dossier, "outgoing", mine.id)
    ds.add_document(office.clerk, dossier, "outgoing", theirs.id)
    entry = f"d{dossier.id}"
    # Drafts are not in the index themselves, but the dossier's entry names the one
    # every viewer of the dossier (keeper, head of the unit, agency-wide roles) may see.
    assert _found(office.head, "nuoi ong") == {entry}
    assert _found(office.clerk, "nuoi ong", kind=None) == {entry}
    assert _found(office.clerk, "đua thuyền", kind=None) == set()
