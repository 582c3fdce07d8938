"""Background jobs: one small interface, an inline default and RQ + Redis workers.

Jobs are plain functions registered by name with ``@job("name")``; they take ids, are
safe to run twice and return quietly when their row is gone. Enqueue after commit:
``enqueue_after_commit`` defers the enqueue until the current transaction commits.
"""

from .queue import (
    InlineQueue,
    JobQueue,
    RQQueue,
    build_queue,
    enqueue_after_commit,
    job,
    registry,
)

__all__ = [
    "InlineQueue",
    "JobQueue",
    "RQQueue",
    "build_queue",
    "enqueue_after_commit",
    "job",
    "registry",
]
