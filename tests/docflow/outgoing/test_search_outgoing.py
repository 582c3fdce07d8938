"""Issued outgoing documents in search: found by the words of the issued PDF, by number,
by recipient, only by the people who may open them (the index agrees with access.py)."""

from __future__ import annotations

import io

from docflow.auth.models import Role, User
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.outgoing import access
from docflow.outgoing import services as s
from docflow.outgoing.models import RecipientKind
from docflow.searching.models import OutgoingText, TextState
from docflow.searching.services import check, repair, search_documents
from tests.helpers import login
from tests.signing.pki_support import DRAFT_LINES

BODY = (60, 540, 11, "Điều 2. Phát triển du lịch cộng đồng ở huyện Bá Thước.")
SECRET_BODY = (60, 540, 11, "Điều 2. Bảo vệ hồ chứa nước Cửa Đạt trong mùa lũ.")


def _issued(office, sample_pdf, *, drafter, reviewers, subject, secrecy=Secrecy.NONE):
    """A document drafted by ``drafter`` in their unit, reviewed, signed and issued."""
    values = s.DraftValues(
        doc_type="Quyết định",
        subject=subject,
        urgency=Urgency.NORMAL,
        secrecy=secrecy,
        department_id=drafter.department_id,
        recipients=[
            s.RecipientSpec(
                RecipientKind.PLACE, name="Sở Văn hóa, Thể thao và Du lịch"
            ),
            s.RecipientSpec(RecipientKind.PLACE, name="Lưu: VT"),
        ],
    )
    body = SECRET_BODY if secrecy != Secrecy.NONE else BODY
    pdf = sample_pdf([*DRAFT_LINES, body])
    doc = s.create_draft(drafter, values, io.BytesIO(pdf), "Dự thảo.pdf")
    s.submit(drafter, doc, [r.id for r in reviewers], office.leader.id)
    for reviewer in [*reviewers, office.leader]:  # the signer reviews last
        s.review(reviewer, doc, True)
    s.sign(office.leader, doc)
    s.issue(office.clerk, doc)
    return doc


def _found(user, text="", **kw) -> set[int]:
    results = search_documents(user, text, kind="outgoing", per_page=200, **kw)
    assert results.total == len(results.hits)  # counts never exceed what is shown
    return {int(h.id[1:]) for h in results.hits}


def test_issued_document_found_by_text_number_recipient_without_accents(
    keyed_office, sample_pdf
) -> None:
    office = keyed_office
    doc = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    text = db.session.get(OutgoingText, doc.id)
    assert text.state == TextState.OK and text.source_sha256 == doc.issued_file.sha256
    clerk = office.clerk
    for query in (
        "Bá Thước",  # only in the PDF's text
        "ba thuoc",
        '"phát triển du lịch cộng đồng"',
        "phat trien du lich",
        doc.number_notation,  # 01/QĐ-UBND
        doc.number_notation.replace("Đ", "D").lower(),
        "Sở Văn hóa Thể thao",  # a recipient
        "Trần Thị Bình",  # the signer
    ):
        assert _found(clerk, query) == {doc.id}, query
    hit = search_documents(clerk, "Bá Thước").hits[0]
    assert hit.kind == "outgoing" and hit.number == doc.number_notation
    assert "<mark>Bá</mark> <mark>Thước</mark>" in hit.snippet
    # As for incoming: case and diacritics fold ("thuốc" finds "Thước"; typed
    # diacritics only rank), words are required.
    assert _found(clerk, "BÁ THUỐC") == {doc.id}
    assert _found(clerk, "Bá Thước Quan Hóa") == {doc.id}  # 3+ words: any-word fallback
    assert _found(clerk, "Quan Hóa") == set()


