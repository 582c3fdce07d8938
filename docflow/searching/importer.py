"""Bulk import of a legacy archive: files plus a metadata file (JSON Lines or CSV).

Each accepted row becomes a registered, completed incoming document of the agency (the
archive): the file is stored with ``store_file``, its text extracted, the document
indexed. Work is committed per batch, and a file already imported for the agency (same
SHA-256) is skipped, so an interrupted import is simply run again. Rows that cannot be
imported are reported with their reason; they never stop the import.

Metadata columns (JSON keys or CSV header): ``file`` (name inside the folder),
``issuer`` (issuing agency), ``number`` (số/ký hiệu, e.g. 15/QĐ-UBND), ``date``
(dd/mm/yyyy or yyyy-mm-dd), ``type`` (a type of NĐ 30/2020, e.g. Quyết định),
``subject`` (trích yếu); optional ``signer``, ``issuer_code``.
"""

from __future__ import annotations

import csv
import dataclasses
import hashlib
import json
import logging
import unicodedata
from collections.abc import Callable, Iterator
from datetime import date, datetime, time
from pathlib import Path
from typing import Any

from sqlalchemy import select

from ..audit.services import record
from ..documents.models import (
    Event,
    EventKind,
    IncomingDocument,
    IncomingStatus,
    Source,
)
from ..documents.numbering import next_number
from ..documents.services import default_register
from ..documents.vocab import TYPE_NAMES
from ..extensions import db
from ..files.models import StoredFile
from ..files.services import UploadRejected, store_file
from . import get_index
from .jobs import extract_document, write_with_retry
from .listeners import PAUSED
from .services import entries_for

logger = logging.getLogger(__name__)

REQUIRED = ("file", "issuer", "number", "date", "type", "subject")


class MetadataError(Exception):
    """The metadata file itself cannot be read."""


@dataclasses.dataclass
class Rejected:
    line: int
    file: str
    reason: str


@dataclasses.dataclass
class ImportReport:
    imported: list[int] = dataclasses.field(default_factory=list)  #: new document ids
    skipped: int = 0  #: files already imported for the agency
    rejected: list[Rejected] = dataclasses.field(default_factory=list)


def read_metadata(path: Path) -> Iterator[tuple[int, dict[str, str]]]:
    """(line number, row) from a .jsonl/.json or .csv file; values NFC, stripped."""
    try:
        if path.suffix.lower() == ".csv":
            with path.open(encoding="utf-8-sig", newline="") as fh:
                for number, row in enumerate(csv.DictReader(fh), start=2):
                    yield number, _clean(row)
            return
        with path.open(encoding="utf-8-sig") as fh:
            for number, line in enumerate(fh, start=1):
                if not line.strip():
                    continue
                try:
                    row = json.loads(line)
                except ValueError:
                    yield number, {"_error": "not valid JSON"}
                    continue
                yield (
                    number,
                    _clean(row)
                    if isinstance(row, dict)
                    else {"_error": "not a JSON object"},
                )
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise MetadataError(f"{path}: {exc}") from exc


def _clean(row: dict[str, Any]) -> dict[str, str]:
    return {
        str(k).strip().lower(): unicodedata.normalize("NFC", str(v or "")).strip()
        for k, v in row.items()
    }


def _parse_date(value: str) -> date | None:
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return datetime.strptime(value, fmt).date()  # noqa: DTZ007 - a calendar date
        except ValueError:
            continue
    return None


