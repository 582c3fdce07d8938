"""The REST API (JSON, token authentication) and the page where users manage their tokens."""

from __future__ import annotations

from flask import Flask


def register_api(app: Flask) -> None:
    """Register the API blueprint (CSRF-exempt: bearer tokens only), the tokens page and the CLI."""
    from ..extensions import csrf
    from . import outgoing, outgoing_changes  # noqa: F401  (their routes join the API blueprint)
    from .account import bp as account_bp
    from .cli import api_cli
    from .errors import register_app_errors
    from .views import bp as api_bp

    app.register_blueprint(api_bp)
    csrf.exempt(api_bp)
    app.register_blueprint(account_bp)
    app.cli.add_command(api_cli)
    register_app_errors(app)
