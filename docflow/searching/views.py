"""The search page and its JSON twin, over incoming documents, issued outgoing documents
and dossiers (``kind`` filter). Every result respects the access rules of its kind: the
viewer's rights are part of the query, so totals, facets and pages never count hidden
entries.
"""

from __future__ import annotations

from typing import Any

from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from search.index import SearchError

from ..documents.views import STATUS_LABELS
from ..dossiers.views import STATUS_LABELS as DOSSIER_STATUS_LABELS
from ..extensions import db
from ..i18n import N_
from ..outgoing.views import STATUS_LABELS as OUTGOING_STATUS_LABELS
from .models import DocumentText, TextState
from .services import FILTERS, KINDS, SORTS, as_dict, hit_url, search_documents
from .sources import SOURCES

bp = Blueprint("search", __name__)

SORT_LABELS = {
    "relevance": N_("Relevance"),
    "date": N_("Newest first"),
    "date_asc": N_("Oldest first"),
}
FACET_LABELS = {
    "doc_type": N_("Document type"),
    "issuer": N_("Issuing agency"),
    "year": N_("Year"),
    "status": N_("Status"),
}
TEXT_STATE_LABELS = {
    TextState.OK: N_("Content extracted for search."),
    TextState.EMPTY: N_(
        "No text found in the file (a scan without OCR?): only the metadata is searchable."
    ),
    TextState.FAILED: N_(
        "The content could not be extracted: only the metadata is searchable."
    ),
}


@bp.app_context_processor
def _extraction_state() -> dict[str, Any]:
    def text_extraction(doc: Any) -> DocumentText | None:
        """The extraction record of ``doc``'s current main file (for documents/show.html)."""
        row = db.session.get(DocumentText, doc.id)
        if (
            row is None
            or doc.main_file is None
            or row.source_sha256 != doc.main_file.sha256
        ):
            return None
        return row

    return {"text_extraction": text_extraction, "TEXT_STATE_LABELS": TEXT_STATE_LABELS}


def _params() -> dict[str, Any]:
    filters: dict[str, list[Any]] = {}
    for name in FILTERS:
        values = [v.strip() for v in request.args.getlist(name) if v.strip()]
        if name == "year":
            values = [int(v) for v in values if v.isdigit()]
        if values:
            filters[name] = values
    text = request.args.get("q", "").strip()[:500]
    sort = request.args.get("sort") or ("relevance" if text else "date")
    kind = request.args.get("kind", "")
    return {
        "text": text,
        "kind": kind if kind in KINDS else "",
        "filters": filters,
        "sort": sort if sort in SORTS else "relevance",
        "page": max(1, request.args.get("page", 1, type=int) or 1),
    }


def _run(params: dict[str, Any]):  # type: ignore[no-untyped-def]
    try:
        return search_documents(
            current_user,
            params["text"],
            filters=params["filters"],
            kind=params["kind"] or None,
            sort=params["sort"],
            page=params["page"],
            per_page=current_app.config["PAGE_SIZE"],
        ), None
    except SearchError:
        current_app.logger.exception("search failed for user %s", current_user.id)
        return None, _("Search is unavailable right now. Try again in a few minutes.")


@bp.route("/search")
@login_required
def page():
    params = _params()
    results, error = _run(params)

    def link(**changes: Any) -> str:
        args = {
            "q": params["text"] or None,
            "kind": params["kind"] or None,
            "sort": params["sort"],
            **params["filters"],
        }
        args.update(changes)
        return url_for(
            "search.page", **{k: v for k, v in args.items() if v not in (None, [], "")}
        )

    return render_template(
        "searching/search.html",
        params=params,
        results=results,
        error=error,
        link=link,
        FACET_LABELS=FACET_LABELS,
        SORT_LABELS=SORT_LABELS,
        STATUS_LABELS=STATUS_LABELS,
        status_label=_status_label,
        kind_label=_kind_label,
        hit_url=hit_url,
        SOURCES=SOURCES,
    ), (503 if error else 200)


#: Status labels per kind (the values of different kinds may one day coincide).
_STATUS_LABELS_BY_KIND = {
    "incoming": STATUS_LABELS,
    "outgoing": OUTGOING_STATUS_LABELS,
    "dossier": DOSSIER_STATUS_LABELS,
}


#: Entry statuses that are not a model status.
_EXTRA_STATUS_LABELS = {("outgoing", "revoked"): N_("Revoked")}


def _status_label(value: str, kind: str = "") -> str:
    for (extra_kind, extra_value), label in _EXTRA_STATUS_LABELS.items():
        if value == extra_value and kind in ("", extra_kind):
            return _(label)
    kinds = [kind] if kind in _STATUS_LABELS_BY_KIND else list(_STATUS_LABELS_BY_KIND)
    for name in kinds:
        for status, label in _STATUS_LABELS_BY_KIND[name].items():
            if status.value == value:
                return _(label)
    return value


def _kind_label(kind: str) -> str:
    source = SOURCES.get(kind or "incoming")
    return _(source.label) if source else kind


@bp.route("/search.json")
def as_json():
    # Session-authenticated like the page, but answers 401 instead of redirecting to the login form.
    if not current_user.is_authenticated:
        return {"error": "unauthorized", "message": _("Sign in to search.")}, 401
    params = _params()
    results, error = _run(params)
    if results is None:
        return {"error": "unavailable", "message": error}, 503
    urls = [hit_url(h) for h in results.hits]
    return {"query": params, **as_dict(results, urls)}