def _check(row: dict[str, str], folder: Path) -> tuple[str | None, dict[str, Any]]:
    """(reason, values): reason is None when the row can be imported."""
    if "_error" in row:
        return row["_error"], {}
    missing = [c for c in REQUIRED if not row.get(c)]
    if missing:
        return f"missing column(s): {', '.join(missing)}", {}
    path = (folder / row["file"]).resolve()
    if folder.resolve() not in path.parents or not path.is_file():
        return "file not found", {}
    issued = _parse_date(row["date"])
    if issued is None:
        return f"bad date {row['date']!r} (dd/mm/yyyy)", {}
    doc_type = next(
        (t for t in TYPE_NAMES if t.casefold() == row["type"].casefold()), None
    )
    if doc_type is None:
        return f"unsupported type {row['type']!r}", {}
    number, _sep, notation = row["number"].partition("/")
    if len(number) > 11 or len(notation) > 30:
        return "number and notation too long", {}
    return None, {
        "path": path,
        "issuer_name": row["issuer"][:200],
        "issuer_code": row.get("issuer_code") or None,
        "code_number": number.strip(),
        "code_notation": notation.strip(),
        "issued_date": issued,
        "doc_type": doc_type,
        "subject": row["subject"][:500],
        "signer_name": (row.get("signer") or None),
    }


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1024 * 1024), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _already_imported(agency_id: int, sha256: str) -> int | None:
    return db.session.scalar(
        select(IncomingDocument.id)
        .join(StoredFile, IncomingDocument.main_file_id == StoredFile.id)
        .where(
            IncomingDocument.agency_id == agency_id,
            StoredFile.key == sha256,
            StoredFile.sha256 == sha256,
        )
        .limit(1)
    )


def _create(agency_id: int, values: dict[str, Any]) -> IncomingDocument:
    path: Path = values.pop("path")
    with path.open("rb") as stream:
        stored = store_file(
            stream, original_name=path.name, agency_id=agency_id, uploaded_by_id=None
        )
    issued_at = datetime.combine(values["issued_date"], time(0, 0))
    register = default_register(agency_id, secret=False)
    year = values["issued_date"].year
    doc = IncomingDocument(
        agency_id=agency_id,
        status=IncomingStatus.COMPLETED,
        source=Source.UPLOAD,
        main_file_id=stored.id,
        register_id=register.id,
        arrival_year=year,
        arrival_number=next_number(register.id, year),
        arrival_date=issued_at,
        completed_at=issued_at,
        result="Nhập từ kho lưu trữ",
        **values,
    )
    db.session.add(doc)
    db.session.flush()
    db.session.add(
        Event(
            document_id=doc.id,
            kind=EventKind.REGISTERED,
            text=f"Nhập từ kho lưu trữ: {path.name}",
        )
    )
    record(
        "incoming.import",
        agency_id=agency_id,
        obj=doc,
        file=stored.sha256,
        name=stored.original_name,
    )
    return doc


def import_folder(
    folder: Path,
    metadata: Path,
    agency_id: int,
    *,
    batch_size: int = 50,
    ocr: bool | None = None,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Import the rows of ``metadata`` (files in ``folder``) into the agency's archive."""
    report = ImportReport()
    rows = list(read_metadata(metadata))
    index = get_index()
    indexed = index.ids_with_versions()
    session = db.session()
    session.info[PAUSED] = True  # indexed per batch below, not one job per document
    try:
        for start in range(0, len(rows), batch_size):
            batch: list[IncomingDocument] = []
            for line, row in rows[start : start + batch_size]:
                reason, values = _check(row, folder)
                if reason is None:
                    existing = _already_imported(agency_id, _sha256(values["path"]))
                    if existing is not None:
                        report.skipped += 1
                        batch.append(
                            db.session.get(IncomingDocument, existing)
                        )  # re-indexed if needed
                        continue
                    try:
                        with db.session.begin_nested():
                            doc = _create(agency_id, values)
                            extract_document(doc, ocr=ocr)
                    except UploadRejected as exc:
                        reason = str(exc)
                    else:
                        batch.append(doc)
                        report.imported.append(doc.id)
                if reason is not None:
                    report.rejected.append(Rejected(line, row.get("file", ""), reason))
            db.session.commit()
            entries = [e for e in entries_for(batch) if indexed.get(e.id) != e.version]
            if entries:
                write_with_retry(lambda entries=entries: index.upsert(entries))
            if progress is not None:
                progress(len(rows[start : start + batch_size]))
    finally:
        session.info.pop(PAUSED, None)
    logger.info(
        "import into agency %s: %d imported, %d skipped, %d rejected",
        agency_id,
        len(report.imported),
        report.skipped,
        len(report.rejected),
    )
    return report
