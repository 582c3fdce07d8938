from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest

from docflow.documents import services as s
from docflow.documents.models import (
    Attachment,
    ExtensionRequest,
    IncomingDocument,
    IncomingStatus,
)
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from tests.docflow.documents.conftest import METADATA, make_pdf
from tests.helpers import csrf_token, login


def _post(client, page: str, action: str, data: dict, **kw):
    data = dict(data, csrf_token=csrf_token(client, page))
    return client.post(action, data=data, **kw)


def _receive(client, text="Công văn", **meta):
    data = {
        "file": (io.BytesIO(make_pdf(text)), "Công văn 15.pdf"),
        "doc_type": "Quyết định",
        "urgency": "normal",
        "secrecy": "none",
        **meta,
    }
    return _post(
        client,
        "/incoming/receive",
        "/incoming/receive",
        data,
        content_type="multipart/form-data",
    )


def _register_form(office, **extra):
    return {
        **{k: v for k, v in METADATA.items()},
        "urgency": "urgent",
        "secrecy": "none",
        "presented_to": office.leader.id,
        **extra,
    }


def test_full_flow_through_the_pages(app, office) -> None:
    clerk, leader, specialist = app.test_client(), app.test_client(), app.test_client()
    login(clerk, office.clerk.username)
    assert "Tiếp nhận văn bản" in clerk.get("/incoming/receive").get_data(as_text=True)
    response = _receive(clerk)
    assert response.status_code == 302
    doc_url = response.headers["Location"]
    page = clerk.get(doc_url).get_data(as_text=True)
    assert "Chờ vào sổ" in page and "Vào sổ văn bản đến" in page
    assert "Tệp không có chữ ký số." in page  # the signature check result is shown
    doc_id = int(doc_url.rsplit("/", 1)[1])
    response = _post(
        clerk, doc_url, f"/incoming/{doc_id}/register", _register_form(office)
    )
    assert response.status_code == 302
    page = clerk.get(doc_url).get_data(as_text=True)
    assert "Đã vào sổ, số đến 1." in page and "Khẩn" in page

    login(leader, office.leader.username)
    inbox = leader.get("/incoming/?tab=to_assign").get_data(as_text=True)
    assert "Về việc tổ chức bộ máy chính quyền địa phương hai cấp" in inbox
    deadline = (date.today() + timedelta(days=7)).isoformat()
    response = _post(
        leader,
        doc_url,
        f"/incoming/{doc_id}/assign",
        {
            "lead": f"u:{office.specialist.id}",
            "coordinate": [f"d:{office.unit.id}"],
            "deadline": deadline,
            "instruction": "Giao Phòng Kinh tế tham mưu",
        },
    )
    assert response.status_code == 302

    login(specialist, office.specialist.username)
    home = specialist.get("/").get_data(as_text=True)
    assert "Văn bản mới được giao" in home
    assert "Về việc tổ chức" in specialist.get("/incoming/?tab=in_progress").get_data(
        as_text=True
    )
    _post(
        specialist,
        doc_url,
        f"/incoming/{doc_id}/comment",
        {"text": "Đã dự thảo văn bản trả lời"},
    )
    _post(
        specialist,
        doc_url,
        f"/incoming/{doc_id}/attach",
        {"file": (io.BytesIO(make_pdf("dự thảo")), "Dự thảo.pdf")},
        content_type="multipart/form-data",
    )
    response = _post(
        specialist,
        doc_url,
        f"/incoming/{doc_id}/complete",
        {"result": "Đã trả lời bằng văn bản"},
    )
    assert response.status_code == 302
    page = specialist.get(doc_url).get_data(as_text=True)
    for text in (
        "đã tiếp nhận văn bản",
        "đã vào sổ",
        "đã phân công xử lý",
        "Giao Phòng Kinh tế tham mưu",
        "đã cho ý kiến",
        "đã đính kèm tệp",
        "Dự thảo.pdf",
        "đã hoàn thành xử lý",
        "Đã hoàn thành",
    ):
        assert text in page, text
    # The preview serves the PDF inline, framed by our own pages only.
    pdf = specialist.get(f"/incoming/{doc_id}/file")
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf"
    assert (
        pdf.headers["X-Frame-Options"] == "SAMEORIGIN"
        and "inline" in pdf.headers["Content-Disposition"]
    )
    assert pdf.data == make_pdf("Công văn")


