"""Index and extraction jobs (incoming and outgoing documents, dossiers). They take ids, are safe to run twice and return quietly
when the row is gone (the entry is then removed from the index).

Index writes happen only here and in the operator commands: Whoosh has one writer per
index, a second writer waits ``SEARCH_LOCK_TIMEOUT`` seconds, then the job retries once
and finally raises ``IndexBusy`` so that the queue (RQ) retries it later.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy import select

from search.extract import Limits, extract_bytes
from search.index import IndexBusy
from storage.errors import StorageError, StorageUnavailable

from ..documents.indexing import to_index_document
from ..documents.models import IncomingDocument
from ..dossiers import indexing as dossier_indexing
from ..dossiers.models import Dossier, DossierItem
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import open_file
from ..jobs import InlineQueue, job
from ..outgoing import indexing as outgoing_indexing
from ..outgoing.models import OutgoingDocument
from ..timeutil import utcnow
from . import get_index
from .models import DocumentText, ExtractedText, OutgoingText, TextState

logger = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_PAUSES = (
    1.0,
)  #: seconds between attempts after IndexBusy (then the queue retries)


def write_with_retry(work: Callable[[], T]) -> T:
    """Run one index write; wait and retry when another writer holds the lock."""
    for pause in RETRY_PAUSES:
        try:
            return work()
        except IndexBusy:
            logger.warning("search index busy, retrying in %.1f s", pause)
            time.sleep(pause)
    return work()


def ocr_enabled() -> bool:
    """SEARCH_OCR: on, off, or auto = only when jobs run in workers (OCR takes seconds per page)."""
    mode = current_app.config["SEARCH_OCR"]
    return mode == "on" or (mode == "auto" and current_app.config["JOB_QUEUE"] == "rq")


def needs_extraction(doc: IncomingDocument, text: DocumentText | None) -> bool:
    """True if the main file has no extracted text yet (secret documents are never extracted)."""
    if doc.main_file is None or doc.is_secret:
        return False
    return text is None or text.source_sha256 != doc.main_file.sha256


def current_text(doc: IncomingDocument, text: DocumentText | None) -> str:
    """The extracted text that belongs to the document's current main file ("" otherwise)."""
    if (
        text is None
        or doc.main_file is None
        or text.source_sha256 != doc.main_file.sha256
    ):
        return ""
    return text.text


@job("search.index_incoming")
def index_incoming(document_id: int) -> None:
    """Bring the document's entry up to date (metadata, access, text); extract if needed."""
    index = get_index()
    doc = db.session.get(IncomingDocument, document_id)
    if doc is None:
        write_with_retry(lambda: index.delete([str(document_id)]))
        refresh_dossiers_holding("incoming", document_id)
        return
    text = db.session.get(DocumentText, doc.id)
    if text is not None and doc.is_secret:
        # Classified after its text was extracted (secrecy is set when registering).
        db.session.delete(text)
        db.session.commit()
        text = None
    if needs_extraction(doc, text) and isinstance(
        current_app.extensions["docflow.jobs"], InlineQueue
    ):
        # The inline queue would run search.extract right after this write and write
        # again: extract first and write the entry once (a commit costs tens of ms).
        try:
            text = extract_document(doc)
            db.session.commit()
        except Exception:
            # Index the metadata anyway; the extraction job below fails (or not)
            # on its own, as it did before this shortcut.
            db.session.rollback()
            logger.warning("extraction of incoming %s failed", document_id)
            text = db.session.get(DocumentText, document_id)
    entry = to_index_document(doc, current_text(doc, text))
    # The version is a hash of everything in the entry: a job run again after a change
    # that does not touch it (e.g. the signature report) writes nothing.
    write_with_retry(lambda: index.upsert([entry], skip_unchanged=True))
    if needs_extraction(doc, text):
        # Metadata is searchable now; the text follows when the extraction job has run
        # (it re-indexes the document).
        current_app.extensions["docflow.jobs"].enqueue(
            "search.extract", doc.id, job_id=f"search.extract-{doc.id}"
        )
    refresh_dossiers_holding("incoming", document_id)


def extract_document(
    doc: IncomingDocument, *, ocr: bool | None = None
) -> DocumentText | None:
    """Extract the main file's text into its ``DocumentText`` row (added, not committed)."""
    if doc.main_file is None or doc.is_secret:
        return None
    return _extract_into(DocumentText, doc.id, doc.main_file, "incoming", ocr)


