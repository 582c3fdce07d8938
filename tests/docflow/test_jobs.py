from __future__ import annotations

import os
import subprocess
import sys
import uuid

import pytest

from docflow.audit.models import AuditEntry
from docflow.extensions import db
from docflow.jobs import InlineQueue, RQQueue, enqueue_after_commit


def _heartbeats() -> list[str]:
    db.session.expire_all()
    return db.session.scalars(
        db.select(AuditEntry.object_id).where(AuditEntry.action == "system.heartbeat")
    ).all()


def test_inline_queue_runs_after_commit_only(app) -> None:
    assert isinstance(app.extensions["docflow.jobs"], InlineQueue)
    enqueue_after_commit("system.heartbeat", "rolled-back")
    db.session.rollback()
    db.session.commit()
    assert _heartbeats() == []
    enqueue_after_commit("system.heartbeat", "t1")
    assert _heartbeats() == []  # not before the commit
    db.session.commit()
    assert _heartbeats() == ["t1"]


def test_jobs_are_safe_to_run_twice(app) -> None:
    queue = app.extensions["docflow.jobs"]
    queue.enqueue("system.heartbeat", "same")
    queue.enqueue("system.heartbeat", "same")
    assert _heartbeats() == ["same"]


def test_unknown_job_is_refused(app) -> None:
    with pytest.raises(KeyError):
        enqueue_after_commit("no.such.job")


@pytest.mark.redis
def test_rq_queue_with_a_real_redis_and_worker(make_app, redis_url, tmp_path) -> None:
    app = make_app(JOB_QUEUE="rq", REDIS_URL=redis_url)
    token = uuid.uuid4().hex
    with app.app_context():
        queue = app.extensions["docflow.jobs"]
        assert isinstance(queue, RQQueue)
        enqueue_after_commit("system.heartbeat", token, job_id=f"hb-{token}")
        db.session.commit()
        # Idempotent enqueue: the same job id while pending is not queued twice.
        assert (
            queue.enqueue("system.heartbeat", token, job_id=f"hb-{token}")
            == f"hb-{token}"
        )
        assert queue.queue.count == 1
        assert _heartbeats() == []  # nothing ran in this process
    env = dict(
        os.environ,
        DOCFLOW_INSTANCE_PATH=str(tmp_path / "instance"),
        DOCFLOW_SQLALCHEMY_DATABASE_URI=app.config["SQLALCHEMY_DATABASE_URI"],
        DOCFLOW_JOB_QUEUE="rq",
        DOCFLOW_REDIS_URL=redis_url,
        DOCFLOW_SECRET_KEY="test-secret-key-0123456789",
    )
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            "from docflow.cli import main; main()",
            "worker",
            "--burst",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    with app.app_context():
        assert _heartbeats() == [token]
        assert queue.queue.count == 0


@pytest.mark.redis
def test_rq_queue_accepts_the_job_ids_docflow_uses(make_app, redis_url) -> None:
    """Ids such as ``interchange.deliver.5`` or ``name:date``: RQ 2 refuses dots and colons."""
    app = make_app(JOB_QUEUE="rq", REDIS_URL=redis_url, RQ_QUEUE="docflow-ids")
    with app.app_context():
        queue = app.extensions["docflow.jobs"]
        assert queue.queue.name == "docflow-ids"
        first = queue.enqueue("system.heartbeat", "x", job_id="interchange.deliver.5")
        again = queue.enqueue("system.heartbeat", "x", job_id="interchange.deliver.5")
        daily = queue.enqueue("system.heartbeat", "y", job_id="a.b:2026-11-25")
        assert first == again and first != daily
        assert queue.queue.count == 2


def test_worker_refuses_inline_queue(app) -> None:
    result = app.test_cli_runner().invoke(args=["worker", "--burst"])
    assert result.exit_code != 0 and "inline" in result.output


def test_released_savepoint_does_not_run_jobs_early(app) -> None:
    enqueue_after_commit("system.heartbeat", "after-outer-commit")
    with db.session.begin_nested():
        pass  # releasing the SAVEPOINT fires after_commit too
    assert _heartbeats() == []
    db.session.commit()
    assert _heartbeats() == ["after-outer-commit"]