def test_only_people_who_may_open_it_find_it_nor_count_it(
    keyed_office, sample_pdf, create_user
) -> None:
    office = keyed_office
    vx_head = create_user(
        office.agency,
        "truongphong_vx",
        Role.DEPARTMENT_HEAD,
        department_id=office.other_specialist.department_id,
        full_name="Hoàng Văn Vĩ",
    )
    kt = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    vx = _issued(
        office,
        sample_pdf,
        drafter=office.other_specialist,
        reviewers=[],
        subject="Về việc phát triển du lịch văn hóa",
    )
    secret = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch lòng hồ",
        secrecy=Secrecy.SECRET,
    )
    draft = s.create_draft(
        office.specialist,
        s.DraftValues(
            "Công văn", "Về việc phát triển du lịch", Urgency.NORMAL, Secrecy.NONE
        ),
        io.BytesIO(sample_pdf()),
        "Dự thảo.pdf",
    )
    docs = [kt, vx, secret, draft]
    users = db.session.scalars(
        db.select(User).where(User.agency_id == office.agency.id)
    )
    for user in users:
        # The index answers exactly what access.py answers, for issued documents;
        # drafts are never in the index.
        expected = {d.id for d in docs if d is not draft and access.can_view(user, d)}
        assert _found(user) == expected, user.username
        assert _found(user, "phat trien du lich") == expected, user.username
        assert search_documents(user, "du lịch").total == len(expected)
    assert _found(office.other_specialist, "du lịch") == {vx.id}
    assert _found(vx_head, "du lịch") == {vx.id}
    assert _found(office.head, "du lịch") == {kt.id, secret.id}

    # Secret: metadata found by those who may see it, the content never indexed.
    assert db.session.get(OutgoingText, secret.id) is None
    assert _found(office.clerk, "lòng hồ") == {secret.id}
    assert _found(office.clerk, "Cửa Đạt") == set()
    assert search_documents(office.clerk, "lòng hồ").hits[0].snippet == ""


def test_changes_after_issue_are_indexed_and_check_covers_outgoing(
    app, keyed_office, sample_pdf
) -> None:
    from docflow.searching import get_index

    office = keyed_office
    doc = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    entry = f"o{doc.id}"
    assert check().clean
    assert _found(office.clerk, '"việc phát triển"') == {doc.id}
    # An update of the issued document's metadata (as interchange/changes.py or an
    # outgoing service would do it) reaches the index through the model listener.
    doc = db.session.get(type(doc), doc.id)  # check() let go of the rows it read
    doc.subject = "Về việc bảo tồn làng nghề truyền thống"
    db.session.commit()
    assert _found(office.clerk, "lang nghe truyen thong") == {doc.id}
    assert _found(office.clerk, "Bá Thước") == {doc.id}  # the PDF's text stays
    assert _found(office.clerk, '"việc phát triển"') == set()  # the old subject

    index = get_index()
    index.delete([entry])
    assert check().missing == [entry]
    index.upsert(
        [
            {
                "id": "o999999",
                "version": "x",
                "agency_id": str(office.agency.id),
                "kind": "outgoing",
            }
        ]
    )
    drift = check()
    assert drift.missing == [entry] and drift.orphaned == ["o999999"]
    repair(drift)
    assert check().clean
    # Stale: the index holds other values than the database.
    db.session.execute(
        db.update(type(doc)).where(type(doc).id == doc.id).values(subject="Khác")
    )  # no listener for bulk SQL: the entry goes stale
    db.session.commit()
    assert check().stale == [entry]


def _registered_incoming(office, subject: str):
    from datetime import date

    from docflow.documents import services as incoming
    from tests.docflow.office import METADATA, make_pdf

    doc = incoming.receive(office.clerk, io.BytesIO(make_pdf(subject)), "den.pdf")
    values = dict(METADATA, subject=subject, issued_date=date(2025, 1, 6))
    return incoming.register(office.clerk, doc, values, confirm_duplicate=True)