def test_duplicate_registration_needs_confirmation(app, office) -> None:
    clerk = app.test_client()
    login(clerk, office.clerk.username)
    first = _receive(clerk, "một").headers["Location"]
    _post(clerk, first, f"{first}/register", _register_form(office))
    second = _receive(clerk, "hai").headers["Location"]
    response = _post(clerk, second, f"{second}/register", _register_form(office))
    assert response.status_code == 409
    assert (
        "Đã có văn bản cùng cơ quan ban hành, số và ký hiệu trong sổ (số đến 1)"
        in response.get_data(as_text=True)
    )
    assert "Về việc tổ chức bộ máy" in response.get_data(
        as_text=True
    )  # what was typed is kept
    response = _post(
        clerk,
        second,
        f"{second}/register",
        _register_form(office, confirm_duplicate="y"),
    )
    assert response.status_code == 302
    assert (
        db.session.get(IncomingDocument, int(second.rsplit("/", 1)[1])).arrival_number
        == 2
    )


def test_rejected_upload_says_why(app, office) -> None:
    clerk = app.test_client()
    login(clerk, office.clerk.username)
    data = {
        "file": (io.BytesIO(b"MZ\x90\x00 program"), "virus.pdf"),
        "doc_type": "Công văn",
        "urgency": "normal",
        "secrecy": "none",
    }
    response = _post(
        clerk,
        "/incoming/receive",
        "/incoming/receive",
        data,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "không thuộc định dạng được chấp nhận" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(IncomingDocument.id))) == 0


def test_storage_down_gives_a_clear_page_and_no_record(make_app, make_office) -> None:
    app = make_app(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT="127.0.0.1:9",
        S3_ACCESS_KEY="k",
        S3_SECRET_KEY="s",
    )
    with app.app_context():
        office = make_office(code="000.00.66.H56")
        clerk = app.test_client()
        login(clerk, office.clerk.username)
        response = _receive(clerk)
        assert response.status_code == 503
        assert "Hiện không kết nối được kho lưu trữ tệp" in response.get_data(
            as_text=True
        )
        assert "Traceback" not in response.get_data(as_text=True)
        assert db.session.scalar(db.select(db.func.count(IncomingDocument.id))) == 0


def _doc_in_progress(office, secrecy=Secrecy.NONE):
    doc = s.receive(office.clerk, io.BytesIO(make_pdf(f"x{secrecy}")), "a.pdf")
    s.register(
        office.clerk,
        doc,
        dict(METADATA, secrecy=secrecy, code_number=str(doc.id)),
        presented_to=office.leader,
    )
    s.assign(
        office.leader,
        doc,
        s.AssignmentPlan(
            lead=s.Target(user_id=office.specialist.id),
            deadline=date.today() + timedelta(days=3),
        ),
    )
    att = s.attach(office.specialist, doc, io.BytesIO(make_pdf("đính kèm")), "b.pdf")
    req = s.request_extension(
        office.specialist, doc, date.today() + timedelta(days=9), "lý do"
    )
    return doc, att, req


def _document_urls(app, doc, att, req) -> list[tuple[str, str]]:
    values = {
        "doc_id": doc.id,
        "attachment_id": att.id,
        "file_id": att.file_id,  # packet files: the same rules as the document's files
        "req_id": req.id,
        "decision": "grant",
    }
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("incoming.") and "doc_id" in rule.arguments:
            url = rule.build({k: values[k] for k in rule.arguments})[1]
            urls.extend((m, url) for m in sorted(rule.methods - {"HEAD", "OPTIONS"}))
    return urls


