"""Uploads and storage maintenance.

Order of an upload: the bytes go to storage first, then the record is committed by the
caller together with whatever refers to it. If storage fails, no record is written; if
the commit fails, the orphan object is collected later by ``docflow storage gc``.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import timedelta
from typing import BinaryIO

from flask import current_app
from sqlalchemy import delete, select

from storage import Storage
from storage.errors import IntegrityError, ObjectNotFound, StorageError

from ..extensions import db
from ..timeutil import utcnow
from .models import OrphanCandidate, StoredFile
from .sniff import DOCUMENT_TYPES, EXTENSIONS, sniff

logger = logging.getLogger(__name__)


class UploadRejected(ValueError):
    """The upload is not acceptable; ``message`` is a gettext msgid, ``params`` its values."""

    def __init__(self, message: str, **params: object) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


def get_storage() -> Storage:
    return current_app.extensions["docflow.storage"]


def _size_of(stream: BinaryIO) -> int | None:
    try:
        return os.fstat(stream.fileno()).st_size
    except (AttributeError, OSError, ValueError):
        pass
    try:
        here = stream.tell()
        stream.seek(0, os.SEEK_END)
        size = stream.tell() - here
        stream.seek(here)
        return size
    except (AttributeError, OSError, ValueError):
        return None


def store_file(
    stream: BinaryIO,
    *,
    original_name: str,
    agency_id: int,
    uploaded_by_id: int | None,
    allowed: frozenset[str] = DOCUMENT_TYPES,
) -> StoredFile:
    """Check and store an upload; add its record to the session (the caller commits).

    Raises ``UploadRejected`` for content that is not accepted, and lets
    ``storage.errors.StorageError`` (e.g. ``StorageUnavailable``) through: no record is
    added in either case.
    """
    size = _size_of(stream)
    limit_mb = current_app.config["MAX_UPLOAD_MB"]
    if size == 0:
        raise UploadRejected("The file %(name)s is empty.", name=original_name)
    if size is not None and size > limit_mb * 1024 * 1024:
        raise UploadRejected(
            "The file %(name)s is larger than %(mb)d MB.",
            name=original_name,
            mb=limit_mb,
        )
    media_type = sniff(stream)
    if media_type is None or media_type not in allowed:
        kinds = ", ".join(sorted({EXTENSIONS[t].upper() for t in allowed}))
        raise UploadRejected(
            "The file %(name)s is not an accepted type (%(kinds)s).",
            name=original_name,
            kinds=kinds,
        )
    stored = get_storage().put(stream, content_type=media_type)
    record = StoredFile(
        key=stored.key,
        size=stored.size,
        sha256=stored.sha256,
        media_type=media_type,
        original_name=_clean_name(original_name),
        agency_id=agency_id,
        uploaded_by_id=uploaded_by_id,
    )
    db.session.add(record)
    db.session.flush()
    logger.info(
        "stored file %s (%s, %d bytes) for agency %s",
        record.id,
        media_type,
        stored.size,
        agency_id,
    )
    return record


def _clean_name(name: str) -> str:
    # Shown to users and used in Content-Disposition only: keep the base name, drop controls.
    base = name.replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = "".join(ch for ch in base if ch.isprintable()).strip()
    return cleaned[:255] or "file"


def open_file(record: StoredFile) -> BinaryIO:
    """A verifying stream over the record's bytes (raises IntegrityError on corruption)."""
    return get_storage().open(record.key)


# ------------------------------------------------------------------ maintenance
@dataclass
class VerifyProblem:
    key: str
    file_ids: list[int]
    problem: str  # "missing" | "corrupted" | "unreadable: ..."


def verify_objects(
    progress: Callable[[Iterator[str], int], Iterator[str]] | None = None,
) -> tuple[int, list[VerifyProblem]]:
    """Re-read every referenced object completely; return (checked, problems)."""
    storage = get_storage()
    rows = db.session.execute(
        select(StoredFile.key, StoredFile.id).order_by(StoredFile.key)
    ).all()
    by_key: dict[str, list[int]] = {}
    for key, file_id in rows:
        by_key.setdefault(key, []).append(file_id)
    keys: Iterator[str] = iter(by_key)
    if progress is not None:
        keys = progress(keys, len(by_key))
    problems = []
    for key in keys:
        try:
            with storage.open(key) as stream:
                while stream.read(1024 * 1024):
                    pass
        except ObjectNotFound:
            problems.append(VerifyProblem(key, by_key[key], "missing"))
        except IntegrityError:
            problems.append(VerifyProblem(key, by_key[key], "corrupted"))
        except StorageError as exc:
            problems.append(VerifyProblem(key, by_key[key], f"unreadable: {exc}"))
    return len(by_key), problems


@dataclass
class GcResult:
    deleted: list[str]
    pending: int  # orphans seen for the first time or still within the grace period


def collect_garbage(grace: timedelta, dry_run: bool = False) -> GcResult:
    """Delete stored objects no record refers to, once they have been orphans for ``grace``."""
    storage = get_storage()
    referenced = set(db.session.scalars(select(StoredFile.key).distinct()))
    orphans = {key for key in storage.iter_keys() if key not in referenced}
    known = {c.key: c for c in db.session.scalars(select(OrphanCandidate))}
    now = utcnow()
    deleted, pending = [], 0
    for key in orphans:
        candidate = known.get(key)
        if candidate is None:
            db.session.add(OrphanCandidate(key=key, first_seen=now))
            pending += 1
        elif now - candidate.first_seen >= grace:
            if not dry_run:
                storage.delete(key)
                db.session.delete(candidate)
            deleted.append(key)
        else:
            pending += 1
    # Keys referenced again (or gone) are no longer candidates.
    stale = [k for k in known if k not in orphans]
    if stale:
        db.session.execute(
            delete(OrphanCandidate).where(OrphanCandidate.key.in_(stale))
        )
    db.session.commit()
    return GcResult(deleted, pending)
