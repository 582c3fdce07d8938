"""Shared fixtures for the docflow app: a fresh app per test on its own SQLite file,
storage folder and index (flaskr style), factories, and the external servers the test
script starts (PostgreSQL, Redis), found through environment variables.

When DOCFLOW_TEST_REQUIRE_SERVERS=1 (set by scripts/test.sh, hence CI) a missing server
is an error, never a silent skip.
"""

from __future__ import annotations

import contextvars
import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

# The signing fixtures (test PKI, SoftHSM token, PKCS#12, pdfsig) serve every package's tests.
pytest_plugins = ["tests.signing_fixtures"]

REQUIRE_SERVERS = os.environ.get("DOCFLOW_TEST_REQUIRE_SERVERS") == "1"
from tests.helpers import PASSWORD


def _server_url(var: str, what: str) -> str:
    url = os.environ.get(var)
    if not url:
        if REQUIRE_SERVERS:
            pytest.fail(f"{var} is not set: {what} was not started by scripts/test.sh")
        pytest.skip(f"{var} not set: run through scripts/test.sh to test on {what}")
    return url


def base_config(tmp_path: Path, **overrides: Any) -> dict[str, Any]:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-secret-key-0123456789",
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'docflow.db'}",
        "STORAGE_PATH": str(tmp_path / "storage"),
        "SEARCH_INDEX_PATH": str(tmp_path / "index"),
        # The test client speaks plain HTTP; the production default (True) is tested apart.
        "SESSION_COOKIE_SECURE": False,
    }
    config.update(overrides)
    return config


class IsolatedClient(FlaskClient):
    """A test client whose requests run in their own app context, as in production.

    Tests hold an app context for their factories and assertions; Flask would otherwise
    reuse it for every request (sharing ``g``, hence CSRF tokens, and the db session).
    The test's transaction is committed before each request so that, afterwards, the
    test reads what the request wrote.
    """

    def open(self, *args: Any, **kwargs: Any) -> Any:
        from docflow.extensions import db

        if has_app_context():
            db.session.commit()
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """SQLite by default; a fresh PostgreSQL database when DOCFLOW_TEST_DB=postgres."""
    if os.environ.get("DOCFLOW_TEST_DB") == "postgres":
        return request.getfixturevalue("postgres_url")
    return f"sqlite:///{tmp_path / 'docflow.db'}"


@pytest.fixture
def make_app(tmp_path: Path, database_url: str) -> Callable[..., Any]:
    """Factory: an app with its schema built from the migrations."""
    from docflow import create_app
    from docflow.cli import upgrade_database

    def factory(**overrides: Any) -> Any:
        overrides.setdefault("SQLALCHEMY_DATABASE_URI", database_url)
        app = create_app(
            base_config(tmp_path, **overrides), instance_path=str(tmp_path / "instance")
        )
        app.test_client_class = IsolatedClient
        with app.app_context():
            upgrade_database()
        return app

    return factory


@pytest.fixture
def app(make_app: Callable[..., Any]) -> Iterator[Any]:
    app = make_app()
    with app.app_context():
        yield app


@pytest.fixture
def client(app: Any) -> Any:
    return app.test_client()


@pytest.fixture
def postgres_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    import psycopg

    server = _server_url("DOCFLOW_TEST_POSTGRES_URL", "PostgreSQL")
    name = f"docflow_test_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    base = server.rsplit("/", 1)[0]
    yield f"{base}/{name}"
    with psycopg.connect(server, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def redis_url() -> Iterator[str]:
    """A Redis database flushed before and after the test."""
    import redis

    url = _server_url("DOCFLOW_TEST_REDIS_URL", "Redis")
    conn = redis.Redis.from_url(url)
    conn.flushdb()
    yield url
    conn.flushdb()
    conn.close()


# ---------------------------------------------------------------- factories
@pytest.fixture
def create_agency(app: Any) -> Callable[..., Any]:
    from docflow.agencies.models import Agency, AgencyLevel
    from docflow.extensions import db

    counter = iter(range(10, 99))

    def factory(
        code: str | None = None,
        name: str = "Ủy ban nhân dân tỉnh Thử nghiệm",
        short_name: str = "UBND",
        level: AgencyLevel = AgencyLevel.PROVINCE,
        **kw: Any,
    ) -> Agency:
        agency = Agency(
            code=code or f"000.00.{next(counter):02d}.H56",
            name=name,
            short_name=short_name,
            level=level,
            **kw,
        )
        db.session.add(agency)
        db.session.commit()
        return agency

    return factory


@pytest.fixture
def create_user(app: Any) -> Callable[..., Any]:
    from docflow.auth.models import Role, User
    from docflow.auth.passwords import hash_password
    from docflow.extensions import db

    def factory(
        agency: Any,
        username: str,
        role: Role = Role.SPECIALIST,
        password: str = PASSWORD,
        **kw: Any,
    ) -> User:
        user = User(
            username=username,
            full_name=kw.pop("full_name", "Nguyễn Văn Thử"),
            agency_id=agency.id,
            role=role,
            password_hash=hash_password(password),
            **kw,
        )
        db.session.add(user)
        db.session.commit()
        return user

    return factory
