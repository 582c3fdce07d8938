"""The REST API for outgoing documents (văn bản đi): the same operations as the web pages.

Routes live on the API blueprint of ``views.py`` (same token authentication, rate limit and
JSON errors). The rules are ``outgoing/services.py``'s and ``outgoing/access.py``'s: another
agency's document, or one the caller may not see, answers 404; a refusal about who the
caller is answers 403; a state that does not allow the action answers 422.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from flask import current_app, jsonify, request, url_for
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..agencies.models import Department
from ..documents.services import ActionRefused
from ..documents.vocab import TYPE_NAMES, Secrecy, Urgency
from ..extensions import db
from ..outgoing import services as out
from ..outgoing.access import can_view, can_view_content, visible_clause
from ..outgoing.models import OutgoingDocument
from ..outgoing.views import _tab_conditions
from . import outgoing_schemas as os_
from . import schemas as s
from .auth import api_user
from .errors import ApiError
from .views import MAX_PER_PAGE, _send, _upload, bp

#: The web list's tabs, in its order (the first is the default).
TABS = ("mine", "to_review", "to_sign", "to_issue", "issued", "all")

#: ActionRefused msgids of the outgoing services that are about who the caller is: 403.
PERMISSION_MESSAGES = frozenset(
    {
        "Only the drafter uploads new versions.",
        "Only the drafter submits the document.",
        "It is not your turn to review this document.",
        "Only the designated signer signs this document.",
        "Only the agency's records officers issue documents.",
        "Only the agency's records officers send documents.",
        "Only the agency's records officers recall documents.",
        "Only the agency's records officers revoke or update documents.",
        "Only the drafter or a records officer says what the document replaces.",
    }
)


@contextmanager
def _acting() -> Iterator[None]:
    """Refusals about the caller's role become 403; the others go on to the blueprint's 422."""
    try:
        yield
    except ActionRefused as exc:
        if exc.message not in PERMISSION_MESSAGES:
            raise
        db.session.rollback()
        raise ApiError(403, "forbidden", _(exc.message, **exc.params)) from exc


def _outgoing_or_404(outgoing_id: int) -> OutgoingDocument:
    doc = db.session.get(OutgoingDocument, outgoing_id)
    if doc is None or not can_view(api_user(), doc):
        raise ApiError(404)
    return doc


def _document(doc: OutgoingDocument, status: int = 200) -> Any:
    db.session.refresh(doc)
    body = os_.detail(doc, content_ok=can_view_content(api_user(), doc))
    response = jsonify(body)
    response.status_code = status
    if status == 201:
        response.headers["Location"] = url_for("api.get_outgoing", outgoing_id=doc.id)
    return response


# ------------------------------------------------------------------ reading
@bp.get("/outgoing")
def list_outgoing():
    user = api_user()
    tabs = _tab_conditions(user)
    args = s.parse_fields(
        request.args.to_dict(),
        {
            "tab": s.choice(list(TABS)),
            "page": s.integer(1, 1_000_000),
            "per_page": s.integer(1, MAX_PER_PAGE),
        },
    )
    tab = args.get("tab") or TABS[0]
    per_page = args.get("per_page") or min(
        current_app.config["PAGE_SIZE"], MAX_PER_PAGE
    )
    where = (visible_clause(user), tabs[tab][1])
    total = (
        db.session.scalar(
            select(func.count()).select_from(OutgoingDocument).where(*where)
        )
        or 0
    )
    pages = max(1, -(-total // per_page))
    page = min(args.get("page") or 1, pages)
    items = db.session.scalars(
        select(OutgoingDocument)
        .where(*where)
        .order_by(OutgoingDocument.updated_at.desc(), OutgoingDocument.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    counts = {
        name: db.session.scalar(
            select(func.count())
            .select_from(OutgoingDocument)
            .where(visible_clause(user), cond)
        )
        for name, (_label, cond) in tabs.items()
    }
    return jsonify(
        {
            "tab": tab,
            "page": page,
            "pages": pages,
            "per_page": per_page,
            "total": total,
            "counts": counts,
            "items": [os_.summary(d) for d in items],
        }
    )


@bp.get("/outgoing/<int:outgoing_id>")
def get_outgoing(outgoing_id: int):
    return _document(_outgoing_or_404(outgoing_id))


@bp.get("/outgoing/<int:outgoing_id>/files/<kind>")
def outgoing_file(outgoing_id: int, kind: str):
    """``issued``, ``signed``, ``v<N>`` (a version's PDF) or ``a<id>`` (an attachment, sealed once issued)."""
    doc = _outgoing_or_404(outgoing_id)
    record = None
    if kind == "issued":
        record = doc.issued_file
    elif kind == "signed":
        record = doc.signed_file
    elif kind[:1] == "v" and kind[1:].isdigit():
        version = next((v for v in doc.versions if v.number == int(kind[1:])), None)
        record = version.file if version else None
    elif kind[:1] == "a" and kind[1:].isdigit():
        att = next((a for a in doc.attachments if a.id == int(kind[1:])), None)
        record = (att.sealed_file or att.file) if att else None
    if record is None or not can_view_content(api_user(), doc):
        raise ApiError(404)
    return _send(record)


# ------------------------------------------------------------------ acting
DRAFT_FIELDS = {
    "doc_type": s.choice(TYPE_NAMES),
    "subject": s.text(500, required=True),
    "urgency": s.choice([u.value for u in Urgency]),
    "secrecy": s.choice([v.value for v in Secrecy]),
    "department_id": s.integer(1),
    "recipients": os_.recipients,
}


@bp.post("/outgoing")
def create_outgoing():
    user = api_user()
    values = s.parse_fields(
        request.form.to_dict(), DRAFT_FIELDS, required=("doc_type", "subject")
    )
    upload = _upload()
    department_id = values.get("department_id")
    if department_id is not None:
        dept = db.session.get(Department, department_id)
        if dept is None or dept.agency_id != user.agency_id:
            raise ActionRefused("Choose units of your own agency.")
    draft = out.DraftValues(
        doc_type=values["doc_type"],
        subject=values["subject"],
        urgency=Urgency(values.get("urgency") or Urgency.NORMAL.value),
        secrecy=Secrecy(values.get("secrecy") or Secrecy.NONE.value),
        department_id=department_id,
        recipients=values.get("recipients") or [],
    )
    attachments = [
        (f.stream, f.filename or "attachment.pdf")
        for f in request.files.getlist("attachments")
        if f and f.filename
    ]
    with _acting():
        doc = out.create_draft(
            user, draft, upload.stream, upload.filename or "draft", attachments
        )
    return _document(doc, 201)


@bp.post("/outgoing/<int:outgoing_id>/versions")
def add_outgoing_version(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(request.form.to_dict(), {"note": s.text(500)})
    upload = _upload()
    with _acting():
        out.add_version(
            api_user(),
            doc,
            upload.stream,
            upload.filename or "draft",
            values.get("note") or "",
        )
    return _document(doc, 201)


@bp.post("/outgoing/<int:outgoing_id>/submit")
def submit_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(
        s.json_body(),
        {"reviewer_ids": os_.id_list, "signer_id": s.integer(1, required=True)},
        required=("signer_id",),
    )
    with _acting():
        out.submit(
            api_user(), doc, values.get("reviewer_ids") or [], values["signer_id"]
        )
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/review")
def review_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    values = s.parse_fields(
        s.json_body(),
        {"approve": s.boolean, "comment": s.text(4000)},
        required=("approve",),
    )
    with _acting():
        out.review(api_user(), doc, values["approve"], values.get("comment") or "")
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/sign")
def sign_outgoing(outgoing_id: int):
    """The designated leader signs with the server-held key registered for them."""
    doc = _outgoing_or_404(outgoing_id)
    s.parse_fields(s.json_body(), {})
    with _acting():
        out.sign(api_user(), doc)
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/issue")
def issue_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    s.parse_fields(s.json_body(), {})
    with _acting():
        out.issue(api_user(), doc)
    return _document(doc)


@bp.post("/outgoing/<int:outgoing_id>/send")
def send_outgoing(outgoing_id: int):
    doc = _outgoing_or_404(outgoing_id)
    s.parse_fields(s.json_body(), {})
    with _acting():
        out.send_electronically(api_user(), doc)
    return _document(doc)
