"""Run validations in a child process with a wall-clock timeout and a memory limit.

pyHanko parses attacker-supplied PDFs; some malformed files make it recurse, allocate
or loop for a long time. A long-lived child (``python -m signing.validation.worker``)
validates one file at a time; on timeout it is killed and a fresh one is started on
the next request. The child answers in JSON (never pickles: it handles hostile input).

Protocol on the child's stdin/stdout: a 4-byte big-endian length and a JSON header
(options), then an 8-byte length and the PDF bytes; the answer is a 4-byte length and
the report's ``to_dict()`` JSON.
"""

from __future__ import annotations

import atexit
import json
import logging
import os
import queue
import select
import struct
import subprocess
import sys
import threading
import time
from pathlib import Path

from .engine import ValidationOptions
from .report import ValidationReport

logger = logging.getLogger(__name__)

#: directory holding the ``signing`` package, so the child imports this same code
_IMPORT_ROOT = str(Path(__file__).resolve().parents[2])
DEFAULT_MEMORY_LIMIT = 1536 * 1024 * 1024


class ValidatorProcess:
    """One child process; not thread-safe on its own (``ValidatorPool`` is)."""

    def __init__(self, *, memory_limit: int = DEFAULT_MEMORY_LIMIT, max_requests=500):
        self.memory_limit = memory_limit
        self.max_requests = max_requests
        self._proc: subprocess.Popen | None = None
        self._owner = os.getpid()
        self._served = 0

    def _start(self) -> subprocess.Popen:
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (_IMPORT_ROOT, env.get("PYTHONPATH")) if p
        )
        cmd = [
            sys.executable,
            "-m",
            "signing.validation.worker",
            str(self.memory_limit),
        ]
        self._proc = subprocess.Popen(  # noqa: S603 - our own interpreter and module
            cmd,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env=env,
            close_fds=True,
        )
        self._owner = os.getpid()
        self._served = 0
        return self._proc

    def close(self):
        proc, self._proc = self._proc, None
        if proc is None or self._owner != os.getpid():
            return
        try:
            proc.stdin.close()
            proc.wait(timeout=2)
        except (OSError, subprocess.TimeoutExpired):
            proc.kill()
            proc.wait()
        finally:
            proc.stdout.close()

    def _kill(self):
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.kill()
            proc.wait()
            proc.stdout.close()
            try:
                proc.stdin.close()
            except OSError:
                pass

    def validate(
        self, data: bytes, options: ValidationOptions, timeout: float
    ) -> ValidationReport:
        """Validate in the child; timeouts and crashes become INDETERMINATE reports."""
        if self._owner != os.getpid():
            # forked (e.g. gunicorn --preload): the child and pipes are the parent's
            self._proc = None
        if self._proc is None or self._proc.poll() is not None:
            self._start()
        proc = self._proc
        start = time.monotonic()
        header = json.dumps(options.to_json()).encode()
        try:
            proc.stdin.write(struct.pack(">I", len(header)) + header)
            proc.stdin.write(struct.pack(">Q", len(data)))
            proc.stdin.write(data)
            proc.stdin.flush()
            size = struct.unpack(">I", self._read(4, start + timeout))[0]
            answer = json.loads(self._read(size, start + timeout))
        except TimeoutError:
            self._kill()
            return ValidationReport.failure("TIMEOUT", f"more than {timeout:g} s")
        except (OSError, EOFError, ValueError, struct.error) as exc:
            code = proc.poll()
            self._kill()
            if code is not None and code < 0 or code == 137:
                return ValidationReport.failure("RESOURCE_LIMIT", f"exit code {code}")
            return ValidationReport.failure(
                "INTERNAL_ERROR", f"validator process failed ({exc!r}, code {code})"
            )
        self._served += 1
        if self._served >= self.max_requests:
            self.close()  # bounds any slow leak in long-running servers
        return ValidationReport.from_dict(answer)

    def _read(self, n: int, deadline: float) -> bytes:
        fd = self._proc.stdout.fileno()
        chunks, remaining = [], n
        while remaining:
            wait = deadline - time.monotonic()
            if wait <= 0:
                raise TimeoutError
            ready, _, _ = select.select([fd], [], [], wait)
            if not ready:
                raise TimeoutError
            chunk = os.read(fd, min(remaining, 1 << 20))
            if not chunk:
                raise EOFError("validator process closed its output")
            chunks.append(chunk)
            remaining -= len(chunk)
        return b"".join(chunks)


class ValidatorPool:
    """A few ``ValidatorProcess`` children shared by threads (started lazily)."""

    def __init__(self, size: int = 1, **kwargs):
        self._idle: queue.Queue[ValidatorProcess] = queue.Queue()
        self._all = [ValidatorProcess(**kwargs) for _ in range(size)]
        for p in self._all:
            self._idle.put(p)

    def validate(self, data: bytes, options: ValidationOptions, timeout: float):
        worker = self._idle.get()
        try:
            return worker.validate(data, options, timeout)
        finally:
            self._idle.put(worker)

    def close(self):
        for p in self._all:
            p.close()


_default_pool: ValidatorPool | None = None
_default_pid: int | None = None
_default_lock = threading.Lock()


def default_pool() -> ValidatorPool:
    """The process-wide pool used by ``validate_pdf`` (one child per CPU, max 4).

    A forked process (gunicorn worker) gets its own pool on first use.
    """
    global _default_pool, _default_pid
    with _default_lock:
        if _default_pool is None or _default_pid != os.getpid():
            _default_pool = ValidatorPool(size=min(4, os.cpu_count() or 1))
            _default_pid = os.getpid()
            atexit.register(_default_pool.close)
        return _default_pool
