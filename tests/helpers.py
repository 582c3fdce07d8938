"""Helpers for tests that drive pages like a browser (forms carry their CSRF token)."""

from __future__ import annotations

import re
from typing import Any

PASSWORD = "Test@Passw0rd!"

CSRF_RE = re.compile(
    r'name="csrf_token" type="hidden" value="([^"]+)"|name="csrf_token" value="([^"]+)"'
)


def csrf_token(client: Any, path: str) -> str:
    """The CSRF token of the form on ``path`` (tests submit forms like a browser)."""
    html = client.get(path).get_data(as_text=True)
    match = CSRF_RE.search(html)
    assert match, f"no CSRF token on {path}"
    return match.group(1) or match.group(2)


def login(client: Any, username: str, password: str = PASSWORD) -> Any:
    token = csrf_token(client, "/login")
    return client.post(
        "/login", data={"username": username, "password": password, "csrf_token": token}
    )


def post_form(client: Any, path: str, data: dict[str, Any]) -> Any:
    data = dict(data, csrf_token=csrf_token(client, path))
    return client.post(path, data=data)
