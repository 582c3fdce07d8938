"""The REST API for incoming documents: parse JSON -> call the documents services -> JSON.

The rules are the services' and ``documents/access.py``'s: another agency's document, or
one the user may not see, answers 404; a role that may not act answers 403; a state that
does not allow the action answers 422 with the service's message.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from flask_babel import gettext as _
from sqlalchemy import select

from ..auth.models import Role, User
from ..documents import services
from ..documents.access import can_view, can_view_content
from ..documents.models import Attachment, ExtensionRequest, IncomingDocument
from ..documents.queries import SORTS, counts, page_of, tabs_for
from ..extensions import db, limiter
from ..files.models import StoredFile
from ..files.services import open_file
from . import schemas as s
from .auth import api_user, load_api_user, rate_limit_key
from .errors import (
    ApiError,
    ValidationFailed,
    error_response,
    register_blueprint_errors,
)

bp = Blueprint("api", __name__, url_prefix="/api/v1")
register_blueprint_errors(bp)
limiter.limit(lambda: current_app.config["API_RATE_LIMIT"], key_func=rate_limit_key)(bp)

MAX_PER_PAGE = 100
PUBLIC_ENDPOINTS = {"api.openapi"}


@bp.before_request
def _authenticate() -> None:
    if request.endpoint not in PUBLIC_ENDPOINTS:
        load_api_user()


@bp.after_request
def _no_store(response):  # type: ignore[no-untyped-def]
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _document_or_404(doc_id: int) -> IncomingDocument:
    doc = db.session.get(IncomingDocument, doc_id)
    if doc is None or not can_view(api_user(), doc):
        raise ApiError(404)
    return doc


def _document(doc: IncomingDocument, status: int = 200) -> Any:
    user = api_user()
    extensions = db.session.scalars(
        select(ExtensionRequest)
        .where(ExtensionRequest.document_id == doc.id)
        .order_by(ExtensionRequest.id)
    ).all()
    body = s.detail(
        doc, content_ok=can_view_content(user, doc), extensions=list(extensions)
    )
    return jsonify(body), status


# ------------------------------------------------------------------ reading
@bp.get("/me")
def me():
    user = api_user()
    return jsonify(
        {
            **s.person(user),
            "username": user.username,
            "role": user.role.value,
            "agency": {
                "id": user.agency_id,
                "code": user.agency.code,
                "name": user.agency.name,
            },
            "department_id": user.department_id,
            "tabs": tabs_for(user),
        }
    )


@bp.get("/incoming")
def list_incoming():
    user = api_user()
    tabs = tabs_for(user)
    args = s.parse_fields(
        request.args.to_dict(),
        {
            "tab": s.choice(tabs),
            "sort": s.choice(list(SORTS)),
            "page": s.integer(1, 1_000_000),
            "per_page": s.integer(1, MAX_PER_PAGE),
        },
    )
    tab, sort = args.get("tab") or tabs[0], args.get("sort") or "received"
    per_page = args.get("per_page") or min(
        current_app.config["PAGE_SIZE"], MAX_PER_PAGE
    )
    page = page_of(user, tab, sort, args.get("page") or 1, per_page)
    return jsonify(
        {
            "tab": tab,
            "sort": sort,
            "page": page.page,
            "pages": page.pages,
            "per_page": per_page,
            "total": page.total,
            "counts": counts(user),
            "items": [s.summary(d) for d in page.items],
        }
    )


@bp.get("/incoming/<int:doc_id>")
def get_incoming(doc_id: int):
    return _document(_document_or_404(doc_id))


def _send(record: StoredFile):  # type: ignore[no-untyped-def]
    response = send_file(
        open_file(record),
        mimetype=record.media_type,
        as_attachment=True,
        download_name=record.original_name,
        conditional=False,
        etag=record.sha256,
    )
    response.headers["Cache-Control"] = "private, no-store"
    return response


@bp.get("/incoming/<int:doc_id>/file")
def incoming_file(doc_id: int):
    doc = _document_or_404(doc_id)
    if doc.main_file is None or not can_view_content(api_user(), doc):
        raise ApiError(404)
    return _send(doc.main_file)


@bp.get("/incoming/<int:doc_id>/attachments/<int:attachment_id>")
def attachment_file(doc_id: int, attachment_id: int):
    doc = _document_or_404(doc_id)
    attachment = db.session.get(Attachment, attachment_id)
    if (
        attachment is None
        or attachment.document_id != doc.id
        or not can_view_content(api_user(), doc)
    ):
        raise ApiError(404)
    return _send(attachment.file)


# ------------------------------------------------------------------ acting
def _upload() -> Any:
    upload = request.files.get("file")
    if upload is None:
        raise ValidationFailed({"file": _("Choose the file.")})
    return upload


@bp.post("/incoming")
def receive():
    user = api_user()
    if user.role != Role.RECORDS_OFFICER:
        return error_response(
            403, "forbidden", _("Only records officers receive documents.")
        )
    form = request.form.to_dict()
    upload = _upload()
    values = s.metadata_values(s.parse_fields(form, s.METADATA))
    doc = services.receive(user, upload.stream, upload.filename or "document", values)
    response, status = _document(doc, 201)
    response.headers["Location"] = url_for("api.get_incoming", doc_id=doc.id)
    return response, status


def _person_in_agency(user_id: int | None, agency_id: int) -> User | None:
    user = db.session.get(User, user_id) if user_id is not None else None
    return user if user is not None and user.agency_id == agency_id else None


@bp.post("/incoming/<int:doc_id>/register")
def register(doc_id: int):
    doc = _document_or_404(doc_id)
    fields = dict(s.METADATA, presented_to_id=s.integer(1), confirm_duplicate=s.boolean)
    values = s.parse_fields(s.json_body(), fields)
    leader_id, confirm = (
        values.pop("presented_to_id", None),
        values.pop("confirm_duplicate", False),
    )
    leader = _person_in_agency(leader_id, doc.agency_id)
    if leader_id is not None and leader is None:
        raise services.ActionRefused(
            "Documents are presented to a leader of the agency."
        )
    try:
        services.register(
            api_user(),
            doc,
            s.metadata_values(values),
            presented_to=leader,
            confirm_duplicate=confirm,
        )
    except services.DuplicateWarning as exc:
        duplicates = [s.summary(d) for d in exc.duplicates]
        db.session.rollback()
        numbers = ", ".join(str(d["arrival_number"]) for d in duplicates)
        return error_response(
            409,
            "duplicate",
            _(
                "A document with the same issuer, number and notation is already registered (arrival no. %(n)s). "
                "Send confirm_duplicate: true to register it anyway.",
                n=numbers,
            ),
            duplicates=duplicates,
        )
    return _document(doc)


@bp.post("/incoming/<int:doc_id>/return")
def return_document(doc_id: int):
    doc = _document_or_404(doc_id)
    values = s.parse_fields(
        s.json_body(), {"reason": s.text(500, required=True)}, required=("reason",)
    )
    services.return_document(api_user(), doc, values["reason"])
    return _document(doc)


def _target(value: Any, field: str, details: dict[str, str]) -> services.Target | None:
    if isinstance(value, dict) and set(value) in ({"user_id"}, {"department_id"}):
        ((key, ident),) = value.items()
        if isinstance(ident, int) and not isinstance(ident, bool):
            return services.Target(**{key: ident})
    details[field] = _('Expected {"user_id": n} or {"department_id": n}.')
    return None


def _as_is(value: Any) -> Any:
    return value  # targets are checked by _target, which knows their position


@bp.post("/incoming/<int:doc_id>/assign")
def assign(doc_id: int):
    doc = _document_or_404(doc_id)
    body = s.json_body()
    values = s.parse_fields(
        body,
        {
            "lead": _as_is,
            "coordinate": _as_is,
            "inform": _as_is,
            "deadline": s.iso_date,
            "instruction": s.text(4000),
        },
        required=("lead",),
    )
    details: dict[str, str] = {}
    lead = _target(values["lead"], "lead", details)
    lists: dict[str, list[services.Target]] = {}
    for name in ("coordinate", "inform"):
        items = values.get(name) or []
        if not isinstance(items, list):
            details[name] = _("Expected a list.")
            items = []
        lists[name] = [
            t for i, v in enumerate(items) if (t := _target(v, f"{name}[{i}]", details))
        ]
    if details or lead is None:
        raise ValidationFailed(details)
    plan = services.AssignmentPlan(
        lead=lead,
        coordinate=lists["coordinate"],
        inform=lists["inform"],
        deadline=values.get("deadline"),
        instruction=values.get("instruction") or "",
    )
    services.assign(api_user(), doc, plan)
    return _document(doc)


@bp.post("/incoming/<int:doc_id>/comment")
def comment(doc_id: int):
    doc = _document_or_404(doc_id)
    values = s.parse_fields(
        s.json_body(), {"text": s.text(4000, required=True)}, required=("text",)
    )
    services.comment(api_user(), doc, values["text"])
    return _document(doc)


@bp.post("/incoming/<int:doc_id>/attach")
def attach(doc_id: int):
    doc = _document_or_404(doc_id)
    upload = _upload()
    services.attach(api_user(), doc, upload.stream, upload.filename or "file")
    return _document(doc, 201)


@bp.post("/incoming/<int:doc_id>/forward")
def forward(doc_id: int):
    doc = _document_or_404(doc_id)
    values = s.parse_fields(
        s.json_body(),
        {"user_id": s.integer(1, required=True), "note": s.text(500)},
        required=("user_id",),
    )
    to_user = _person_in_agency(values["user_id"], doc.agency_id)
    if to_user is None:
        raise services.ActionRefused(
            "Forward to an active colleague of the same agency."
        )
    services.forward(api_user(), doc, to_user, values.get("note") or "")
    return _document(doc)


@bp.post("/incoming/<int:doc_id>/extension")
def request_extension(doc_id: int):
    doc = _document_or_404(doc_id)
    values = s.parse_fields(
        s.json_body(),
        {"new_deadline": s.required_date, "reason": s.text(500, required=True)},
        required=("new_deadline", "reason"),
    )
    req = services.request_extension(
        api_user(), doc, values["new_deadline"], values["reason"]
    )
    return jsonify(s.extension(req)), 201


@bp.post("/incoming/<int:doc_id>/extension/<int:req_id>/decide")
def decide_extension(doc_id: int, req_id: int):
    doc = _document_or_404(doc_id)
    req = db.session.get(ExtensionRequest, req_id)
    if req is None or req.document_id != doc.id:
        raise ApiError(404)
    values = s.parse_fields(s.json_body(), {"grant": s.boolean}, required=("grant",))
    services.decide_extension(api_user(), req, values["grant"])
    return _document(doc)


@bp.post("/incoming/<int:doc_id>/complete")
def complete(doc_id: int):
    doc = _document_or_404(doc_id)
    values = s.parse_fields(
        s.json_body(), {"result": s.text(4000, required=True)}, required=("result",)
    )
    services.complete(api_user(), doc, values["result"])
    return _document(doc)


@bp.get("/openapi.json")
def openapi():
    from .openapi import document

    return jsonify(document())
