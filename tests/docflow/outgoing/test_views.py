"""Outgoing documents through the web pages: the full path, the home tiles, who may do what."""

from __future__ import annotations

import io
import re

import pytest

from docflow.documents.models import IncomingDocument
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.outgoing import services as s
from docflow.outgoing.models import OutgoingDocument, OutgoingStatus, RecipientKind
from tests.helpers import csrf_token, login
from tests.signing.pki_support import DRAFT_LINES

SUBJECT = "Về việc ban hành quy chế làm việc của Ủy ban nhân dân"
#: Interface words that must not appear in English on a Vietnamese page.
ENGLISH = (
    "Status",
    "Recipients",
    "Timeline",
    "Files",
    "Review",
    "Information",
    "Drafted by",
    "Signed by",
    "Not sent",
    "Delivered",
    "pending",
    "approved",
    "returned",
    "Submit for review",
    "Outgoing documents",
)


def client_for(app, user):
    client = app.test_client()
    login(client, user.username)
    return client


def post(client, page: str, action: str, data: dict | None = None, **kw):
    """Submit a form of ``page`` like a browser (with its CSRF token); follow to the result page."""
    data = dict(data or {}, csrf_token=csrf_token(client, page))
    return client.post(action, data=data, follow_redirects=True, **kw)


def vietnamese(html: str) -> str:
    """The page's visible text, checked for English interface words."""
    text = re.sub(
        r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S)
    )
    for word in ENGLISH:
        assert not re.search(rf"(?<![\w/.-]){re.escape(word)}(?![\w-])", text), word
    return text


def count(html: str, tab: str) -> int:
    match = re.search(rf'data-outgoing-tab="{tab}">(\d+)<', html)
    assert match, tab
    return int(match.group(1))


def flashed_error(html: str) -> str:
    match = re.search(r'class="flash error"[^>]*>\s*([^<]+)<', html)
    assert match, "no error message on the page"
    return match.group(1).strip()


def test_full_path_through_the_pages(
    app, keyed_office, make_office, sample_pdf
) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.61.H56", name="Ủy ban nhân dân xã Nhận")
    drafter, head, leader, clerk = (
        client_for(app, u)
        for u in (office.specialist, office.head, office.leader, office.clerk)
    )
    page = drafter.get("/outgoing/new").get_data(as_text=True)
    assert "Soạn văn bản mới" in page and "Loại văn bản" in page
    vietnamese(page)
    response = drafter.post(
        "/outgoing/new",
        content_type="multipart/form-data",
        data={
            "csrf_token": csrf_token(drafter, "/outgoing/new"),
            "doc_type": "Quyết định",
            "subject": SUBJECT,
            "urgency": "urgent",
            "secrecy": "none",
            "department_id": office.unit.id,
            "to_agencies": [receiver.agency.id],
            "to_departments": [office.unit.id],
            "to_places": "Lưu: VT, KT",
            "file": (io.BytesIO(sample_pdf()), "Dự thảo.pdf"),
        },
    )
    assert response.status_code == 302
    url = response.headers["Location"]
    doc_id = int(url.rsplit("/", 1)[1])
    page = drafter.get(url).get_data(as_text=True)
    assert "Đã lưu dự thảo." in page and SUBJECT in page and "Khẩn" in page
    vietnamese(page)

    page = post(
        drafter,
        url,
        f"{url}/submit",
        {"reviewers": [office.head.id], "signer": office.leader.id},
    )
    assert "Đã trình duyệt." in page.get_data(as_text=True)
    assert count(head.get("/").get_data(as_text=True), "to_review") == 1
    assert (
        count(leader.get("/").get_data(as_text=True), "to_review") == 0
    )  # not the leader's turn yet
    assert SUBJECT in head.get("/outgoing/?tab=to_review").get_data(as_text=True)
    assert SUBJECT not in leader.get("/outgoing/?tab=to_review").get_data(as_text=True)

    page = post(
        head,
        url,
        f"{url}/review",
        {"decision": "approve", "comment": "Đồng ý trình ký"},
    )
    assert "Đã lưu quyết định." in page.get_data(as_text=True)
    home = leader.get("/").get_data(as_text=True)
    assert (count(home, "to_review"), count(home, "to_sign")) == (1, 0)
    post(leader, url, f"{url}/review", {"decision": "approve"})
    home = leader.get("/").get_data(as_text=True)
    assert (count(home, "to_review"), count(home, "to_sign")) == (0, 1)
    assert "/outgoing/?tab=to_sign" in home and "Chờ tôi ký" in home
    assert SUBJECT in leader.get("/outgoing/?tab=to_sign").get_data(as_text=True)

    # Insiders without the right role are refused, with a message, and nothing changes.
    for client, action, message in (
        (drafter, "sign", "Chỉ người được giao ký"),
        (clerk, "issue", "Chỉ phát hành được văn bản đã ký"),
    ):
        html = post(client, url, f"{url}/{action}").get_data(as_text=True)
        assert message in flashed_error(html), action
    assert db.session.get(OutgoingDocument, doc_id).status == OutgoingStatus.APPROVED

    page = post(leader, url, f"{url}/sign").get_data(as_text=True)
    assert "Đã ký số." in page and "Chờ ban hành" in page
    assert count(clerk.get("/").get_data(as_text=True), "to_issue") == 1
    assert "Chỉ văn thư cơ quan được phát hành" in flashed_error(
        post(leader, url, f"{url}/issue").get_data(as_text=True)
    )
    assert SUBJECT in clerk.get("/outgoing/?tab=to_issue").get_data(as_text=True)

    page = post(clerk, url, f"{url}/issue").get_data(as_text=True)
    assert "Đã phát hành." in page
    assert count(clerk.get("/").get_data(as_text=True), "to_issue") == 0
    for client in (drafter, head, leader, clerk):
        page = client.get(url).get_data(as_text=True)
        text = vietnamese(page)
        assert "01/QĐ-UBND" in page and "Đã phát hành" in text
        states = re.findall(r'<li data-delivery="(\w+)">([^<]+)</li>', page)
        assert states == [
            ("delivered", "Ủy ban nhân dân xã Nhận — Đã gửi đến"),
            ("delivered", "Phòng Kinh tế — Đã gửi đến"),
            ("not_electronic", "Lưu: VT, KT — Gửi bản giấy"),
        ]
        assert re.findall(r'data-indication="([\w-]+)"', page) == [
            "TOTAL-PASSED",
            "TOTAL-PASSED",
        ]
    issued = clerk.get(f"{url}/file/issued")
    assert issued.status_code == 200 and issued.mimetype == "application/pdf"
    incoming = db.session.scalar(
        db.select(IncomingDocument).where(
            IncomingDocument.agency_id == receiver.agency.id
        )
    )
    assert incoming is not None and incoming.code_notation == "QĐ-UBND"

    # Only the records officer sends again; nothing is delivered twice.
    assert "Chỉ văn thư cơ quan được gửi" in flashed_error(
        post(drafter, url, f"{url}/send").get_data(as_text=True)
    )
    post(clerk, url, f"{url}/send")
    assert (
        db.session.scalar(
            db.select(db.func.count(IncomingDocument.id)).where(
                IncomingDocument.agency_id == receiver.agency.id
            )
        )
        == 1
    )


