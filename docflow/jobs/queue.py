"""Job queue interface and its two implementations."""

from __future__ import annotations

import abc
import logging
import re
from collections.abc import Callable
from typing import Any

from flask import current_app
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db

logger = logging.getLogger(__name__)

_RQ_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")

#: name -> function. Names, not dotted paths, travel through Redis.
registry: dict[str, Callable[..., Any]] = {}


def job(name: str) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Register a background job under ``name``."""

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if name in registry and registry[name] is not func:
            raise ValueError(f"job {name!r} registered twice")
        registry[name] = func
        return func

    return decorator


class JobQueue(abc.ABC):
    """Where background work goes.

    ``enqueue(name, *args, job_id=None)`` runs the registered job ``name`` with ``args``
    some time later (or at once for the inline queue). ``job_id`` makes enqueueing
    idempotent: a second enqueue with the same id while the first is pending is ignored.
    Arguments must be plain values (ids, strings), never ORM objects.
    """

    @abc.abstractmethod
    def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> str | None:
        """Queue a job; returns its id (None when it already ran inline)."""


class InlineQueue(JobQueue):
    """Runs each job in-process at once. The embedded default: no server needed.

    A failing job is logged and does not break the request that queued it (the same as
    with a worker), but tests can set ``raise_errors`` to see failures.
    """

    def __init__(self, raise_errors: bool = False) -> None:
        self.raise_errors = raise_errors

    def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> str | None:
        func = registry[name]
        try:
            func(*args)
        except Exception:
            logger.exception("inline job %s%r failed", name, args)
            if self.raise_errors:
                raise
        return None


class RQQueue(JobQueue):
    """Queues jobs in Redis for ``docflow worker`` processes (RQ)."""

    def __init__(
        self, redis_url: str, name: str = "docflow", job_timeout: int = 600
    ) -> None:
        from redis import Redis
        from rq import Queue

        self.connection = Redis.from_url(redis_url)
        self.queue = Queue(
            name, connection=self.connection, default_timeout=job_timeout
        )

    def enqueue(self, name: str, *args: Any, job_id: str | None = None) -> str | None:
        if name not in registry:
            raise KeyError(f"unknown job {name!r}")
        if job_id is not None:
            from rq.exceptions import NoSuchJobError
            from rq.job import Job, JobStatus

            job_id = rq_job_id(job_id)

            try:
                existing = Job.fetch(job_id, connection=self.connection)
            except NoSuchJobError:
                existing = None
            if existing is not None and existing.get_status() in {
                JobStatus.QUEUED,
                JobStatus.STARTED,
                JobStatus.DEFERRED,
                JobStatus.SCHEDULED,
            }:
                return job_id
        rq_job = self.queue.enqueue(
            "docflow.jobs.runner.run_job",
            name,
            *args,
            job_id=job_id,
            retry=_retry(),
            failure_ttl=7 * 24 * 3600,
        )
        return rq_job.id


def rq_job_id(job_id: str) -> str:
    """Our job ids (``interchange.deliver.5``, ``name:date``) as RQ accepts them.

    RQ 2 refuses ids with anything but letters, digits, ``_`` and ``-``.
    """
    return _RQ_ID_UNSAFE.sub("_", job_id)


def _retry() -> Any:
    from rq import Retry

    return Retry(max=3, interval=[10, 60, 300])


def build_queue(settings: dict[str, Any]) -> JobQueue:
    """Build the queue named by JOB_QUEUE (a plain dict of short names)."""
    kinds: dict[str, Callable[[], JobQueue]] = {
        "inline": lambda: InlineQueue(raise_errors=bool(settings.get("TESTING"))),
        "rq": lambda: RQQueue(
            settings["REDIS_URL"], settings.get("RQ_QUEUE") or "docflow"
        ),
    }
    return kinds[settings["JOB_QUEUE"]]()


def enqueue_after_commit(name: str, *args: Any, job_id: str | None = None) -> None:
    """Enqueue once the current transaction commits; dropped if it rolls back."""
    if name not in registry:
        raise KeyError(f"unknown job {name!r}")
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    session = db.session()
    if session.get_transaction() is None:
        session.begin()  # so that a rollback (even with no SQL yet) drops the job
    session.info.setdefault("docflow.pending_jobs", []).append(
        (app, name, args, job_id)
    )


@event.listens_for(Session, "after_commit")
def _run_pending(session: Session) -> None:
    # SQLAlchemy also fires after_commit when a SAVEPOINT (begin_nested) is released:
    # only the outermost commit makes the work visible to a job.
    if session.in_nested_transaction():
        return
    pending = session.info.pop("docflow.pending_jobs", [])
    for app, name, args, job_id in pending:
        with app.app_context():
            app.extensions["docflow.jobs"].enqueue(name, *args, job_id=job_id)


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, _previous_transaction: Any) -> None:
    session.info.pop("docflow.pending_jobs", None)