def test_permission_matrix_outsiders_get_404_on_every_document_route(
    app, office, make_office
) -> None:
    doc, att, req = _doc_in_progress(office)
    urls = _document_urls(app, doc, att, req)
    assert len(urls) >= 12
    other = make_office(code="000.00.67.H56")
    outsiders = [
        other.clerk,
        other.leader,
        other.specialist,
        office.other_specialist,
        office.admin,
    ]
    before = (doc.status, len(doc.events))
    for user in outsiders:
        client = app.test_client()
        login(client, user.username)
        token = csrf_token(client, "/")
        for method, url in urls:
            response = client.open(
                url,
                method=method,
                data={
                    "csrf_token": token,
                    "text": "x",
                    "result": "x",
                    "reason": "x",
                    "lead": f"u:{user.id}",
                },
            )
            assert response.status_code == 404, (
                user.username,
                method,
                url,
                response.status_code,
            )
    db.session.expire_all()
    doc = db.session.get(IncomingDocument, doc.id)
    assert (doc.status, len(doc.events)) == before
    assert db.session.get(ExtensionRequest, req.id).granted is None


@pytest.mark.parametrize("role", ["specialist_informed", "head"])
def test_insiders_without_rights_are_refused_actions(app, office, role) -> None:
    doc, _att, req = _doc_in_progress(office)
    user = office.head
    s.assign(
        office.leader,
        doc,
        s.AssignmentPlan(
            lead=s.Target(user_id=office.specialist.id),
            inform=[s.Target(user_id=office.head.id)],
        ),
    )
    client = app.test_client()
    login(client, user.username)
    page = f"/incoming/{doc.id}"
    assert client.get(page).status_code == 200
    for action, data in (
        (f"{page}/complete", {"result": "x"}),
        (f"{page}/assign", {"lead": f"u:{user.id}"}),
        (f"{page}/extension/{req.id}/grant", {}),
    ):
        response = _post(client, page, action, data)
        assert response.status_code == 400, action
    db.session.expire_all()
    assert db.session.get(IncomingDocument, doc.id).status == IncomingStatus.IN_PROGRESS


def test_secret_document_files_only_for_named_people(app, office, create_user) -> None:
    from docflow.auth.models import Role

    doc, att, _req = _doc_in_progress(office, Secrecy.TOP_SECRET)
    other_leader = create_user(office.agency, "lanhdao_b", Role.LEADER)
    for username, expected in (
        (office.specialist.username, 200),
        (office.clerk.username, 200),
        (office.leader.username, 200),
        (other_leader.username, 404),
    ):
        client = app.test_client()
        login(client, username)
        assert client.get(f"/incoming/{doc.id}/file").status_code == expected, username
        assert (
            client.get(f"/incoming/{doc.id}/attachments/{att.id}").status_code
            == expected
        ), username
        page = client.get(f"/incoming/{doc.id}").get_data(as_text=True)
        assert "Tuyệt mật" in page
        if expected == 404:
            assert "Bạn không thuộc danh sách được xem nội dung văn bản này." in page
            assert "<iframe" not in page


def test_inbox_counts_tabs_and_paging(make_app, make_office) -> None:
    app = make_app(PAGE_SIZE=2)
    with app.app_context():
        office = make_office(code="000.00.68.H56")
        for i in range(5):
            s.receive(office.clerk, io.BytesIO(make_pdf(f"trang {i}")), f"{i}.pdf")
        client = app.test_client()
        login(client, office.clerk.username)
        html = client.get("/incoming/?tab=pending").get_data(as_text=True)
        assert re.search(r'data-tab="pending">5<', html)
        assert "Trang 1 / 3" in html
        assert "Trang 3 / 3" in client.get("/incoming/?tab=pending&page=9").get_data(
            as_text=True
        )
        assert client.get("/incoming/?tab=nonsense").status_code == 404
        # The specialist has no pending tab and sees none of these.
        spec = app.test_client()
        login(spec, office.specialist.username)
        assert spec.get("/incoming/?tab=pending").status_code == 404
        assert re.search(
            r'data-tab="all">0<', spec.get("/incoming/?tab=all").get_data(as_text=True)
        )
        assert db.session.scalar(db.select(db.func.count(Attachment.id))) == 0