def _draft(
    office, sample_pdf, secrecy=Secrecy.NONE, pdf: bytes | None = None
) -> OutgoingDocument:
    values = s.DraftValues(
        doc_type="Công văn",
        subject=SUBJECT,
        urgency=Urgency.NORMAL,
        secrecy=secrecy,
        department_id=office.unit.id,
        recipients=[
            s.RecipientSpec(RecipientKind.DEPARTMENT, department_id=office.unit.id)
        ],
    )
    return s.create_draft(
        office.specialist,
        values,
        io.BytesIO(pdf or sample_pdf()),
        "Dự thảo.pdf",
        [(io.BytesIO(sample_pdf([(250, 770, 13, "PHỤ LỤC")])), "Phụ lục.pdf")],
    )


def _in_review(office, sample_pdf, secrecy=Secrecy.NONE) -> OutgoingDocument:
    doc = _draft(office, sample_pdf, secrecy)
    s.submit(office.specialist, doc, [office.head.id], office.leader.id)
    return doc


def _snapshot(doc_id: int) -> tuple:
    db.session.expire_all()
    doc = db.session.get(OutgoingDocument, doc_id)
    return (
        doc.status,
        len(doc.events),
        len(doc.versions),
        [(r.reviewer_id, r.decision) for r in doc.reviews],
        doc.number,
        doc.signed_file_id,
    )


