"""Searching for users, and keeping the index in step with the database (operators)."""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from search.index import IndexDocument, SearchQuery, SearchResults

from ..auth.models import User
from ..documents.indexing import to_index_document, viewer_for
from ..documents.models import Assignment, IncomingDocument
from ..extensions import db
from . import get_index
from .jobs import current_text, extract_document, needs_extraction, write_with_retry
from .models import DocumentText

logger = logging.getLogger(__name__)

FILTERS = ("doc_type", "issuer", "year", "status")
SORTS = ("relevance", "date", "date_asc")


def search_documents(
    user: User,
    text: str = "",
    *,
    filters: dict[str, list[Any]] | None = None,
    sort: str = "relevance",
    page: int = 1,
    per_page: int = 20,
) -> SearchResults:
    """What ``user`` may see matching ``text``: filtered inside the query (access.py's rule)."""
    query = SearchQuery(
        text=text,
        viewer=viewer_for(user),
        filters=filters or {},
        sort=sort if sort in SORTS else "relevance",
        page=max(1, page),
        per_page=per_page,
    )
    return get_index().search(query)


# ------------------------------------------------------------------ operators
def iter_batches(batch_size: int = 200) -> Iterator[list[IncomingDocument]]:
    """Every incoming document, by id, in batches (assignments and files preloaded)."""
    last = 0
    while True:
        docs = list(
            db.session.scalars(
                select(IncomingDocument)
                .where(IncomingDocument.id > last)
                .order_by(IncomingDocument.id)
                .limit(batch_size)
                .options(
                    selectinload(IncomingDocument.assignments).selectinload(
                        Assignment.user
                    ),
                    selectinload(IncomingDocument.main_file),
                )
            )
        )
        if not docs:
            return
        yield docs
        last = docs[-1].id


def entries_for(docs: list[IncomingDocument]) -> list[IndexDocument]:
    # Plain rows, not entities: the texts do not stay in the session's identity map.
    rows = db.session.execute(
        select(
            DocumentText.document_id, DocumentText.source_sha256, DocumentText.text
        ).where(DocumentText.document_id.in_([d.id for d in docs]))
    )
    texts = {r.document_id: r for r in rows}
    return [to_index_document(d, current_text(d, texts.get(d.id))) for d in docs]


def _release(docs: list[IncomingDocument]) -> None:
    """Keep memory flat over large databases (documents of past batches leave the session)."""
    for doc in docs:
        if doc in db.session:
            db.session.expunge(doc)


@dataclasses.dataclass
class Drift:
    missing: list[str] = dataclasses.field(
        default_factory=list
    )  #: in the database, not in the index
    stale: list[str] = dataclasses.field(
        default_factory=list
    )  #: indexed with other values
    orphaned: list[str] = dataclasses.field(
        default_factory=list
    )  #: in the index, not in the database

    @property
    def clean(self) -> bool:
        return not (self.missing or self.stale or self.orphaned)


def check(batch_size: int = 200) -> Drift:
    """Compare the database with the index (versions are hashes of the whole entry)."""
    indexed = get_index().ids_with_versions()
    drift = Drift()
    seen = set()
    for docs in iter_batches(batch_size):
        for entry in entries_for(docs):
            seen.add(entry.id)
            if entry.id not in indexed:
                drift.missing.append(entry.id)
            elif indexed[entry.id] != entry.version:
                drift.stale.append(entry.id)
        _release(docs)
    drift.orphaned = sorted((i for i in indexed if i not in seen), key=_id_key)
    return drift


def _id_key(value: str) -> tuple[int, str]:
    return (int(value), "") if value.isdigit() else (0, value)


def repair(drift: Drift) -> int:
    """Re-index missing and stale documents, drop orphaned entries; return entries written."""
    index = get_index()
    if drift.orphaned:
        write_with_retry(lambda: index.delete(drift.orphaned))
    wanted = [int(i) for i in drift.missing + drift.stale]
    written = 0
    for start in range(0, len(wanted), 200):
        docs = list(
            db.session.scalars(
                select(IncomingDocument).where(
                    IncomingDocument.id.in_(wanted[start : start + 200])
                )
            )
        )
        entries = entries_for(docs)
        written += write_with_retry(lambda entries=entries: index.upsert(entries))
    return written + len(drift.orphaned)


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
    for docs in iter_batches(batch_size):
        if extract:
            texts = {
                t.document_id: t
                for t in db.session.scalars(
                    select(DocumentText).where(
                        DocumentText.document_id.in_([d.id for d in docs])
                    )
                )
            }
            todo = [
                d
                for d in docs
                if needs_extraction(d, texts.get(d.id))
                or (
                    ocr
                    and texts.get(d.id) is not None
                    and not texts[d.id].ocr
                    and texts[d.id].state.value == "empty"
                )
            ]
            for doc in todo:
                extract_document(doc, ocr=ocr)
            if todo:
                db.session.commit()
        entries = [e for e in entries_for(docs) if indexed.get(e.id) != e.version]
        if entries:
            written += write_with_retry(lambda entries=entries: index.upsert(entries))
        if progress is not None:
            progress(len(docs))
        _release(docs)
    return written


def total_documents() -> int:
    from sqlalchemy import func

    return db.session.scalar(select(func.count(IncomingDocument.id))) or 0


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
                "id": int(h.id) if h.id.isdigit() else h.id,
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
