"""Storage benchmark: docflow's backends vs the raw minio SDK (prints JSON lines).

    .venv/bin/python bench/storage.py                # 1 MB and 100 MB, 5 rounds
    .venv/bin/python bench/storage.py --rounds 9 --sizes 1,10,100

Starts its own SeaweedFS (``weed mini`` on 127.0.0.1, data in a temporary folder).
Sources are files on disk (Werkzeug spools large uploads to a temporary file), each
round with new content so deduplication never skips an upload. Raw-SDK and docflow
runs alternate to share any drift. Lines:

* ``{"kind": "throughput", "backend", "impl", "op", "size_mb", "median_s", ...}``
* ``{"kind": "ratio", ...}``: docflow S3 / raw SDK, medians and minimums (goal 1.1)
* ``{"kind": "memory", ...}``: Python peak (tracemalloc) and RSS peak (VmHWM).
"""

from __future__ import annotations

import argparse
import hashlib
import io
import json
import os
import statistics
import sys
import tempfile
import time
import tracemalloc
import uuid
from collections.abc import Callable
from pathlib import Path

# This file is itself named "storage": keep bench/ off the path, the repo on it.
ROOT = Path(__file__).resolve().parents[1]
HERE = str(Path(__file__).resolve().parent)
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, str(ROOT))

from minio import Minio  # noqa: E402
from minio.commonconfig import CopySource  # noqa: E402

from storage import LocalStorage, S3Storage  # noqa: E402
from storage.testing import SeaweedServer  # noqa: E402

MB = 1_000_000
MiB = 1024 * 1024


class Pipe(io.RawIOBase):
    """A non-seekable view of a file (a stream docflow must spool)."""

    def __init__(self, f) -> None:
        super().__init__()
        self.f = f

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        return self.f.readinto(buffer)


def emit(**fields) -> None:
    print(json.dumps(fields), flush=True)


def make_source(directory: str, size: int) -> str:
    path = os.path.join(directory, f"src-{size}")
    block = os.urandom(MiB)
    with open(path, "wb") as f:
        left = size
        while left:
            f.write(block[: min(left, MiB)])
            left -= min(left, MiB)
    return path


def refresh(path: str) -> None:
    """New content (first 16 bytes) so every round uploads for real."""
    with open(path, "r+b") as f:
        f.write(uuid.uuid4().bytes)


def timed(fn: Callable[[], object]) -> float:
    started = time.perf_counter()
    fn()
    return time.perf_counter() - started


def drain(stream) -> None:
    while stream.read(MiB):
        pass


class Runner:
    def __init__(self, server: SeaweedServer, workdir: str, part_size: int) -> None:
        self.part_size = part_size
        # The SDK exactly as an application would build it (default pool).
        self.client = Minio(
            server.endpoint, server.access_key, server.secret_key, secure=False
        )
        self.bucket = "bench-raw"
        self.client.make_bucket(self.bucket)
        self.s3 = S3Storage(
            server.endpoint,
            server.access_key,
            server.secret_key,
            "bench-docflow",
            part_size=part_size,
        )
        self.s3.ensure_bucket()
        self.local = LocalStorage(os.path.join(workdir, "local"))

    # -- operations: each returns a callable doing one round ------------------

    def raw_put(self, path: str, name: str, *, defaults: bool = False) -> None:
        extra = {} if defaults else {"part_size": self.part_size}
        if not defaults:
            extra["num_parallel_uploads"] = self.s3.parallel_uploads
        with open(path, "rb") as f:
            self.client.put_object(self.bucket, name, f, os.path.getsize(path), **extra)

    def raw_get(self, name: str) -> None:
        response = self.client.get_object(self.bucket, name)
        try:
            for _ in response.stream(MiB):
                pass
        finally:
            response.close()
            response.release_conn()

    def temp_copy_put(self, path: str) -> None:
        """The rejected strategy: upload to a temporary name, copy, delete."""
        digest = hashlib.sha256()
        tmp_name = f"tmp/{uuid.uuid4().hex}"

        class Hashing(io.RawIOBase):
            def __init__(self, f) -> None:
                self.f = f

            def read(self, n: int = -1) -> bytes:
                data = self.f.read(n)
                digest.update(data)
                return data

        with open(path, "rb") as f:
            self.client.put_object(
                self.bucket, tmp_name, Hashing(f), -1, part_size=self.part_size
            )
        self.client.copy_object(
            self.bucket, digest.hexdigest(), CopySource(self.bucket, tmp_name)
        )
        self.client.remove_object(self.bucket, tmp_name)

    def docflow_put(self, backend, path: str, *, pipe: bool = False) -> str:
        with open(path, "rb") as f:
            return backend.put(Pipe(f) if pipe else f).key

    def docflow_get(self, backend, key: str) -> None:
        with backend.open(key) as stream:
            drain(stream)


