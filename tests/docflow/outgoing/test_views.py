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
ENGLISH = ("Status", "Recipients", "Timeline", "Files", "Review", "Information", "Drafted by", "Signed by",
           "Not sent", "Delivered", "pending", "approved", "returned", "Submit for review", "Outgoing documents")


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
    text = re.sub(r"<[^>]+>", " ", re.sub(r"<(script|style)[^>]*>.*?</\1>", " ", html, flags=re.S))
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


def test_full_path_through_the_pages(app, keyed_office, make_office, sample_pdf) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.61.H56", name="Ủy ban nhân dân xã Nhận")
    drafter, head, leader, clerk = (client_for(app, u) for u in (office.specialist, office.head, office.leader,
                                                                 office.clerk))
    page = drafter.get("/outgoing/new").get_data(as_text=True)
    assert "Soạn văn bản mới" in page and "Loại văn bản" in page
    vietnamese(page)
    response = drafter.post("/outgoing/new", content_type="multipart/form-data", data={
        "csrf_token": csrf_token(drafter, "/outgoing/new"), "doc_type": "Quyết định", "subject": SUBJECT,
        "urgency": "urgent", "secrecy": "none", "department_id": office.unit.id,
        "to_agencies": [receiver.agency.id], "to_departments": [office.unit.id], "to_places": "Lưu: VT, KT",
        "file": (io.BytesIO(sample_pdf()), "Dự thảo.pdf")})
    assert response.status_code == 302
    url = response.headers["Location"]
    doc_id = int(url.rsplit("/", 1)[1])
    page = drafter.get(url).get_data(as_text=True)
    assert "Đã lưu dự thảo." in page and SUBJECT in page and "Khẩn" in page
    vietnamese(page)

    page = post(drafter, url, f"{url}/submit", {"reviewers": [office.head.id], "signer": office.leader.id})
    assert "Đã trình duyệt." in page.get_data(as_text=True)
    assert count(head.get("/").get_data(as_text=True), "to_review") == 1
    assert count(leader.get("/").get_data(as_text=True), "to_review") == 0  # not the leader's turn yet
    assert SUBJECT in head.get("/outgoing/?tab=to_review").get_data(as_text=True)
    assert SUBJECT not in leader.get("/outgoing/?tab=to_review").get_data(as_text=True)

    page = post(head, url, f"{url}/review", {"decision": "approve", "comment": "Đồng ý trình ký"})
    assert "Đã lưu quyết định." in page.get_data(as_text=True)
    home = leader.get("/").get_data(as_text=True)
    assert (count(home, "to_review"), count(home, "to_sign")) == (1, 0)
    post(leader, url, f"{url}/review", {"decision": "approve"})
    home = leader.get("/").get_data(as_text=True)
    assert (count(home, "to_review"), count(home, "to_sign")) == (0, 1)
    assert "/outgoing/?tab=to_sign" in home and "Chờ tôi ký" in home
    assert SUBJECT in leader.get("/outgoing/?tab=to_sign").get_data(as_text=True)

    # Insiders without the right role are refused, with a message, and nothing changes.
    for client, action, message in ((drafter, "sign", "Chỉ người được giao ký"),
                                    (clerk, "issue", "Chỉ phát hành được văn bản đã ký")):
        html = post(client, url, f"{url}/{action}").get_data(as_text=True)
        assert message in flashed_error(html), action
    assert db.session.get(OutgoingDocument, doc_id).status == OutgoingStatus.APPROVED

    page = post(leader, url, f"{url}/sign").get_data(as_text=True)
    assert "Đã ký số." in page and "Chờ ban hành" in page
    assert count(clerk.get("/").get_data(as_text=True), "to_issue") == 1
    assert "Chỉ văn thư cơ quan được phát hành" in flashed_error(post(leader, url, f"{url}/issue").get_data(as_text=True))
    assert SUBJECT in clerk.get("/outgoing/?tab=to_issue").get_data(as_text=True)

    page = post(clerk, url, f"{url}/issue").get_data(as_text=True)
    assert "Đã phát hành." in page
    assert count(clerk.get("/").get_data(as_text=True), "to_issue") == 0
    for client in (drafter, head, leader, clerk):
        page = client.get(url).get_data(as_text=True)
        text = vietnamese(page)
        assert "01/QĐ-UBND" in page and "Đã phát hành" in text
        states = re.findall(r'<li data-delivery="(\w+)">([^<]+)</li>', page)
        assert states == [("delivered", "Ủy ban nhân dân xã Nhận — Đã gửi đến"),
                          ("delivered", "Phòng Kinh tế — Đã gửi đến"),
                          ("not_electronic", "Lưu: VT, KT — Gửi bản giấy")]
        assert re.findall(r'data-indication="([\w-]+)"', page) == ["TOTAL-PASSED", "TOTAL-PASSED"]
    issued = clerk.get(f"{url}/file/issued")
    assert issued.status_code == 200 and issued.mimetype == "application/pdf"
    incoming = db.session.scalar(db.select(IncomingDocument).where(IncomingDocument.agency_id == receiver.agency.id))
    assert incoming is not None and incoming.code_notation == "QĐ-UBND"

    # Only the records officer sends again; nothing is delivered twice.
    assert "Chỉ văn thư cơ quan được gửi" in flashed_error(post(drafter, url, f"{url}/send").get_data(as_text=True))
    post(clerk, url, f"{url}/send")
    assert db.session.scalar(db.select(db.func.count(IncomingDocument.id))
                             .where(IncomingDocument.agency_id == receiver.agency.id)) == 1
