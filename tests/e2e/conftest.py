"""Browser tests: the real app on 127.0.0.1, driven in headless Chromium by Playwright.

Fixtures:

``live_server`` -> ``support.LiveServer``
    A fresh app per test (its own copy of a demo database, storage folder and index),
    served by werkzeug on a free port in a thread; CSRF on, plain-HTTP session cookie.
    ``.url``; ``.users`` {demo user name: id}; ``.context()`` an app context in the
    test's thread for factories and checks; ``.user(name)`` the User row.
``new_page(username=None, **context_options)`` -> Page
    A page in a fresh browser context (empty cookie jar, Vietnamese locale, Hồ Chí Minh
    time zone, 10 s timeouts) on the live server, signed in when ``username`` is given.
``page`` -> ``new_page()``, not signed in.

One Chromium (Debian's /usr/bin/chromium, its own temporary profile) for the browser
tests of a session, stopped before the other tests run (see ``SharedBrowser``).
When a test fails, each of its pages is saved as a PNG under the test's tmp dir and
the paths are printed. Without Chromium or Playwright the tests fail when
DOCFLOW_TEST_REQUIRE_SERVERS=1 (scripts/test.sh, hence CI) and are skipped otherwise.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import REQUIRE_SERVERS, base_config
from tests.e2e import support

CHROMIUM = os.environ.get("DOCFLOW_TEST_CHROMIUM", "/usr/bin/chromium")
TIMEOUT_MS = 10_000


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "e2e: drives the real app in headless Chromium (Playwright)"
    )


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(
    item: pytest.Item, call: pytest.CallInfo[None]
) -> Iterator[Any]:
    # Keep each phase's report on the item so that fixtures know, at teardown, whether
    # the test failed (pytest's documented recipe).
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


def _unavailable(reason: str) -> None:
    if REQUIRE_SERVERS:
        pytest.fail(
            f"{reason} (DOCFLOW_TEST_REQUIRE_SERVERS=1: browser tests must run)"
        )
    pytest.skip(reason)


# ---------------------------------------------------------------- browser
class SharedBrowser:
    """One headless Chromium for the e2e tests, started when the first one needs it.

    Playwright's sync API leaves its asyncio loop marked as running in the main thread,
    which makes ``asyncio.run`` fail in any later test of the session (pyHanko uses it).
    So the browser is stopped as soon as the next test is not a browser test (see
    ``pytest_runtest_teardown``), not at the end of the session.
    """

    def __init__(self) -> None:
        self.playwright: Any = None
        self.browser: Any = None
        self.problem: str | None = None

    def get(self) -> Any:
        if self.problem is None and self.browser is None:
            self.problem = self._start()
        if self.problem is not None:
            _unavailable(self.problem)
        return self.browser

    def _start(self) -> str | None:
        try:
            from playwright.sync_api import expect, sync_playwright
        except ImportError:
            return (
                "Python package playwright is not installed (pip install -e '.[test]')"
            )
        if not os.access(CHROMIUM, os.X_OK):
            return f"{CHROMIUM} not found (Debian package chromium)"
        expect.set_options(timeout=TIMEOUT_MS)
        self.playwright = sync_playwright().start()
        try:
            # Playwright's own browser download fails on closed networks: Debian's.
            self.browser = self.playwright.chromium.launch(
                executable_path=CHROMIUM, args=support.CHROMIUM_ARGS
            )
        except Exception as exc:  # any launch failure is reported, never hidden
            self.stop()
            return f"Chromium at {CHROMIUM} did not start: {exc}"
        return None

    def stop(self) -> None:
        if self.browser is not None:
            self.browser.close()
        if self.playwright is not None:
            self.playwright.stop()
        self.browser = self.playwright = None


SHARED = SharedBrowser()
HERE = Path(__file__).resolve().parent


@pytest.hookimpl(wrapper=True)
def pytest_runtest_teardown(item: pytest.Item, nextitem: pytest.Item | None) -> Any:
    result = yield  # the test's fixtures (pages, contexts, server) are gone now
    if nextitem is None or HERE not in nextitem.path.resolve().parents:
        SHARED.stop()
    return result


def pytest_sessionfinish() -> None:
    SHARED.stop()  # interrupted runs


@pytest.fixture
def browser() -> Any:
    """The shared headless Chromium; every test opens its own contexts in it."""
    return SHARED.get()


# ---------------------------------------------------------------- app
@pytest.fixture(scope="session")
def demo_database(
    tmp_path_factory: pytest.TempPathFactory,
) -> tuple[Path, dict[str, int]]:
    """A SQLite database with the migrations and the demo province, built once.

    Hashing the demo passwords (argon2) takes seconds: each test copies the file.
    """
    from sqlalchemy import select

    from docflow import create_app
    from docflow.auth import passwords
    from docflow.auth.models import User
    from docflow.cli import upgrade_database
    from docflow.demo import DEMO_PASSWORD, create_demo_data
    from docflow.extensions import db

    folder = tmp_path_factory.mktemp("e2e-demo-db")
    app = create_app(base_config(folder), instance_path=str(folder / "instance"))
    # Every demo user has the same password: hash it once (argon2 is slow on purpose).
    one_hash = passwords.hash_password(DEMO_PASSWORD)
    with app.app_context(), pytest.MonkeyPatch.context() as mp:
        mp.setattr(passwords, "hash_password", lambda _password: one_hash)
        upgrade_database()
        create_demo_data(documents=False)  # each test writes its own documents
        users = {u.username: u.id for u in db.session.scalars(select(User))}
        db.session.remove()
        db.engine.dispose()
    return folder / "docflow.db", users


@pytest.fixture
def live_server(
    tmp_path: Path, demo_database: tuple[Path, dict[str, int]]
) -> Iterator[support.LiveServer]:
    from docflow import create_app

    template, users = demo_database
    support.copy_database(template, tmp_path / "docflow.db")
    config = base_config(
        tmp_path,
        WTF_CSRF_ENABLED=True,  # the browser submits real forms with their tokens
        SESSION_COOKIE_SECURE=False,  # plain HTTP on loopback
        LOGIN_RATE_LIMIT="1000 per minute",  # every test signs in from 127.0.0.1
        REVOCATION_FETCHING=False,  # closed network
    )
    app = create_app(config, instance_path=str(tmp_path / "instance"))
    server = support.start_server(app)
    server.users = users
    yield server
    server.stop()


# ---------------------------------------------------------------- pages
@pytest.fixture
def new_page(
    request: pytest.FixtureRequest,
    browser: Any,
    live_server: support.LiveServer,
    tmp_path: Path,
) -> Iterator[Callable[..., Any]]:
    contexts: list[Any] = []
    problems: list[str] = []  # script errors and CSP refusals seen in any page

    def on_console(message: Any) -> None:
        page_url = message.page.url if message.page else "?"
        # A page answered with an error status (409 for a refused form) is a page the
        # test reads; a failed subresource (script, style, frame) is a broken page.
        if message.type == "error" and message.location.get("url") != page_url:
            problems.append(
                f"console error on {page_url}: {message.text}"
                f" ({message.location.get('url')})"
            )
        elif message.type == "error" and not message.text.startswith(
            "Failed to load resource"
        ):
            problems.append(f"console error on {page_url}: {message.text}")

    def factory(username: str | None = None, **options: Any) -> Any:
        options = {"locale": "vi-VN", "timezone_id": "Asia/Ho_Chi_Minh", **options}
        context = browser.new_context(base_url=live_server.url, **options)
        context.set_default_timeout(TIMEOUT_MS)
        context.set_default_navigation_timeout(TIMEOUT_MS)
        context.on("console", on_console)
        context.on(
            "weberror",
            lambda error: problems.append(f"uncaught script error: {error.error}"),
        )
        contexts.append(context)
        page = context.new_page()
        if username is not None:
            support.sign_in(page, username)
        return page

    yield factory
    report = getattr(request.node, "rep_call", None)
    failed = report is not None and report.failed
    for i, context in enumerate(contexts):
        if failed:
            for j, page in enumerate(context.pages):
                path = tmp_path / f"failure-{i}-{j}.png"
                try:
                    page.screenshot(path=str(path), full_page=True)
                    print(f"screenshot of {page.url}: {path}")
                except (
                    Exception
                ) as exc:  # a crashed page must not hide the real failure
                    print(f"no screenshot of {page.url}: {exc}")
        context.close()
    if problems and not failed:
        pytest.fail("the pages reported errors:\n" + "\n".join(problems))


@pytest.fixture
def page(new_page: Callable[..., Any]) -> Any:
    return new_page()


@pytest.fixture
def snap(tmp_path: Path) -> Callable[[Any, str], None]:
    """Full-page screenshots for review, when DOCFLOW_E2E_SCREENSHOTS names a folder."""
    folder = os.environ.get("DOCFLOW_E2E_SCREENSHOTS")

    def take(page: Any, name: str) -> None:
        if folder:
            Path(folder).mkdir(parents=True, exist_ok=True)
            page.screenshot(path=str(Path(folder) / f"{name}.png"), full_page=True)

    return take
