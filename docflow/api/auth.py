"""Bearer-token authentication for the API. A session cookie never authenticates an API call."""

from __future__ import annotations

import hashlib

from flask import g, request
from flask_limiter.util import get_remote_address

from ..auth.models import User
from .errors import ApiError
from .tokens import authenticate


def bearer_token() -> str | None:
    header = request.headers.get("Authorization", "")
    scheme, _sep, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    return token.strip()


def load_api_user() -> None:
    """before_request of the API blueprint: ``g.api_user`` or 401."""
    token = bearer_token()
    row = authenticate(token) if token else None
    if row is None:
        raise ApiError(401)
    g.api_token, g.api_user = row, row.user


def api_user() -> User:
    return g.api_user


def rate_limit_key() -> str:
    """Calls are counted per token (by its hash, so no database read); without one, per address."""
    token = bearer_token()
    if token:
        return "api-token:" + hashlib.sha256(token.encode("utf-8")).hexdigest()
    return "api-ip:" + (get_remote_address() or "")
