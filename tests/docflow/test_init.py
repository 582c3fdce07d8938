from __future__ import annotations

from docflow.agencies.models import Agency
from docflow.audit.models import AuditEntry
from docflow.auth.models import User
from docflow.extensions import db
from tests.helpers import login


def test_init_creates_the_first_administrator_once(app, monkeypatch) -> None:
    monkeypatch.setenv("FIRST_ADMIN_PASSWORD", "Qu4n-tri-vien!")
    runner = app.test_cli_runner()
    args = [
        "init",
        "--admin-password-env",
        "FIRST_ADMIN_PASSWORD",
        "--agency-code",
        "000.00.00.h56",
        "--agency-name",
        "Ủy ban nhân dân tỉnh Thanh Hóa",
        "--agency-short-name",
        "UBND",
    ]
    result = runner.invoke(args=args)
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(db.select(User).where(User.username == "admin"))
    assert admin.is_superadmin and admin.agency.code == "000.00.00.H56"
    assert (
        db.session.scalar(
            db.select(AuditEntry).where(AuditEntry.action == "system.init")
        )
        is not None
    )
    assert login(app.test_client(), "admin", "Qu4n-tri-vien!").status_code == 302
    again = runner.invoke(args=args)
    assert again.exit_code == 0 and "already exists" in again.output
    assert db.session.scalar(db.select(db.func.count(User.id))) == 1


def test_init_refuses_a_bad_code_and_a_weak_password(app, monkeypatch) -> None:
    runner = app.test_cli_runner()
    monkeypatch.setenv("PW", "Qu4n-tri-vien!")
    bad_code = runner.invoke(
        args=[
            "init",
            "--admin-password-env",
            "PW",
            "--agency-code",
            "H56",
            "--agency-name",
            "X",
            "--agency-short-name",
            "X",
        ]
    )
    assert bad_code.exit_code != 0 and "Invalid agency code" in bad_code.output
    monkeypatch.setenv("PW", "short")
    weak = runner.invoke(
        args=[
            "init",
            "--admin-password-env",
            "PW",
            "--agency-code",
            "000.00.00.H56",
            "--agency-name",
            "X",
            "--agency-short-name",
            "X",
        ]
    )
    assert weak.exit_code != 0 and "at least 10 characters" in weak.output
    assert db.session.scalar(db.select(db.func.count(Agency.id))) == 0
