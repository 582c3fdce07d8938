"""``docflow interchange flush --every SECONDS``: retries without cron, stopped by SIGTERM."""

from __future__ import annotations

import os
import signal
from datetime import timedelta

from sqlalchemy import select

from docflow.extensions import db
from docflow.interchange import jobs, services
from docflow.interchange.models import OutboxMessage


def test_the_loop_delivers_due_messages_and_stops_on_sigterm(
    pair, issue_document, monkeypatch
) -> None:
    remote_b = db.session.scalar(
        select(services.Agency).where(services.Agency.code == "000.00.70.H56")
    )
    pair.transport.down.add("http://b.test")
    doc = issue_document(pair.office_a, [remote_b])
    msg_id = db.session.scalar(
        select(OutboxMessage.id).where(OutboxMessage.outgoing_id == doc.id)
    )
    msg = db.session.get(OutboxMessage, msg_id)
    assert (msg.state, msg.attempts) == ("pending", 1)
    runner = pair.app_a.test_cli_runner()
    # Not due yet (back-off): one run queues nothing.
    result = runner.invoke(args=["interchange", "flush"])
    assert result.exit_code == 0 and "0 message(s) queued" in result.output
    # B is back and the next attempt is due.
    pair.transport.down.clear()
    msg = db.session.get(OutboxMessage, msg_id)
    msg.next_attempt_at -= timedelta(minutes=1)
    db.session.commit()

    real, runs = jobs.retry_due, []
    previous = signal.getsignal(signal.SIGTERM)

    def counted() -> int:
        """The real job; at the second run the operator's SIGTERM arrives."""
        runs.append(real())
        if len(runs) == 2:
            os.kill(os.getpid(), signal.SIGTERM)
        return runs[-1]

    monkeypatch.setattr(jobs, "retry_due", counted)
    result = runner.invoke(args=["interchange", "flush", "--every", "0.05"])
    assert result.exit_code == 0, result.output
    assert runs == [1, 0]  # delivered at the first run, nothing due at the second
    assert "stopped after 2 run(s)" in result.output
    assert signal.getsignal(signal.SIGTERM) is previous  # handlers restored
    db.session.expire_all()
    msg = db.session.get(OutboxMessage, msg_id)
    assert (msg.state, msg.attempts) == ("sent", 2)
    result = runner.invoke(args=["interchange", "flush", "--every", "0"])
    assert result.exit_code == 2 and "0.05" in result.output
