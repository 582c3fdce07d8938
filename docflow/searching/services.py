"""Searching for users, and keeping the index in step with the database (operators).

The index holds incoming documents, issued outgoing documents and dossiers
(``sources.py``); every function here covers all three.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select

from search.index import FACETS, IndexDocument, SearchQuery, SearchResults

from ..auth.models import User
from ..documents.indexing import viewer_for
from ..documents.models import IncomingDocument
from ..extensions import db
from . import get_index
from .jobs import (
    extract_document,
    extract_outgoing_document,
    needs_extraction,
    needs_outgoing_extraction,
    write_with_retry,
)
from .models import DocumentText, OutgoingText
from .sources import (
    INCOMING,
    OUTGOING,
    SOURCES,
    Source,
    incoming_entries,
    parse_entry_id,
)

logger = logging.getLogger(__name__)

FILTERS = ("doc_type", "issuer", "year", "status")
SORTS = ("relevance", "date", "date_asc")
KINDS = tuple(SOURCES)  #: the ``kind`` filter: "incoming", "outgoing", "dossier"


def search_documents(
    user: User,
    text: str = "",
    *,
    filters: dict[str, list[Any]] | None = None,
    kind: str | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """What ``user`` may see matching ``text``, of one ``kind`` or all of them.

    The viewer's rights are a clause inside the query (the rules of ``documents/``,
    ``outgoing/`` and ``dossiers/access.py``, see their ``indexing.py``), so totals,
    facets (``kind`` among them) and pages never count what ``user`` may not open.
    """
    filters = dict(filters or {})
    if kind in KINDS:
        filters["kind"] = [kind]
    query = SearchQuery(
        text=text,
        viewer=viewer_for(user),
        filters=filters,
        sort=sort if sort in SORTS else "relevance",
        page=max(1, page),
        per_page=per_page,
        facets=(*FACETS, "kind"),
    )
    return get_index().search(query)


# ------------------------------------------------------------------ operators
def iter_batches(batch_size: int = 200) -> Iterator[list[IncomingDocument]]:
    """Every incoming document, by id, in batches (assignments and files preloaded)."""
    return INCOMING.batches(batch_size)


def entries_for(docs: list[IncomingDocument]) -> list[IndexDocument]:
    """The entries of incoming documents (``docflow import``)."""
    return incoming_entries(docs)


def _release(rows: list[Any]) -> None:
    """Keep memory flat over large databases (rows of past batches leave the session)."""
    for row in rows:
        if row in db.session:
            db.session.expunge(row)


@dataclasses.dataclass
class Drift:
    """Entry ids out of step ("42" incoming, "o42" outgoing, "d42" dossier)."""

    #: in the database, not in the index
    missing: list[str] = dataclasses.field(default_factory=list)
    #: indexed with other values
    stale: list[str] = dataclasses.field(default_factory=list)
    #: in the index, not in the database (or no longer meant to be: a draft)
    orphaned: list[str] = dataclasses.field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def _all_batches(batch_size: int) -> Iterator[tuple[Source, list[Any]]]:
    for source in SOURCES.values():
        for rows in source.batches(batch_size):
            yield source, rows


def check(batch_size: int = 200) -> Drift:
    """Compare the database with the index (versions are hashes of the whole entry)."""
    indexed = get_index().ids_with_versions()
    drift = Drift()
    seen = set()
    for source, rows in _all_batches(batch_size):
        for entry in source.entries(rows):
            seen.add(entry.id)
            if entry.id not in indexed:
                drift.missing.append(entry.id)
            elif indexed[entry.id] != entry.version:
                drift.stale.append(entry.id)
        _release(rows)
    drift.orphaned = sorted((i for i in indexed if i not in seen), key=_id_key)
    return drift


def _id_key(value: str) -> tuple[str, int, str]:
    parsed = parse_entry_id(value)
    if parsed is None:
        return ("~", 0, value)
    source, db_id = parsed
    return (source.prefix, db_id, "")


def repair(drift: Drift) -> int:
    """Re-index missing and stale entries, drop orphaned entries; return entries written."""
    index = get_index()
    if drift.orphaned:
        write_with_retry(lambda: index.delete(drift.orphaned))
    wanted: dict[str, list[int]] = {}
    for entry_id in drift.missing + drift.stale:
        parsed = parse_entry_id(entry_id)
        if parsed is not None:
            wanted.setdefault(parsed[0].kind, []).append(parsed[1])
    written = 0
    for kind, ids in wanted.items():
        source = SOURCES[kind]
        for start in range(0, len(ids), 200):
            entries = source.entries(source.load(ids[start : start + 200]))
            written += write_with_retry(lambda entries=entries: index.upsert(entries))
    return written + len(drift.orphaned)


def _extract_missing(source: Source, rows: list[Any], ocr: bool | None) -> None:
    """Extract the text that is missing for a batch (committed, so a rerun keeps it)."""
    if source is INCOMING:
        model, needs, run = DocumentText, needs_extraction, extract_document
    elif source is OUTGOING:
        model, needs = OutgoingText, needs_outgoing_extraction
        run = extract_outgoing_document
    else:
        return
    texts = {
        t.document_id: t
        for t in db.session.scalars(
            select(model).where(model.document_id.in_([r.id for r in rows]))
        )
    }
    todo = [
        r
        for r in rows
        if needs(r, texts.get(r.id))
        or (
            ocr
            and texts.get(r.id) is not None
            and not texts[r.id].ocr
            and texts[r.id].state.value == "empty"
        )
    ]
    for row in todo:
        run(row, ocr=ocr)
    if todo:
        db.session.commit()


def reindex(
    *,
    batch_size: int = 200,
    extract: bool = False,
    ocr: bool | None = None,
    full: bool = False,
    progress: Callable[[int], None] | None = None,
) -> int:
    """Rebuild the index from the database; resumable: entries already current are skipped.

    ``extract`` also extracts text that is missing (committed per batch, so an interrupted
    run keeps its work). ``full`` clears the index first.
    """
    index = get_index()
    if full:
        write_with_retry(index.clear)
    indexed = {} if full else index.ids_with_versions()
    written = 0
    for source, rows in _all_batches(batch_size):
        if extract:
            _extract_missing(source, rows, ocr)
        entries = [e for e in source.entries(rows) if indexed.get(e.id) != e.version]
        if entries:
            written += write_with_retry(lambda entries=entries: index.upsert(entries))
        if progress is not None:
            progress(len(rows))
        _release(rows)
    return written


def total_documents() -> int:
    """Rows that have entries, all kinds together (for progress bars)."""
    return sum(source.count() for source in SOURCES.values())


def hit_url(hit: Any) -> str | None:
    """The page a hit leads to (inside a request)."""
    from flask import url_for

    parsed = parse_entry_id(hit.id)
    if parsed is None:
        return None
    source, db_id = parsed
    return url_for(source.endpoint, **{source.arg: db_id})


def _db_id(entry_id: str) -> int | str:
    parsed = parse_entry_id(entry_id)
    return parsed[1] if parsed else entry_id


def as_dict(
    results: SearchResults, urls: Iterable[str] | None = None
) -> dict[str, Any]:
    """JSON shape shared by /search.json and ``docflow search query --json``."""
    urls = list(urls) if urls is not None else [None] * len(results.hits)
    return {
        "total": results.total,
        "page": results.page,
        "per_page": results.per_page,
        "pages": results.pages,
        "hits": [
            {
                "id": _db_id(h.id),
                "kind": h.kind or INCOMING.kind,
                "score": round(h.score, 4),
                "subject": h.subject,
                "number": h.number,
                "issuer": h.issuer,
                "doc_type": h.doc_type,
                "issued_date": h.issued_date.isoformat() if h.issued_date else None,
                "status": h.status,
                "snippet": h.snippet,
                **({"url": url} if url else {}),
            }
            for h, url in zip(results.hits, urls, strict=True)
        ],
        "facets": {
            name: [{"value": v, "count": n} for v, n in values]
            for name, values in results.facets.items()
        },
    }
