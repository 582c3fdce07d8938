"""Sign-in, lock-out and password changes. The only place in auth that commits."""

from __future__ import annotations

import logging
from datetime import timedelta
from enum import Enum

from flask import current_app
from sqlalchemy import func, select

from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import User
from .passwords import hash_password, needs_rehash, verify_password

logger = logging.getLogger(__name__)


class LoginOutcome(Enum):
    OK = "ok"
    FAILED = (
        "failed"  # wrong name, wrong password, locked or disabled: one message for all
    )


def find_user(username: str) -> User | None:
    name = (username or "").strip().lower()
    return db.session.scalar(select(User).where(func.lower(User.username) == name))


def authenticate(
    username: str, password: str, ip: str | None = None
) -> tuple[LoginOutcome, User | None]:
    """Check credentials; count failures and lock the account after too many.

    The caller shows the same message for every failure so that the response never
    reveals whether an account exists or is locked.
    """
    user = find_user(username)
    now = utcnow()
    password_ok = verify_password(user.password_hash if user else None, password)
    if user is None:
        return LoginOutcome.FAILED, None
    if user.locked_until and user.locked_until > now:
        record("auth.login_refused_locked", actor=user, obj=user, ip=ip)
        db.session.commit()
        return LoginOutcome.FAILED, None
    if not password_ok or not user.active:
        user.failed_logins += 1
        limit = current_app.config["LOGIN_MAX_FAILURES"]
        if user.failed_logins >= limit:
            user.locked_until = now + timedelta(
                minutes=current_app.config["LOGIN_LOCK_MINUTES"]
            )
            user.failed_logins = 0
            record("auth.locked", actor=user, obj=user, ip=ip)
            logger.warning("account %s locked after %d failures", user.id, limit)
        else:
            record("auth.login_failed", actor=user, obj=user, ip=ip)
        db.session.commit()
        return LoginOutcome.FAILED, None
    user.failed_logins = 0
    user.locked_until = None
    user.last_login_at = now
    if needs_rehash(user.password_hash):
        user.password_hash = hash_password(password)
    record("auth.login", actor=user, obj=user, ip=ip)
    db.session.commit()
    return LoginOutcome.OK, user


def change_password(user: User, new_password: str, ip: str | None = None) -> None:
    user.password_hash = hash_password(new_password)
    user.session_version += 1
    record("auth.password_changed", actor=user, obj=user, ip=ip)
    db.session.commit()