def one_round(runner: Runner, path: str) -> dict[tuple[str, str, str], float]:
    """Time every (backend, implementation, operation) once on fresh content."""
    out: dict[tuple[str, str, str], float] = {}
    refresh(path)
    name = uuid.uuid4().hex
    out["s3", "raw-minio", "put"] = timed(lambda: runner.raw_put(path, name))
    started = time.perf_counter()
    key = runner.docflow_put(runner.s3, path)
    out["s3", "docflow", "put"] = time.perf_counter() - started
    out["s3", "raw-minio", "get"] = timed(lambda: runner.raw_get(name))
    out["s3", "docflow", "get"] = timed(lambda: runner.docflow_get(runner.s3, key))
    refresh(path)
    out["s3", "docflow-pipe", "put"] = timed(
        lambda: runner.docflow_put(runner.s3, path, pipe=True)
    )
    refresh(path)
    out["s3", "raw-minio-defaults", "put"] = timed(
        lambda: runner.raw_put(path, uuid.uuid4().hex, defaults=True)
    )
    refresh(path)
    out["s3", "temp-key+copy", "put"] = timed(lambda: runner.temp_copy_put(path))
    refresh(path)
    started = time.perf_counter()
    local_key = runner.docflow_put(runner.local, path)
    out["local", "docflow", "put"] = time.perf_counter() - started
    out["local", "docflow", "get"] = timed(
        lambda: runner.docflow_get(runner.local, local_key)
    )
    return out


def throughput(runner: Runner, path: str, size: int, rounds: int) -> None:
    size_mb = size / MB
    times: dict[tuple[str, str, str], list[float]] = {}
    for _ in range(rounds):
        for case, seconds in one_round(runner, path).items():
            times.setdefault(case, []).append(seconds)

    for (backend, impl, op), values in times.items():
        median = statistics.median(values)
        emit(
            kind="throughput",
            backend=backend,
            impl=impl,
            op=op,
            size_mb=size_mb,
            rounds=len(values),
            median_s=round(median, 4),
            min_s=round(min(values), 4),
            mb_per_s=round(size_mb / median, 1),
        )
    for op in ("put", "get"):
        ours, raw = times["s3", "docflow", op], times["s3", "raw-minio", op]
        emit(
            kind="ratio",
            op=op,
            size_mb=size_mb,
            # Medians suffer most from other load on the machine; minimums show
            # the cost of the code path itself.
            median_ratio=round(statistics.median(ours) / statistics.median(raw), 3),
            min_ratio=round(min(ours) / min(raw), 3),
            goal=1.1,
        )


def _reset_rss_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def _rss_peak_mb() -> float | None:
    try:
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return None


def memory(runner: Runner, path: str, size: int) -> None:
    """Peak memory of one put and one get of ``size`` bytes, per implementation."""
    refresh(path)
    raw_name = uuid.uuid4().hex
    keys: dict[str, str] = {}
    cases: list[tuple[str, str, str, Callable[[], object]]] = [
        ("s3", "raw-minio", "put", lambda: runner.raw_put(path, raw_name)),
        ("s3", "raw-minio", "get", lambda: runner.raw_get(raw_name)),
        (
            "s3",
            "docflow",
            "put",
            lambda: keys.__setitem__("s3", runner.docflow_put(runner.s3, path)),
        ),
        ("s3", "docflow", "get", lambda: runner.docflow_get(runner.s3, keys["s3"])),
        (
            "s3",
            "docflow-pipe",
            "put",
            lambda: runner.docflow_put(runner.s3, path, pipe=True),
        ),
        (
            "local",
            "docflow",
            "put",
            lambda: keys.__setitem__("local", runner.docflow_put(runner.local, path)),
        ),
        (
            "local",
            "docflow",
            "get",
            lambda: runner.docflow_get(runner.local, keys["local"]),
        ),
    ]
    for backend, impl, op, fn in cases:
        if impl == "docflow-pipe":
            refresh(path)
        rss_base = _rss_peak_mb() if _reset_rss_peak() else None
        tracemalloc.start()
        fn()
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        rss_peak = _rss_peak_mb() if rss_base is not None else None
        emit(
            kind="memory",
            backend=backend,
            impl=impl,
            op=op,
            size_mb=size / MB,
            tracemalloc_peak_mib=round(peak / MiB, 1),
            rss_peak_growth_mib=(
                None if rss_peak is None else round(rss_peak - rss_base, 1)
            ),
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--sizes", default="1,100", help="object sizes in MB")
    parser.add_argument("--part-size-mib", type=int, default=8)
    args = parser.parse_args()
    sizes = [int(float(s) * MB) for s in args.sizes.split(",")]
    with tempfile.TemporaryDirectory(prefix="bench-storage-") as workdir:
        server = SeaweedServer(os.path.join(workdir, "seaweed"))
        server.start()
        try:
            runner = Runner(server, workdir, args.part_size_mib * MiB)
            emit(
                kind="setup",
                endpoint=server.endpoint,
                cpus=os.cpu_count(),
                load_average=os.getloadavg(),
                part_size_mib=args.part_size_mib,
                parallel_uploads=runner.s3.parallel_uploads,
            )
            for size in sizes:
                path = make_source(workdir, size)
                # Warm-up: first request pays bucket volume allocation.
                runner.raw_put(path, "warm")
                runner.docflow_put(runner.s3, path)
                rounds = args.rounds if size >= 50 * MB else args.rounds * 4
                throughput(runner, path, size, rounds)
            memory(runner, make_source(workdir, max(sizes)), max(sizes))
        finally:
            server.stop()


if __name__ == "__main__":
    main()
