"""Entry point RQ calls in the worker: runs a registered job inside an app context."""

from __future__ import annotations

import os
from typing import Any

from flask import Flask

_app: Flask | None = None
_app_pid: int | None = None


def _get_app() -> Flask:
    global _app, _app_pid
    if _app is None:
        from ..app import create_app

        _app = create_app()
        _app_pid = os.getpid()
    elif _app_pid != os.getpid():
        # A forked work horse must not share the parent's database connections.
        with _app.app_context():
            from ..extensions import db

            db.engine.dispose(close=False)
        _app_pid = os.getpid()
    return _app


def set_app(app: Flask) -> None:
    """Used by ``docflow worker``: the worker's own app is the one jobs run in."""
    global _app, _app_pid
    _app, _app_pid = app, os.getpid()


def run_job(name: str, *args: Any) -> Any:
    from .queue import registry

    app = _get_app()
    with app.app_context():
        from ..extensions import db

        try:
            return registry[name](*args)
        finally:
            db.session.remove()
