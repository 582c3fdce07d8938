"""An outgoing document through the pages in headless Chromium: draft → review → the
leader signs (server-held key on the session's SoftHSM token) → the records officer
numbers, seals (agency key on the "HSM") and issues → the receiving agency on this
instance finds it in its "waiting to be registered" queue."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import base_config
from tests.e2e import support
from tests.e2e.support import LEADER, OFFICER, SPECIALIST, expect

pytestmark = pytest.mark.e2e
SLOW = 60_000  # ms: signing, sealing and validating on a busy 2-core machine
PIN_ENV = "DOCFLOW_E2E_TOKEN_PIN"
HEAD, RECEIVER = (
    "truongphong",
    "a1.vanthu",
)  # demo department head; records officer of Sở Nội vụ


@pytest.fixture
def live_server(
    tmp_path: Path, demo_database, pki, softhsm_token, monkeypatch
) -> Iterator[support.LiveServer]:
    """The e2e live server with the test PKI (trust root, chain, TSA) and keys on the token."""
    from docflow import create_app
    from docflow.agencies.models import Agency
    from docflow.extensions import db
    from docflow.outgoing.models import SigningCredential

    monkeypatch.setenv(PIN_ENV, softhsm_token.pin)
    template, users = demo_database
    support.copy_database(template, tmp_path / "docflow.db")
    config = base_config(
        tmp_path,
        WTF_CSRF_ENABLED=True,
        SESSION_COOKIE_SECURE=False,
        LOGIN_RATE_LIMIT="1000 per minute",
        TRUST_ROOTS=[str(pki.root_path)],
        SIGNING_CHAIN=[str(pki.cert_path("interm"))],
        SIGNING_TSA_URL=pki.tsa_url,
    )
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    with app.app_context():
        province = db.session.scalar(
            db.select(Agency).where(Agency.code == "000.00.00.H56")
        )
        for user_id, purpose, label in (
            (users[LEADER], "approval", "leader-rsa"),
            (None, "seal", "seal"),
        ):
            db.session.add(
                SigningCredential(
                    agency_id=province.id,
                    user_id=user_id,
                    purpose=purpose,
                    kind="pkcs11",
                    module_path=softhsm_token.module,
                    token_label=softhsm_token.token_label,
                    key_label=label,
                    secret_env=PIN_ENV,
                )
            )
        db.session.commit()
    server = support.start_server(app)
    server.users = users
    yield server
    server.stop()


def _draft_pdf(tmp_path: Path) -> Path:
    from tests.signing.pki_support import make_sample_pdf

    path = tmp_path / "Dự thảo quyết định.pdf"
    path.write_bytes(make_sample_pdf())
    return path


def test_draft_review_sign_issue_and_deliver(new_page, live_server, tmp_path) -> None:
    users = live_server.users
    # 1. The specialist drafts it.
    page = new_page(SPECIALIST)
    page.goto("/outgoing/new")
    page.get_by_label("Loại văn bản").select_option("Quyết định")
    page.get_by_label("Trích yếu").fill(
        "Về việc ban hành quy chế làm việc của Ủy ban nhân dân tỉnh"
    )
    page.get_by_label("Cơ quan nhận").select_option(
        label="Sở Nội vụ tỉnh Thanh Hóa (000.00.01.H56)"
    )
    page.get_by_label("Nơi nhận khác (mỗi dòng một nơi)").fill("Lưu: VT, KT")
    page.locator("input[name=file]").set_input_files(str(_draft_pdf(tmp_path)))
    page.get_by_role("button", name="Lưu dự thảo").click()
    expect(page.locator(".flash.success")).to_contain_text("Đã lưu dự thảo.")
    doc_url = page.url
    page.get_by_label("Người cho ý kiến, theo thứ tự").select_option(str(users[HEAD]))
    page.get_by_label("Người ký").select_option(str(users[LEADER]))
    page.get_by_role("button", name="Trình duyệt").click()
    expect(page.locator("[data-status]").first).to_have_attribute(
        "data-status", "in_review"
    )

    # 2. The department head, then the leader approve.
    for username in (HEAD, LEADER):
        reviewer = new_page(username)
        reviewer.goto(doc_url)
        reviewer.get_by_label("Quyết định").select_option("approve")
        reviewer.get_by_role("button", name="Lưu ý kiến").click()
        expect(reviewer.locator(".flash.success")).to_contain_text("Đã lưu quyết định.")

    # 3. The leader signs with the key the server holds for them.
    leader = new_page(LEADER)
    leader.goto(doc_url)
    leader.get_by_role("button", name="Ký số").click()
    expect(leader.locator(".flash.success")).to_contain_text("Đã ký số.", timeout=SLOW)
    expect(leader.locator("[data-status]").first).to_have_attribute(
        "data-status", "signed"
    )

    # 4. The records officer numbers, seals and issues it.
    officer = new_page(OFFICER)
    officer.goto(doc_url)
    officer.get_by_role("button", name="Cấp số, ký số cơ quan và phát hành").click()
    expect(officer.locator(".flash.success")).to_contain_text(
        "Đã phát hành.", timeout=SLOW
    )
    expect(officer.locator("h1")).to_contain_text("01/QĐ-UBND")
    signatures = officer.locator("li.sig[data-indication]")
    expect(signatures).to_have_count(2)
    for i in range(2):
        expect(signatures.nth(i)).to_have_attribute("data-indication", "TOTAL-PASSED")
    expect(officer.locator("[data-delivery]", has_text="Sở Nội vụ")).to_have_attribute(
        "data-delivery", "delivered"
    )
    expect(
        officer.locator("[data-delivery]", has_text="Lưu: VT, KT")
    ).to_have_attribute("data-delivery", "not_electronic")
    issued = officer.request.get(doc_url + "/file/issued")
    assert issued.status == 200 and issued.headers["content-type"] == "application/pdf"

    # 5. Sở Nội vụ finds it waiting to be registered.
    receiver = new_page(RECEIVER)
    receiver.goto("/incoming/?tab=pending")
    row = receiver.locator("tbody tr", has_text="01/QĐ-UBND")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("Ủy ban nhân dân tỉnh Thanh Hóa")