def _extract_into(
    model: type[ExtractedText],
    document_id: int,
    file: StoredFile,
    label: str,
    ocr: bool | None,
) -> ExtractedText:
    """Extract ``file`` into the ``model`` row of ``document_id`` (added, not committed)."""
    ocr = ocr_enabled() if ocr is None else ocr
    try:
        with open_file(file) as stream:
            data = stream.read()
    except StorageUnavailable:
        raise  # transient: let the queue retry
    except StorageError as exc:  # missing or corrupted object: say so on the page
        result_state, result_text, reason, kind, pages, ocr_pages = (
            TextState.FAILED,
            "",
            f"file unreadable: {exc}"[:500],
            "",
            0,
            0,
        )
    else:
        result = extract_bytes(data, limits=Limits(ocr=ocr))
        result_state, result_text, reason = (
            TextState(result.state.value),
            result.text,
            result.reason[:500],
        )
        kind, pages, ocr_pages = result.kind, result.pages, result.ocr_pages
    row = db.session.get(model, document_id) or model(document_id=document_id)
    row.source_sha256 = file.sha256
    row.state, row.text, row.reason = result_state, result_text, reason
    row.kind, row.pages, row.ocr_pages, row.ocr = kind, pages, ocr_pages, ocr
    row.extracted_at = utcnow()
    db.session.add(row)
    logger.info(
        "text of %s %s: %s (%d pages, %d by OCR) %s",
        label,
        document_id,
        result_state.value,
        pages,
        ocr_pages,
        reason,
    )
    return row


@job("search.extract")
def extract(document_id: int, force: bool = False) -> None:
    """Extract (and OCR) the main file's text, keep it beside the original, re-index."""
    doc = db.session.get(IncomingDocument, document_id)
    if doc is None:
        return
    text = db.session.get(DocumentText, doc.id)
    if force or needs_extraction(doc, text):
        extract_document(doc)
        db.session.commit()
    index_incoming(document_id)


# ------------------------------------------------------------------ outgoing documents
def needs_outgoing_extraction(doc: OutgoingDocument, text: OutgoingText | None) -> bool:
    """True if the issued PDF has no extracted text yet (never for secret documents)."""
    if doc.issued_file is None or doc.is_secret:
        return False
    return text is None or text.source_sha256 != doc.issued_file.sha256


def current_outgoing_text(doc: OutgoingDocument, text: OutgoingText | None) -> str:
    """The extracted text of the document's issued PDF ("" otherwise)."""
    if (
        text is None
        or doc.issued_file is None
        or text.source_sha256 != doc.issued_file.sha256
    ):
        return ""
    return text.text


def extract_outgoing_document(
    doc: OutgoingDocument, *, ocr: bool | None = None
) -> OutgoingText | None:
    """Extract the issued PDF's text into its ``OutgoingText`` row (added, not committed)."""
    if doc.issued_file is None or doc.is_secret:
        return None
    return _extract_into(OutgoingText, doc.id, doc.issued_file, "outgoing", ocr)


@job("search.index_outgoing")
def index_outgoing(document_id: int) -> None:
    """Bring an outgoing document's entry up to date; drafts and deleted rows have none."""
    index = get_index()
    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None or not outgoing_indexing.is_indexed(doc):
        write_with_retry(
            lambda: index.delete([outgoing_indexing.entry_id(document_id)])
        )
    else:
        text = db.session.get(OutgoingText, doc.id)
        if text is not None and doc.is_secret:
            db.session.delete(text)
            db.session.commit()
            text = None
        entry = outgoing_indexing.to_index_document(
            doc, current_outgoing_text(doc, text)
        )
        # Deliveries and statuses touch the row, rarely the entry: unchanged, no write.
        write_with_retry(lambda: index.upsert([entry], skip_unchanged=True))
        if needs_outgoing_extraction(doc, text):
            current_app.extensions["docflow.jobs"].enqueue(
                "search.extract_outgoing",
                doc.id,
                job_id=f"search.extract_outgoing-{doc.id}",
            )
    refresh_dossiers_holding("outgoing", document_id)


@job("search.extract_outgoing")
def extract_outgoing(document_id: int, force: bool = False) -> None:
    """Extract (and OCR) the issued PDF's text, keep it beside the original, re-index."""
    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None:
        return
    text = db.session.get(OutgoingText, doc.id)
    if force or needs_outgoing_extraction(doc, text):
        extract_outgoing_document(doc)
        db.session.commit()
    index_outgoing(document_id)


# ------------------------------------------------------------------ dossiers
@job("search.index_dossier")
def index_dossier(dossier_id: int) -> None:
    """Bring a dossier's entry up to date (or remove it when the dossier is gone)."""
    index = get_index()
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None:
        write_with_retry(lambda: index.delete([dossier_indexing.entry_id(dossier_id)]))
        return
    entry = dossier_indexing.to_index_document(dossier)
    write_with_retry(lambda: index.upsert([entry], skip_unchanged=True))


def refresh_dossiers_holding(kind: str, document_id: int) -> None:
    """Re-index the dossiers holding a document (its title or its rules may have changed)."""
    ids = db.session.scalars(
        select(DossierItem.dossier_id)
        .where(DossierItem.kind == kind, DossierItem.document_id == document_id)
        .distinct()
    ).all()
    if not ids:
        return
    cache: dict = {}
    entries = [
        dossier_indexing.to_index_document(d, cache)
        for d in db.session.scalars(select(Dossier).where(Dossier.id.in_(ids)))
    ]
    index = get_index()
    write_with_retry(lambda: index.upsert(entries, skip_unchanged=True))
