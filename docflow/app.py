"""The application factory: config -> extensions -> backends -> domains."""

from __future__ import annotations

import logging
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask, render_template, request, session
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import CSRFError
from sqlalchemy import event
from sqlalchemy.engine import Engine

from search.index import SearchError
from storage.errors import StorageError, StorageUnavailable

from .extensions import babel, csrf, db, limiter, login_manager, migrate
from .settings import ConfigError, load_settings
from .timeutil import format_datetime_vn

logger = logging.getLogger(__name__)

MIGRATIONS_DIR = str(Path(__file__).parent / "migrations")


def create_app(
    test_config: dict[str, Any] | None = None, instance_path: str | None = None
) -> Flask:
    """Build the app. ``test_config`` replaces the cfg file and the environment entirely."""
    import os

    app = Flask(
        __name__,
        instance_path=instance_path or os.environ.get("DOCFLOW_INSTANCE_PATH") or None,
        instance_relative_config=True,
    )
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    settings = load_settings(app.instance_path, test_config, dict(os.environ))
    app.config.update(settings)
    app.config.update(
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_NAME="docflow_session",
        REMEMBER_COOKIE_SECURE=settings["SESSION_COOKIE_SECURE"],
        PERMANENT_SESSION_LIFETIME=timedelta(
            minutes=settings["SESSION_LIFETIME_MINUTES"]
        ),
        MAX_CONTENT_LENGTH=settings["MAX_UPLOAD_MB"] * 1024 * 1024,
        RATELIMIT_HEADERS_ENABLED=True,
        BABEL_DEFAULT_LOCALE=settings["DEFAULT_LOCALE"],
        BABEL_DEFAULT_TIMEZONE=settings["TIMEZONE"],
        BABEL_TRANSLATION_DIRECTORIES=str(Path(__file__).parent / "translations"),
        SQLALCHEMY_TRACK_MODIFICATIONS=False,
    )

    _init_extensions(app)
    _init_backends(app)
    _register_domains(app)
    _register_errors(app)
    return app


def _select_locale() -> str:
    from flask import current_app

    if request.path.startswith(
        "/api/"
    ):  # API clients choose with Accept-Language; no session
        return (
            request.accept_languages.best_match(["vi", "en"])
            or current_app.config["DEFAULT_LOCALE"]
        )
    lang = session.get("lang")
    if lang in ("vi", "en"):
        return lang
    return current_app.config["DEFAULT_LOCALE"]


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(
        app, db, directory=MIGRATIONS_DIR, render_as_batch=True, compare_type=True
    )
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "strong"
    limiter.init_app(app)
    babel.init_app(app, locale_selector=_select_locale)
    app.jinja_env.filters["vndatetime"] = format_datetime_vn

    from .auth.models import User

    @login_manager.user_loader
    def load_user(token: str) -> User | None:
        user_id, _sep, version = token.partition(":")
        if not user_id.isdigit():
            return None
        user = db.session.get(User, int(user_id))
        if user is None or str(user.session_version) != version or not user.active:
            return None
        return user


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # Foreign keys are off by default in SQLite; WAL lets readers work beside one writer.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA busy_timeout=10000")
        cur.close()


def _init_backends(app: Flask) -> None:
    """Build the swappable parts from plain config values (short names, no dotted paths)."""
    from storage import build_storage

    from .jobs import build_queue
    from .searching import build_index

    app.extensions["docflow.jobs"] = build_queue(app.config)
    c = app.config
    if c["STORAGE_BACKEND"] == "s3":
        options = {
            "endpoint": c["S3_ENDPOINT"],
            "access_key": c["S3_ACCESS_KEY"],
            "secret_key": c["S3_SECRET_KEY"],
            "bucket": c["S3_BUCKET"],
            "secure": c["S3_SECURE"],
        }
    else:
        options = {"root": c["STORAGE_PATH"]}
    try:
        app.extensions["docflow.storage"] = build_storage(
            c["STORAGE_BACKEND"], **options
        )
    except StorageError as exc:
        raise ConfigError(f"Invalid configuration:\n  - storage: {exc}") from exc
    try:
        app.extensions["docflow.search"] = build_index(c)
    except SearchError as exc:
        raise ConfigError(f"Invalid configuration:\n  - search index: {exc}") from exc


