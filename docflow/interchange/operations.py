"""What operators do with the interchange: the peer directory and the outbox.

Used by ``docflow interchange peer`` and the administration pages; each change records
an audit entry in the caller's transaction (the caller commits).
"""

from __future__ import annotations

import os
import re
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import select

from ..audit.services import record
from ..extensions import db
from ..timeutil import utcnow
from .models import OutboxMessage, Peer

#: Environment variable names: letters, digits and underscores.
ENV_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,63}$")
PEER_FIELDS = ("agency_code", "endpoint", "secret_env", "active", "seal_required")


class PeerInvalid(ValueError):
    """A peer value is refused: ``field`` names it, the message says why."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field, self.message = field, message


def endpoint_problem(url: str) -> str | None:
    """Why ``url`` is not a usable base URL of another instance (None if it is)."""
    parts = urlsplit(url or "")
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return "the endpoint is a base URL: https://docflow.example.gov.vn"
    if parts.query or parts.fragment or parts.username or parts.password:
        return "the endpoint carries no query, fragment or credentials"
    return None


def secret_is_set(peer: Peer) -> bool:
    """Whether the shared secret's variable is set (16+ characters) in this process."""
    return len(os.environ.get(peer.secret_env, "")) >= 16


def save_peer(peer: Peer | None, values: dict[str, Any], *, actor: Any = None) -> Peer:
    """Create (peer=None) or change a peer row after checking its values (no commit)."""
    if problem := endpoint_problem(values.get("endpoint", "")):
        raise PeerInvalid("endpoint", problem)
    if not ENV_NAME_RE.match(values.get("secret_env", "")):
        raise PeerInvalid(
            "secret_env",
            "the secret's variable name is letters, digits and _ (e.g. DOCFLOW_PEER_X)",
        )
    code = values.get("agency_code", "")
    if not code or len(code) > 32:
        raise PeerInvalid("agency_code", "the agency code is 1 to 32 characters")
    clash = db.session.scalar(select(Peer).where(Peer.agency_code == code))
    if clash is not None and clash is not peer:
        raise PeerInvalid("agency_code", "this agency already has a peer row")
    if peer is None:
        peer = Peer(**{k: values[k] for k in PEER_FIELDS if k in values})
        db.session.add(peer)
        db.session.flush()
        record(
            "interchange.peer_create",
            actor=actor,
            obj=peer,
            **{k: getattr(peer, k) for k in PEER_FIELDS},
        )
        return peer
    changes = {}
    for key in PEER_FIELDS:
        if key in values and getattr(peer, key) != values[key]:
            changes[key] = [getattr(peer, key), values[key]]
            setattr(peer, key, values[key])
    if changes:
        db.session.flush()
        record(
            "interchange.peer_update",
            actor=actor,
            obj=peer,
            agency_code=peer.agency_code,
            changes=changes,
        )
    return peer


def retry_now(msg: OutboxMessage, *, actor: Any = None) -> bool:
    """Make a pending or failed message due now, with a fresh round of attempts if failed.

    Sent messages are left alone (False). The payload is never changed or dropped: the
    message is posted again by ``interchange.deliver`` after the caller commits.
    """
    from ..jobs import enqueue_after_commit

    if msg.state not in ("pending", "failed"):
        return False
    before = msg.state
    if msg.state == "failed":
        msg.state, msg.attempts = "pending", 0
    msg.next_attempt_at = utcnow()
    record(
        "interchange.outbox_retry",
        actor=actor,
        obj=msg,
        receiver=msg.receiver_code,
        document_id=msg.edxml_document_id,
        state_before=before,
    )
    enqueue_after_commit(
        "interchange.deliver", msg.id, job_id=f"interchange.deliver.{msg.id}"
    )
    return True
