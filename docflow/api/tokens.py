"""Creating, checking and revoking API tokens. The only module of the API that commits tokens.

A token is ``dft_`` + 32 random bytes (URL-safe base64). The database keeps only its
SHA-256, so a stolen backup does not give access; the token is shown once, at creation.
"""

from __future__ import annotations

import hashlib
import logging
import secrets
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import select

from ..audit.services import record
from ..auth.models import User
from ..extensions import db
from ..timeutil import VN_TZ, utcnow
from .models import ApiToken

logger = logging.getLogger(__name__)

PREFIX = "dft_"
#: last_used_at is written at most this often per token.
USE_RESOLUTION = timedelta(minutes=1)


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def end_of_day_utc(day: date) -> datetime:
    """Midnight after ``day`` in Vietnam time, as naive UTC: a token "valid until 31/12" works all that day."""
    local = datetime.combine(day + timedelta(days=1), time(0), tzinfo=VN_TZ)
    return local.astimezone(UTC).replace(tzinfo=None)


def create_token(
    user: User, name: str, expires_at: datetime | None = None, ip: str | None = None
) -> tuple[ApiToken, str]:
    """Create a token for ``user``; return the record and the token (shown once, never stored)."""
    token = PREFIX + secrets.token_urlsafe(32)
    row = ApiToken(
        user_id=user.id,
        name=name.strip()[:100],
        token_hash=hash_token(token),
        expires_at=expires_at,
    )
    db.session.add(row)
    db.session.flush()
    record(
        "api.token_create",
        actor=user,
        obj=row,
        ip=ip,
        name=row.name,
        expires_at=expires_at.isoformat() if expires_at else None,
    )
    db.session.commit()
    logger.info("api token %s created for user %s", row.id, user.id)
    return row, token


def revoke_token(actor: User, row: ApiToken, ip: str | None = None) -> None:
    if row.revoked:
        return
    row.revoked = True
    record("api.token_revoke", actor=actor, obj=row, ip=ip)
    db.session.commit()
    logger.info("api token %s revoked by user %s", row.id, actor.id)


def tokens_of(user: User) -> list[ApiToken]:
    return list(
        db.session.scalars(
            select(ApiToken)
            .where(ApiToken.user_id == user.id)
            .order_by(ApiToken.revoked, ApiToken.created_at.desc(), ApiToken.id.desc())
        )
    )


def authenticate(token: str) -> ApiToken | None:
    """The usable token matching ``token`` (not revoked, not expired, active user), or None."""
    if not token.startswith(PREFIX) or len(token) > 200:
        return None
    row = db.session.scalar(
        select(ApiToken).where(ApiToken.token_hash == hash_token(token))
    )
    now = utcnow()
    if row is None or not row.is_usable(now) or not row.user.active:
        return None
    if row.last_used_at is None or now - row.last_used_at >= USE_RESOLUTION:
        row.last_used_at = now
        db.session.commit()
    return row
