"""The leader signs in the browser with the USB token on their own PC: the page talks to
the signing agent (docflow-agent, here in a thread, on the session's SoftHSM token) over
a WebSocket on 127.0.0.1; the agent fetches each approved PDF with a ticket, signs it
and posts it back; the server checks it and the page shows the validated result."""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import base_config
from tests.e2e import support
from tests.e2e.support import LEADER, SPECIALIST, expect

pytestmark = pytest.mark.e2e
SLOW = 90_000  # ms: ten signatures, each validated by the server


@pytest.fixture
def live_server(
    tmp_path: Path, demo_database, pki, softhsm_token
) -> Iterator[support.LiveServer]:
    """The e2e live server, plus the test PKI's trust root and chain (overrides conftest's)."""
    from docflow import create_app

    template, users = demo_database
    support.copy_database(template, tmp_path / "docflow.db")
    config = base_config(
        tmp_path,
        WTF_CSRF_ENABLED=True,
        SESSION_COOKIE_SECURE=False,
        LOGIN_RATE_LIMIT="1000 per minute",
        TRUST_ROOTS=[str(pki.root_path)],
        SIGNING_CHAIN=[str(pki.cert_path("interm"))],
        REVOCATION_FETCHING=True,
    )
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    server = support.start_server(app)
    server.users = users
    yield server
    server.stop()


@pytest.fixture
def agent(live_server, softhsm_token, pki):
    from signing.agent import AgentConfig, run_in_thread

    prompts = []

    def pin(prompt):
        prompts.append(prompt)  # the leader types the PIN into the agent, not the page
        return softhsm_token.pin

    running = run_in_thread(
        AgentConfig(
            server=live_server.url,
            module=softhsm_token.module,
            token_label=softhsm_token.token_label,
            pin_provider=pin,
            key_label="leader-rsa",
            chain=(pki.cert("interm"),),
            port=0,
        )
    )
    running.prompts = prompts
    yield running
    running.stop()


def _approved_documents(server, sample_pdf, count: int) -> list[int]:
    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.outgoing import services as s
    from docflow.outgoing.models import RecipientKind

    ids = []
    with server.context():
        drafter, leader = server.user(SPECIALIST), server.user(LEADER)
        for n in range(1, count + 1):
            values = s.DraftValues(
                doc_type="Quyết định",
                subject=f"Quyết định thử nghiệm số {n}",
                urgency=Urgency.NORMAL,
                secrecy=Secrecy.NONE,
                department_id=drafter.department_id,
                recipients=[s.RecipientSpec(RecipientKind.PLACE, name="Lưu: VT")],
            )
            doc = s.create_draft(
                drafter, values, io.BytesIO(sample_pdf()), "Dự thảo.pdf", []
            )
            s.submit(drafter, doc, [], leader.id)
            s.review(leader, doc, True)
            ids.append(doc.id)
    return ids


def _use_agent(page, agent) -> None:
    field = page.get_by_label("Địa chỉ phần mềm ký số")
    field.fill(agent.url)
    field.dispatch_event("change")


def test_leader_signs_one_then_a_batch_of_ten(
    new_page, live_server, agent, sample_pdf, pki
) -> None:
    from docflow.extensions import db
    from docflow.files.services import open_file
    from docflow.outgoing.models import OutgoingDocument, OutgoingStatus
    from signing.validate import validate_pdf

    ids = _approved_documents(live_server, sample_pdf, 11)
    page = new_page(LEADER)

    # 1. Register the token's certificate, read from the token through the agent.
    page.goto("/sign/certificates")
    _use_agent(page, agent)
    page.get_by_role("button", name="Đọc chứng thư số trên token").click()
    row = page.locator("#token-certs li", has_text="Nguyễn Văn An")
    expect(row).to_be_visible()
    row.get_by_role("button", name="Đăng ký chứng thư số").click()
    expect(page.locator("#registered")).to_contain_text("Nguyễn Văn An")

    # 2. One document, from its own page.
    page.goto(f"/outgoing/{ids[0]}")
    page.get_by_role("link", name="Ký bằng USB token của tôi").click()
    expect(page).to_have_url(re.compile(r"/sign/batch\?doc="))
    first = page.locator(f"tr[data-doc='{ids[0]}']")
    expect(first.get_by_role("checkbox")).to_be_checked()
    page.get_by_role("button", name="Ký số các văn bản đã chọn").click()
    expect(first.locator(".result")).to_contain_text(
        "Đã ký — chữ ký hợp lệ (Nguyễn Văn An)", timeout=SLOW
    )
    expect(page.locator("#batch-summary")).to_contain_text("Hoàn tất")
    assert len(agent.prompts) == 1

    # 3. The other ten at once: one PIN, progress, a result per document.
    page.reload()
    expect(page.locator("tbody tr")).to_have_count(10)
    page.get_by_label("Chọn tất cả").check()
    page.get_by_role("button", name="Ký số các văn bản đã chọn").click()
    expect(page.locator("#batch-summary")).to_contain_text(
        "Đã ký 10/10 văn bản", timeout=SLOW
    )
    expect(page.locator("td.result[data-state='signed']")).to_have_count(10)
    expect(page.locator("#batch-progress")).to_have_attribute("value", "10")
    assert len(agent.prompts) == 2 and len(agent.prompts[1].documents) == 10

    page.reload()
    expect(page.get_by_text("Không có văn bản nào chờ bạn ký.")).to_be_visible()
    with live_server.context():
        docs = db.session.scalars(
            db.select(OutgoingDocument).where(OutgoingDocument.id.in_(ids))
        ).all()
        assert {d.status for d in docs} == {OutgoingStatus.SIGNED}
        for doc in docs[:2]:
            with open_file(doc.signed_file) as stream:
                signed = stream.read()
            report = validate_pdf(signed, trust_roots=[pki.root_path])
            assert [(s.field_name, s.indication) for s in report.signatures] == [
                ("ky_duyet", "TOTAL-PASSED")
            ]
