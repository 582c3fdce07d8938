"""API tokens: the tokens page, the CLI, and what authenticates an API call (only a live token)."""

from __future__ import annotations

import hashlib
import re
from datetime import timedelta

from docflow.api.models import ApiToken
from docflow.extensions import db
from docflow.timeutil import utcnow
from tests.helpers import csrf_token, login, post_form

TOKEN_RE = re.compile(r'id="new-token">(dft_[A-Za-z0-9_-]+)<')


def _assert_401(response) -> None:
    assert response.status_code == 401
    assert response.is_json and response.get_json()["error"] == "unauthorized"
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


def test_token_page_create_use_revoke(world) -> None:
    web = world.app.test_client()
    assert login(web, "bystander").status_code == 302
    page = web.get("/account/tokens/")
    assert page.status_code == 200 and "token bystander" in page.get_data(as_text=True)

    response = post_form(web, "/account/tokens/", {"name": "Phần mềm một cửa"})
    assert (
        response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    )
    token = TOKEN_RE.search(response.get_data(as_text=True)).group(1)
    row = db.session.scalar(
        db.select(ApiToken).where(ApiToken.name == "Phần mềm một cửa")
    )
    # Only the hash is kept, and the token is not shown again.
    assert (
        row.token_hash == hashlib.sha256(token.encode()).hexdigest()
        and row.expires_at is None
    )
    assert token not in web.get("/account/tokens/").get_data(as_text=True)

    api = world.api("bystander")
    api.token = token
    me = api.get("/api/v1/me")
    assert me.status_code == 200 and me.get_json()["username"] == "bystander"
    db.session.refresh(row)
    assert row.last_used_at is not None

    response = web.post(
        f"/account/tokens/{row.id}/revoke",
        data={"csrf_token": csrf_token(web, "/account/tokens/")},
    )
    assert response.status_code == 302
    db.session.refresh(row)
    assert row.revoked
    _assert_401(api.get("/api/v1/me"))
    from docflow.audit.models import AuditEntry

    actions = db.session.scalars(
        db.select(AuditEntry.action).where(
            AuditEntry.object_type == "api_token", AuditEntry.object_id == str(row.id)
        )
    ).all()
    assert actions == ["api.token_create", "api.token_revoke"]


def test_revoke_needs_csrf_and_ownership(world) -> None:
    web = world.app.test_client()
    login(web, "bystander")
    mine = db.session.scalar(
        db.select(ApiToken).where(ApiToken.user_id == world.users["bystander"].id)
    )
    theirs = db.session.scalar(
        db.select(ApiToken).where(ApiToken.user_id == world.users["clerk"].id)
    )
    assert (
        web.post(f"/account/tokens/{mine.id}/revoke").status_code == 400
    )  # no CSRF token
    token = csrf_token(web, "/account/tokens/")
    assert (
        web.post(
            f"/account/tokens/{theirs.id}/revoke", data={"csrf_token": token}
        ).status_code
        == 404
    )
    db.session.refresh(theirs)
    assert not theirs.revoked
    assert world.api("clerk").get("/api/v1/me").status_code == 200


def test_expiry_date_on_the_page(world) -> None:
    web = world.app.test_client()
    login(web, "bystander")
    past = (utcnow() - timedelta(days=3)).date().isoformat()
    response = post_form(web, "/account/tokens/", {"name": "cũ", "expires_on": past})
    assert (
        response.status_code == 400
        and "Ngày không được ở quá khứ." in response.get_data(as_text=True)
    )
    future = (utcnow() + timedelta(days=30)).date().isoformat()
    response = post_form(web, "/account/tokens/", {"name": "mới", "expires_on": future})
    assert response.status_code == 200
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "mới"))
    assert row.expires_at > utcnow() + timedelta(days=29)
    shown = (utcnow() + timedelta(days=30)).date().strftime("%d/%m/%Y")
    assert shown in web.get("/account/tokens/").get_data(as_text=True)


def test_session_cookie_alone_does_not_authenticate(world) -> None:
    web = world.app.test_client()
    assert login(web, "clerk").status_code == 302
    assert (
        web.get("/incoming/").status_code == 200
    )  # the session works for the web pages
    _assert_401(web.get("/api/v1/incoming"))
    _assert_401(web.get("/api/v1/me"))
    # No CSRF token either: the API answers 401 (token auth only), never a CSRF page.
    _assert_401(web.post("/api/v1/incoming", data={"subject": "x"}))


def test_expired_revoked_and_bad_tokens(world) -> None:
    from docflow.api.tokens import create_token

    user = world.users["clerk"]
    _row, expired = create_token(
        user, "hết hạn", expires_at=utcnow() - timedelta(seconds=1)
    )
    _row, valid = create_token(
        user, "còn hạn", expires_at=utcnow() + timedelta(hours=1)
    )
    api = world.api("clerk")
    for token in (expired, "dft_not-a-token", world.tokens["clerk"] + "x", ""):
        api.token = token
        _assert_401(api.get("/api/v1/me"))
    api.token = valid
    response = api.get("/api/v1/me")
    assert response.status_code == 200
    assert "Set-Cookie" not in response.headers  # the API never starts a session
    # Other schemes than Bearer are not tokens.
    _assert_401(
        api.client.get(
            "/api/v1/me", headers={"Authorization": f"Basic {world.tokens['clerk']}"}
        )
    )


def test_deactivated_user_token_stops_working(world) -> None:
    api = world.api("specialist")
    assert api.get("/api/v1/me").status_code == 200
    world.users["specialist"].active = False
    db.session.commit()
    _assert_401(api.get("/api/v1/me"))


def test_cli_creates_a_token(world) -> None:
    result = world.app.test_cli_runner().invoke(
        args=[
            "api",
            "create-token",
            "Leader",
            "--name",
            "Báo cáo",
            "--expires-days",
            "7",
        ]
    )
    assert result.exit_code == 0, result.output
    token = result.stdout.strip().splitlines()[0]
    assert token.startswith("dft_")
    api = world.api("leader")
    api.token = token
    assert api.get("/api/v1/me").get_json()["role"] == "leader"
    row = db.session.scalar(db.select(ApiToken).where(ApiToken.name == "Báo cáo"))
    assert timedelta(days=7) < row.expires_at - utcnow() <= timedelta(days=8)

    result = world.app.test_cli_runner().invoke(
        args=["api", "create-token", "nobody", "--name", "x"]
    )
    assert result.exit_code == 1 and "No active user" in result.output


def test_rate_limit_per_token(world) -> None:
    world.app.config["API_RATE_LIMIT"] = "3 per minute"
    clerk, leader = world.api("clerk"), world.api("leader")
    assert [clerk.get("/api/v1/me").status_code for _ in range(3)] == [200, 200, 200]
    limited = clerk.get("/api/v1/me")
    assert limited.status_code == 429 and limited.get_json()["error"] == "rate_limited"
    assert (
        leader.get("/api/v1/me").status_code == 200
    )  # counted per token, not per address
