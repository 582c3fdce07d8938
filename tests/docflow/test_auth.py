from __future__ import annotations

from datetime import timedelta

from docflow.auth.models import Role, User
from docflow.extensions import db
from docflow.timeutil import utcnow
from tests.helpers import PASSWORD, csrf_token, login, post_form

FAILED_VI = "Đăng nhập không thành công"


def test_login_page_is_vietnamese_by_default(client) -> None:
    html = client.get("/login").get_data(as_text=True)
    assert "Đăng nhập" in html and "Tên đăng nhập" in html and "Mật khẩu" in html


def test_good_login_lands_on_home(client, create_agency, create_user) -> None:
    user = create_user(
        create_agency(), "chuyenvien", Role.SPECIALIST, full_name="Đỗ Minh Tuấn"
    )
    response = login(client, "ChuyenVien")  # user names are case-insensitive
    assert response.status_code == 302 and response.headers["Location"] == "/"
    html = client.get("/").get_data(as_text=True)
    assert "Xin chào, Đỗ Minh Tuấn" in html
    assert db.session.get(User, user.id).last_login_at is not None


def test_password_hash_is_argon2(app, create_agency, create_user) -> None:
    user = create_user(create_agency(), "u1")
    assert user.password_hash.startswith("$argon2id$")


def test_bad_password_and_unknown_user_get_the_same_answer(
    client, create_agency, create_user
) -> None:
    create_user(create_agency(), "vanthu")
    wrong = login(client, "vanthu", "Wrong-password-1")
    unknown = login(client, "nobody", "Wrong-password-1")
    assert wrong.status_code == unknown.status_code == 200
    assert FAILED_VI in wrong.get_data(as_text=True)
    assert FAILED_VI in unknown.get_data(as_text=True)
    assert client.get("/").status_code == 302  # still signed out


def test_account_locks_after_repeated_failures_without_revealing_it(
    client, app, create_agency, create_user
) -> None:
    user = create_user(create_agency(), "lanhdao", Role.LEADER)
    for _ in range(app.config["LOGIN_MAX_FAILURES"]):
        login(client, "lanhdao", "Wrong-password-1")
    locked = login(client, "lanhdao")  # now even the right password is refused
    assert FAILED_VI in locked.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).locked_until > utcnow()
    # Once the lock expires the right password works again.
    db.session.get(User, user.id).locked_until = utcnow() - timedelta(seconds=1)
    db.session.commit()
    assert login(client, "lanhdao").status_code == 302


def test_login_is_rate_limited_with_a_clear_message(make_app, create_agency) -> None:
    app = make_app(LOGIN_RATE_LIMIT="3 per minute")
    client = app.test_client()
    codes = [login(client, "nobody", "Wrong-password-1").status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    response = login(client, "nobody", "Wrong-password-1")
    assert "Quá nhiều lần thử" in response.get_data(as_text=True)


def test_form_without_csrf_token_is_rejected(
    client, create_agency, create_user
) -> None:
    create_user(create_agency(), "u2")
    response = client.post("/login", data={"username": "u2", "password": PASSWORD})
    assert response.status_code == 400
    assert "Biểu mẫu đã hết hạn" in response.get_data(as_text=True)
    assert client.get("/").status_code == 302


def test_logout_needs_post_with_csrf(client, create_agency, create_user) -> None:
    create_user(create_agency(), "u3")
    login(client, "u3")
    assert client.get("/logout").status_code == 405
    assert client.post("/logout").status_code == 400  # no token
    token = csrf_token(client, "/")
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_password_change_ends_other_sessions(app, create_agency, create_user) -> None:
    create_user(create_agency(), "u4")
    first, second = app.test_client(), app.test_client()
    login(first, "u4")
    login(second, "u4")
    weak = post_form(
        first,
        "/account/password",
        {"current_password": PASSWORD, "new_password": "short", "confirm": "short"},
    )
    assert "ít nhất 10 ký tự" in weak.get_data(as_text=True)
    response = post_form(
        first,
        "/account/password",
        {
            "current_password": PASSWORD,
            "new_password": "New-Passw0rd!x",
            "confirm": "New-Passw0rd!x",
        },
    )
    assert response.status_code == 302
    assert first.get("/").status_code == 200  # this session continues
    assert second.get("/").status_code == 302  # the other one ended
    assert login(app.test_client(), "u4", "New-Passw0rd!x").status_code == 302


def test_open_redirect_after_login_is_refused(
    client, create_agency, create_user
) -> None:
    create_user(create_agency(), "u5")
    token = csrf_token(client, "/login")
    response = client.post(
        "/login?next=//evil.example/x",
        data={"username": "u5", "password": PASSWORD, "csrf_token": token},
    )
    assert response.headers["Location"] == "/"


def test_session_cookie_is_secure_by_default(make_app, create_agency) -> None:
    app = make_app(SESSION_COOKIE_SECURE=True)
    client = app.test_client()
    response = client.get("/login")
    cookie = response.headers.get("Set-Cookie", "")
    assert (
        "docflow_session=" in cookie
        and "Secure" in cookie
        and "HttpOnly" in cookie
        and "SameSite=Lax" in cookie
    )


def test_english_is_available(client) -> None:
    token = csrf_token(client, "/login")
    client.post("/lang/en", data={"csrf_token": token, "next": "/login"})
    html = client.get("/login").get_data(as_text=True)
    assert "Sign in" in html and "User name" in html
