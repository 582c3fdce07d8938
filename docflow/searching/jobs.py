"""Index and extraction jobs. They take ids, are safe to run twice and return quietly
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

from search.extract import Limits, extract_bytes
from search.index import IndexBusy
from storage.errors import StorageError, StorageUnavailable

from ..documents.indexing import to_index_document
from ..documents.models import IncomingDocument
from ..extensions import db
from ..files.services import open_file
from ..jobs import job
from ..timeutil import utcnow
from . import get_index
from .models import DocumentText, TextState

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
        return
    text = db.session.get(DocumentText, doc.id)
    if text is not None and doc.is_secret:
        # Classified after its text was extracted (secrecy is set when registering).
        db.session.delete(text)
        db.session.commit()
        text = None
    entry = to_index_document(doc, current_text(doc, text))
    write_with_retry(lambda: index.upsert([entry]))
    if needs_extraction(doc, text):
        # Metadata is searchable now; the text follows when the extraction job has run
        # (it re-indexes the document).
        current_app.extensions["docflow.jobs"].enqueue(
            "search.extract", doc.id, job_id=f"search.extract-{doc.id}"
        )


def extract_document(
    doc: IncomingDocument, *, ocr: bool | None = None
) -> DocumentText | None:
    """Extract the main file's text into its ``DocumentText`` row (added, not committed)."""
    if doc.main_file is None or doc.is_secret:
        return None
    ocr = ocr_enabled() if ocr is None else ocr
    try:
        with open_file(doc.main_file) as stream:
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
    row = db.session.get(DocumentText, doc.id) or DocumentText(document_id=doc.id)
    row.source_sha256 = doc.main_file.sha256
    row.state, row.text, row.reason = result_state, result_text, reason
    row.kind, row.pages, row.ocr_pages, row.ocr = kind, pages, ocr_pages, ocr
    row.extracted_at = utcnow()
    db.session.add(row)
    logger.info(
        "text of incoming %s: %s (%d pages, %d by OCR) %s",
        doc.id,
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