def _register_domains(app: Flask) -> None:
    from . import models  # noqa: F401 - every table in the metadata
    from .agencies.views import bp as admin_bp
    from .api import register_api
    from .auth.views import bp as auth_bp
    from .cli import register_cli
    from .documents import jobs as _incoming_jobs  # noqa: F401 - registers jobs
    from .documents.register_book import BOOK as incoming_book
    from .documents.views import bp as incoming_bp
    from .dossiers import jobs as _dossier_jobs  # noqa: F401 - registers jobs
    from .dossiers.views import bp as dossiers_bp
    from .home.views import bp as home_bp
    from .interchange import jobs as _interchange_jobs  # noqa: F401 - registers jobs
    from .interchange.admin import bp as interchange_admin_bp
    from .interchange.cli import edxml_cli, interchange_cli
    from .interchange.views import bp as interchange_bp
    from .interchange.views import ui_bp as interchange_ui_bp
    from .jobs import builtin  # noqa: F401 - registers jobs
    from .outgoing import jobs as _outgoing_jobs  # noqa: F401 - registers jobs
    from .outgoing.register_book import BOOK as outgoing_book
    from .outgoing.views import bp as outgoing_bp
    from .registers.views import register_book_blueprint
    from .reports.views import bp as reports_bp
    from .searching import jobs as _search_jobs  # noqa: F401 - registers jobs
    from .searching import listeners as _search_listeners  # noqa: F401 - session listeners
    from .searching.views import bp as search_bp
    from .signing_agent.views import bp as signing_agent_bp

    app.register_blueprint(auth_bp)
    app.register_blueprint(home_bp)
    app.register_blueprint(admin_bp)
    app.register_blueprint(incoming_bp)
    app.register_blueprint(outgoing_bp)
    app.register_blueprint(dossiers_bp)
    app.register_blueprint(search_bp)
    app.register_blueprint(
        signing_agent_bp
    )  # /sign: the leader's USB token via docflow-agent
    app.register_blueprint(
        interchange_bp
    )  # /interchange/v1: other instances post packets (HMAC, no session)
    app.register_blueprint(interchange_ui_bp)
    app.register_blueprint(interchange_admin_bp)  # /admin/interchange (superadmin)
    app.cli.add_command(interchange_cli)
    app.cli.add_command(edxml_cli)
    register_api(app)  # /api/v1 (CSRF-exempt, bearer tokens) and /account/tokens
    app.register_blueprint(register_book_blueprint(incoming_book))
    app.register_blueprint(register_book_blueprint(outgoing_book))
    app.register_blueprint(reports_bp)  # /reports: processing reports (NĐ 30 Phụ lục VI)
    register_cli(app)

    @app.context_processor
    def _globals() -> dict[str, Any]:
        from flask_babel import get_locale

        return {
            "current_locale": str(get_locale() or "vi"),
            "current_user": current_user,
        }

    @app.after_request
    def _security_headers(response):  # type: ignore[no-untyped-def]
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault(
            "Content-Security-Policy",
            "default-src 'self'; img-src 'self' data:; object-src 'none'; frame-ancestors 'none'",
        )
        return response


def _register_errors(app: Flask) -> None:
    def page(code: int, title: str, message: str):  # type: ignore[no-untyped-def]
        if request.path.startswith("/api/"):
            from .api.errors import error_response

            return error_response(code)
        if request.accept_mimetypes.best == "application/json":
            return {"error": title, "message": message}, code
        return render_template(
            "error.html", code=code, title=title, message=message
        ), code

    @app.errorhandler(CSRFError)
    def _csrf(_e):  # type: ignore[no-untyped-def]
        logger.warning("CSRF rejected on %s: %s", request.path, _e.description)
        return page(
            400,
            _("Form expired"),
            _(
                "The form has expired or was not sent from this site. Reload the page and try again."
            ),
        )

    @app.errorhandler(403)
    def _forbidden(_e):  # type: ignore[no-untyped-def]
        return page(
            403, _("Not allowed"), _("You do not have permission to open this page.")
        )

    @app.errorhandler(404)
    def _not_found(_e):  # type: ignore[no-untyped-def]
        return page(
            404,
            _("Not found"),
            _("The page you asked for does not exist or you cannot see it."),
        )

    @app.errorhandler(413)
    def _too_large(_e):  # type: ignore[no-untyped-def]
        return page(
            413,
            _("File too large"),
            _("The file is larger than %(mb)d MB.", mb=app.config["MAX_UPLOAD_MB"]),
        )

    @app.errorhandler(429)
    def _rate_limited(_e):  # type: ignore[no-untyped-def]
        return page(
            429,
            _("Too many attempts"),
            _(
                "Too many sign-in attempts from this address. Wait a minute and try again."
            ),
        )

    @app.errorhandler(StorageUnavailable)
    def _storage_down(exc):  # type: ignore[no-untyped-def]
        db.session.rollback()
        logger.error("storage unavailable on %s: %s", request.path, exc)
        return page(
            503,
            _("File storage unavailable"),
            _(
                "The file storage cannot be reached right now. Nothing was saved. Try again in a few minutes."
            ),
        )

    @app.errorhandler(StorageError)
    def _storage_error(exc):  # type: ignore[no-untyped-def]
        db.session.rollback()
        logger.error("storage error on %s: %s", request.path, exc)
        return page(
            500,
            _("File storage error"),
            _(
                "The file could not be read or written. Nothing was saved. The operators have been told."
            ),
        )

    @app.errorhandler(500)
    def _server_error(_e):  # type: ignore[no-untyped-def]
        db.session.rollback()
        logger.exception("unhandled error on %s", request.path)
        return page(
            500,
            _("Something went wrong"),
            _(
                "The request could not be completed. Nothing was changed. Try again later."
            ),
        )
