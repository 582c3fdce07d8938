"""Writing and verifying the audit trail.

Each entry's hash is SHA-256 over a canonical JSON serialisation of its fields and the
previous entry's hash, so editing or deleting any row breaks the chain from there on.
Entries are added to the caller's transaction: the change and its record commit together.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import event, select, text
from sqlalchemy.orm import Session

from ..extensions import db
from ..timeutil import utcnow
from .models import AuditEntry

GENESIS = "0" * 64


class AuditTamperError(Exception):
    """An ORM update or delete of an audit row was attempted."""


def canonical(entry: AuditEntry) -> bytes:
    payload = {
        "seq": entry.seq,
        "at": entry.at.isoformat(timespec="microseconds"),
        "actor_id": entry.actor_id,
        "agency_id": entry.agency_id,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "details": json.loads(entry.details or "{}"),
        "ip": entry.ip,
        "prev_hash": entry.prev_hash,
    }
    return json.dumps(
        payload, sort_keys=True, ensure_ascii=False, separators=(",", ":")
    ).encode()


def compute_hash(entry: AuditEntry) -> str:
    return hashlib.sha256(canonical(entry)).hexdigest()


def record(
    action: str,
    *,
    actor: Any = None,
    agency_id: int | None = None,
    obj: Any = None,
    object_type: str | None = None,
    object_id: Any = None,
    ip: str | None = None,
    **details: Any,
) -> AuditEntry:
    """Append an entry to the current transaction (the caller commits)."""
    session = db.session
    # Unwrap Flask-Login's current_user proxy (and any other LocalProxy).
    actor = (
        actor._get_current_object() if hasattr(actor, "_get_current_object") else actor
    )
    obj = obj._get_current_object() if hasattr(obj, "_get_current_object") else obj
    if session.get_bind().dialect.name == "postgresql":
        # Serialise writers of the chain; released at commit/rollback.
        session.execute(text("SELECT pg_advisory_xact_lock(7411)"))
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    if obj is not None:
        object_type = object_type or type(obj).__tablename__
        object_id = object_id if object_id is not None else getattr(obj, "id", None)
    entry = AuditEntry(
        seq=(last.seq + 1) if last else 1,
        at=utcnow(),
        actor_id=getattr(actor, "id", actor),
        agency_id=agency_id
        if agency_id is not None
        else getattr(actor, "agency_id", None),
        action=action,
        object_type=object_type,
        object_id=None if object_id is None else str(object_id),
        details=json.dumps(details, sort_keys=True, ensure_ascii=False, default=str),
        ip=ip,
        prev_hash=last.hash if last else GENESIS,
    )
    entry.hash = compute_hash(entry)
    session.add(entry)
    return entry


@dataclass
class VerifyResult:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    reason: str | None = None


def verify_chain(batch: int = 1000) -> VerifyResult:
    """Walk the chain in order; report the first entry altered, removed or out of place."""
    expected_prev, expected_seq, checked = GENESIS, 1, 0
    for entry in _iter_entries(batch):
        if entry.seq != expected_seq:
            return VerifyResult(
                False,
                checked,
                expected_seq,
                f"entry {expected_seq} is missing (removed)",
            )
        if entry.prev_hash != expected_prev:
            return VerifyResult(
                False, checked, entry.seq, "link to the previous entry is broken"
            )
        if compute_hash(entry) != entry.hash:
            return VerifyResult(
                False, checked, entry.seq, "content does not match its hash (altered)"
            )
        expected_prev, expected_seq, checked = entry.hash, expected_seq + 1, checked + 1
    return VerifyResult(True, checked)


def _iter_entries(batch: int) -> Iterator[AuditEntry]:
    last_seq = 0
    while True:
        rows = db.session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            return
        yield from rows
        last_seq = rows[-1].seq
        for row in rows:
            db.session.expunge(row)


@event.listens_for(Session, "before_flush")
def _refuse_audit_changes(session: Session, _ctx: Any, _instances: Any) -> None:
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, AuditEntry):
            raise AuditTamperError("the audit trail is append-only")