def test_search_page_kind_filter_labels_and_links(
    app, client, keyed_office, sample_pdf
) -> None:
    office = keyed_office
    doc = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    incoming = _registered_incoming(office, "Kế hoạch phát triển du lịch năm 2025")
    login(client, office.clerk.username)
    html = client.get("/search?q=du+lich").get_data(as_text=True)
    assert 'data-total="2"' in html
    assert f'data-id="o{doc.id}" data-kind="outgoing"' in html
    assert f'href="/outgoing/{doc.id}"' in html and "Văn bản đi" in html
    assert f'data-id="{incoming.id}" data-kind="incoming"' in html
    assert f'href="/incoming/{incoming.id}"' in html
    html = client.get("/search?q=du+lich&kind=outgoing").get_data(as_text=True)
    assert 'data-total="1"' in html and f'data-id="{incoming.id}"' not in html
    data = client.get("/search.json?q=du+lich&kind=incoming").get_json()
    assert [(h["kind"], h["id"], h["url"]) for h in data["hits"]] == [
        ("incoming", incoming.id, f"/incoming/{incoming.id}")
    ]
    data = client.get("/search.json?q=du+lich").get_json()
    assert dict((f["value"], f["count"]) for f in data["facets"]["kind"]) == {
        "incoming": 1,
        "outgoing": 1,
    }
    # The specialist of the other unit sees neither of them, nor counts them.
    other = app.test_client()
    login(other, office.other_specialist.username)
    data = other.get("/search.json?q=du+lich").get_json()
    assert data["total"] == 0 and data["facets"]["kind"] == []


def test_reindex_extracts_and_indexes_issued_documents(app, keyed_office, sample_pdf):
    office = keyed_office
    doc = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    # A restored database without the text, an empty index.
    db.session.execute(db.delete(OutgoingText))
    db.session.commit()
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "reindex", "--full", "--quiet"])
    assert result.exit_code == 0 and "1 entries written." in result.output
    assert _found(office.clerk, "phát triển du lịch") == {doc.id}
    assert _found(office.clerk, "Bá Thước") == set()  # no text yet
    result = runner.invoke(args=["search", "reindex", "--extract", "--quiet"])
    assert result.exit_code == 0 and "1 entries written." in result.output
    assert _found(office.clerk, "Bá Thước") == {doc.id}
    assert runner.invoke(args=["search", "check"]).exit_code == 0


def test_revocation_correction_and_replacement_reach_the_index(
    app, client, keyed_office, sample_pdf
) -> None:
    from dataclasses import replace

    from docflow.interchange import sender_changes

    office = keyed_office
    doc = _issued(
        office,
        sample_pdf,
        drafter=office.specialist,
        reviewers=[office.head],
        subject="Về việc phát triển du lịch cộng đồng",
    )
    values = replace(
        sender_changes.current_values(doc),
        subject="Về việc phát triển du lịch sinh thái",
        signer_name="Lê Văn Sửa",
    )
    sender_changes.update(office.clerk, doc, values, "Sửa trích yếu")
    assert _found(office.clerk, "du lịch sinh thái") == {doc.id}
    assert _found(office.clerk, "Lê Văn Sửa") == {doc.id}
    assert _found(office.clerk, '"du lịch cộng đồng"') == {doc.id}  # the PDF's text

    replacement = s.create_draft(
        office.specialist,
        s.DraftValues(
            "Quyết định",
            "Về việc phát triển du lịch nông thôn",
            Urgency.NORMAL,
            Secrecy.NONE,
            office.specialist.department_id,
        ),
        io.BytesIO(sample_pdf()),
        "Dự thảo.pdf",
    )
    replacement.replaces_id = doc.id
    db.session.commit()
    assert _found(office.clerk, doc.number_notation) == {doc.id}  # drafts: no entry
    s.submit(office.specialist, replacement, [office.head.id], office.leader.id)
    for reviewer in (office.head, office.leader):
        s.review(reviewer, replacement, True)
    s.sign(office.leader, replacement)
    s.issue(office.clerk, replacement)
    # The replaced number finds both, the document itself first.
    hits = search_documents(office.clerk, doc.number_notation, kind="outgoing").hits
    assert [h.id for h in hits] == [f"o{doc.id}", f"o{replacement.id}"]

    sender_changes.revoke(office.clerk, doc, "Ban hành sai thẩm quyền")
    hit = search_documents(office.clerk, "sinh thái", kind="outgoing").hits[0]
    assert hit.id == f"o{doc.id}" and hit.status == "revoked"
    login(client, office.clerk.username)
    html = client.get("/search?q=sinh+thai").get_data(as_text=True)
    assert "Đã thu hồi" in html
    assert check().clean