def _document_urls(app, doc) -> list[tuple[str, str]]:
    values = {"doc_id": doc.id, "kind": "v1"}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("outgoing.") and "doc_id" in rule.arguments:
            url = rule.build({k: values[k] for k in rule.arguments})[1]
            if rule.endpoint == "outgoing.compare":
                url += "?a=1&b=1"
            urls.extend((m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_permission_matrix_outsiders_get_404_on_every_document_route(
    app, office, make_office, sample_pdf
) -> None:
    doc = _in_review(office, sample_pdf)
    urls = _document_urls(app, doc)
    assert {url.split("?")[0].rsplit("/", 1)[-1] for _m, url in urls} >= {
        str(doc.id),
        "versions",
        "submit",
        "review",
        "sign",
        "issue",
        "send",
        "compare",
        "v1",
    }
    other = make_office(code="000.00.62.H56")
    before = _snapshot(doc.id)
    for user in (
        other.clerk,
        other.leader,
        other.head,
        other.specialist,
        office.other_specialist,
        office.admin,
    ):
        client = client_for(app, user)
        token = csrf_token(client, "/")
        for method, url in urls:
            response = client.open(
                url,
                method=method,
                data={
                    "csrf_token": token,
                    "decision": "approve",
                    "signer": user.id,
                    "reviewers": [user.id],
                    "file": (io.BytesIO(sample_pdf()), "x.pdf"),
                },
            )
            assert response.status_code == 404, (
                user.username,
                method,
                url,
                response.status_code,
            )
    assert _snapshot(doc.id) == before


@pytest.mark.parametrize(
    ("who", "action", "data", "message"),
    [
        ("clerk", "review", {"decision": "approve"}, "Chưa đến lượt bạn cho ý kiến"),
        ("leader", "review", {"decision": "approve"}, "Chưa đến lượt bạn cho ý kiến"),
        (
            "specialist",
            "review",
            {"decision": "approve"},
            "Chưa đến lượt bạn cho ý kiến",
        ),
        ("leader", "sign", {}, "Chỉ ký được văn bản đã được duyệt"),
        ("clerk", "issue", {}, "Chỉ phát hành được văn bản đã ký"),
        ("clerk", "send", {}, "Chỉ gửi được văn bản đã phát hành"),
        ("head", "submit", {"signer": "leader"}, "Chỉ người soạn thảo được trình"),
        ("head", "versions", {"file": "pdf"}, "Chỉ dự thảo hoặc văn bản bị trả lại"),
    ],
)
def test_insiders_without_the_right_role_are_refused(
    app, office, sample_pdf, who, action, data, message
) -> None:
    doc = _in_review(office, sample_pdf)
    user = getattr(office, who)
    client = client_for(app, user)
    page = f"/outgoing/{doc.id}"
    assert client.get(page).status_code == 200
    values = {"signer": office.leader.id} if data.get("signer") else {}
    kw = {}
    if data.get("file"):
        values["file"] = (io.BytesIO(sample_pdf()), "v2.pdf")
        kw["content_type"] = "multipart/form-data"
    values.update({k: v for k, v in data.items() if k not in ("signer", "file")})
    before = _snapshot(doc.id)
    html = post(client, page, f"{page}/{action}", values, **kw).get_data(as_text=True)
    assert message in flashed_error(html)
    assert _snapshot(doc.id) == before


def test_secret_document_files_only_for_named_people_and_never_sent(
    app, keyed_office, create_user, sample_pdf
) -> None:
    from docflow.auth.models import Role

    office = keyed_office
    doc = _in_review(office, sample_pdf, Secrecy.SECRET)
    other_leader = create_user(
        office.agency, "lanhdao_khac", Role.LEADER, full_name="Ngô Văn Khác"
    )
    files = [
        f"/outgoing/{doc.id}/file/v1",
        f"/outgoing/{doc.id}/file/a{doc.attachments[0].id}",
        f"/outgoing/{doc.id}/compare?a=1&b=1",
    ]
    for user, expected in (
        (office.specialist, 200),
        (office.head, 200),
        (office.leader, 200),
        (office.clerk, 200),
        (other_leader, 404),
    ):
        client = client_for(app, user)
        for url in files:
            assert client.get(url).status_code == expected, (user.username, url)
        page = client.get(f"/outgoing/{doc.id}").get_data(as_text=True)
        assert "Tối mật" in page
        if expected == 404:
            assert (
                "Bạn không thuộc danh sách được xem nội dung văn bản này." in page
                and "<iframe" not in page
            )
    s.review(office.head, doc, True)
    s.review(office.leader, doc, True)
    s.sign(office.leader, doc)
    s.issue(office.clerk, doc)
    clerk = client_for(app, office.clerk)
    page = f"/outgoing/{doc.id}"
    html = clerk.get(page).get_data(as_text=True)
    assert "01/UBND-KT" in html and 'data-delivery="not_electronic"' in html
    assert "Văn bản mật không được gửi qua mạng: hãy gửi bản giấy." in flashed_error(
        post(clerk, page, f"{page}/send").get_data(as_text=True)
    )
    assert client_for(app, other_leader).get(f"{page}/file/issued").status_code == 404
    assert clerk.get(f"{page}/file/issued").status_code == 200


def test_version_compare_page(app, office, sample_pdf) -> None:
    doc = _in_review(office, sample_pdf)
    s.review(office.head, doc, False, "Bổ sung Điều 3")
    s.add_version(
        office.specialist,
        doc,
        io.BytesIO(sample_pdf(DRAFT_LINES + [(60, 520, 11, "Điều 3. Bản sửa.")])),
        "v2.pdf",
        "Đã bổ sung Điều 3",
    )
    client = client_for(app, office.specialist)
    page = client.get(f"/outgoing/{doc.id}").get_data(as_text=True)
    vietnamese(page)
    assert (
        "so sánh với bản trước" in page
        and f"/outgoing/{doc.id}/compare?a=1&amp;b=2" in page
    )
    assert "Trả lại để sửa" in page or "Đã trả lại" in page
    html = client.get(f"/outgoing/{doc.id}/compare?a=1&b=2").get_data(as_text=True)
    assert "So sánh phiên bản" in html and "v1 → v2" in html
    assert re.search(r'<span class="add">\+[^<]*Điều 3\. Bản sửa\.', html)
    assert "Hai phiên bản có nội dung giống nhau." in client.get(
        f"/outgoing/{doc.id}/compare?a=2&b=2"
    ).get_data(as_text=True)
    assert client.get(f"/outgoing/{doc.id}/compare?a=1&b=9").status_code == 404
