"""Interchange jobs. They take ids and are safe to run twice."""

from __future__ import annotations

from ..jobs import enqueue_after_commit, job
from . import listeners as _listeners  # noqa: F401 - status 05 follows the timeline
from . import services


@job("interchange.deliver")
def deliver(message_id: int) -> None:
    """Post one outbox message (a sent message is left alone)."""
    services.deliver_message(message_id)


@job("interchange.validate_extra_files")
def validate_extra_files(incoming_id: int) -> None:
    """Check the signatures of a received packet's other files (attachments, appendices)."""
    services.validate_extra_files(incoming_id)


@job("interchange.status")
def send_status(
    incoming_id: int, code: str, change_receipt_id: int | None = None
) -> None:
    """Send status ``code`` about a document received by interchange (nothing for uploads);
    with ``change_receipt_id``, the answer to that revocation or update."""
    services.send_status(incoming_id, code, change_receipt_id)


@job("interchange.retry_due")
def retry_due() -> int:
    """Queue every outbox message whose next attempt is due: run it every minute (cron, timer)."""
    from ..extensions import db

    ids = services.due_messages()
    for message_id in ids:
        enqueue_after_commit(
            "interchange.deliver",
            message_id,
            job_id=f"interchange.deliver.{message_id}",
        )
    db.session.commit()
    return len(ids)
