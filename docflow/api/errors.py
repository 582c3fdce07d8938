"""JSON errors: every answer under /api/ is ``{"error": code, "message": text}``, never an HTML page.

``message`` is translated (Vietnamese by default, ``Accept-Language: en`` for English);
``error`` is a stable code for programs. Validation errors add ``details``: field -> message.
"""

from __future__ import annotations

import logging
from typing import Any

from flask import Flask, Response, current_app, jsonify, request
from flask_babel import gettext as _
from werkzeug.exceptions import HTTPException

from storage.errors import StorageError, StorageUnavailable

from ..documents.services import ActionRefused
from ..extensions import db
from ..files.services import UploadRejected
from ..i18n import N_

logger = logging.getLogger(__name__)

#: ActionRefused msgids that are about who the user is, not the document's state: 403.
PERMISSION_MESSAGES = frozenset(
    {
        "Only records officers receive documents.",
        "Only the agency's records officers register documents.",
        "Only the agency's records officers return documents.",
        "Only the agency's leaders assign documents.",
        "You are not taking part in processing this document.",
        "Only people handling the document (lead or coordinating) can forward it.",
        "Only the lead handler can ask for more time.",
        "Only the agency's leaders decide on extensions.",
        "Only the lead handler or a leader can complete the document.",
    }
)

#: HTTP status -> (code, message msgid) for errors raised by Flask, Werkzeug or Flask-Limiter.
HTTP_ERRORS: dict[int, tuple[str, str]] = {
    400: ("bad_request", N_("The request is malformed.")),
    401: ("unauthorized", N_("Missing, invalid, expired or revoked API token.")),
    403: ("forbidden", N_("You are not allowed to do this.")),
    404: ("not_found", N_("Not found, or you cannot see it.")),
    405: ("method_not_allowed", N_("This method is not allowed here.")),
    413: ("too_large", N_("The request is larger than %(mb)d MB.")),
    415: ("unsupported_media_type", N_("Send JSON (Content-Type: application/json).")),
    429: (
        "rate_limited",
        N_("Too many API calls with this token. Wait a minute and try again."),
    ),
    500: (
        "server_error",
        N_("The request could not be completed. Nothing was changed. Try again later."),
    ),
    503: (
        "storage_unavailable",
        N_(
            "The file storage cannot be reached right now. Nothing was saved. Try again in a few minutes."
        ),
    ),
}


def _defaults(status: int) -> tuple[str, str]:
    """Code and message msgid of ``status``; rarer statuses borrow the 400 or 500 message."""
    if status in HTTP_ERRORS:
        return HTTP_ERRORS[status]
    return f"http_{status}", HTTP_ERRORS[400 if status < 500 else 500][1]


class ApiError(Exception):
    """An error answer: HTTP ``status``, a code, a translated message and optional extra fields."""

    def __init__(
        self,
        status: int,
        code: str | None = None,
        message: str | None = None,
        **extra: Any,
    ) -> None:
        default_code, default_message = _defaults(status)
        super().__init__(message or default_message)
        self.status, self.code = status, code or default_code
        self.message, self.extra = message, extra


class ValidationFailed(ApiError):
    def __init__(self, details: dict[str, str]) -> None:
        super().__init__(
            400,
            "validation_error",
            _("Some fields are missing or invalid."),
            details=details,
        )


def error_response(
    status: int, code: str | None = None, message: str | None = None, **extra: Any
) -> Response:
    default_code, default_message = _defaults(status)
    if message is None:
        message = (
            _(default_message, mb=current_app.config["MAX_UPLOAD_MB"])
            if status == 413
            else _(default_message)
        )
    response = jsonify({"error": code or default_code, "message": message, **extra})
    response.status_code = status
    response.headers["Cache-Control"] = "no-store"
    if status == 401:
        response.headers["WWW-Authenticate"] = 'Bearer realm="docflow"'
    return response


def _api_error(exc: ApiError) -> Response:
    db.session.rollback()
    return error_response(exc.status, exc.code, exc.message, **exc.extra)


def _refused(exc: ActionRefused) -> Response:
    db.session.rollback()
    message = _(exc.message, **exc.params)
    if exc.message in PERMISSION_MESSAGES:
        return error_response(403, "forbidden", message)
    return error_response(422, "action_refused", message)


def _upload_rejected(exc: UploadRejected) -> Response:
    db.session.rollback()
    message = _(exc.message, **exc.params)
    if "mb" in exc.params:
        return error_response(413, "too_large", message)
    return error_response(
        400,
        "validation_error",
        _("Some fields are missing or invalid."),
        details={"file": message},
    )


def _http_error(exc: HTTPException) -> Response:
    db.session.rollback()
    return error_response(exc.code or 500)


def _storage_down(exc: StorageUnavailable) -> Response:
    db.session.rollback()
    logger.error("storage unavailable on %s: %s", request.path, exc)
    return error_response(503)


def _storage_error(exc: StorageError) -> Response:
    db.session.rollback()
    logger.error("storage error on %s: %s", request.path, exc)
    return error_response(
        500,
        "storage_error",
        _(
            "The file could not be read or written. Nothing was saved. "
            "The operators have been told."
        ),
    )


def _unexpected(exc: Exception) -> Response:
    if isinstance(exc, HTTPException):
        return _http_error(exc)
    db.session.rollback()
    logger.exception("unhandled error on %s", request.path)
    return error_response(500)


def register_blueprint_errors(bp: Any) -> None:
    """Errors raised while handling an API request (views, before_request, rate limits)."""
    bp.register_error_handler(ApiError, _api_error)
    bp.register_error_handler(ActionRefused, _refused)
    bp.register_error_handler(UploadRejected, _upload_rejected)
    bp.register_error_handler(HTTPException, _http_error)
    bp.register_error_handler(StorageUnavailable, _storage_down)
    bp.register_error_handler(StorageError, _storage_error)
    bp.register_error_handler(Exception, _unexpected)


def register_app_errors(app: Flask) -> None:
    """Errors raised before a blueprint is known: no route matches (404) or wrong method (405).

    The app's own 404 handler answers JSON under /api/ already (see app.py); 405 has no app
    handler, so Werkzeug's HTML page would be sent without this one.
    """

    def method_not_allowed(exc: HTTPException) -> Any:
        if request.path.startswith("/api/"):
            return error_response(405)
        return exc

    app.register_error_handler(405, method_not_allowed)
