"""Behaviour every ``Storage`` backend must have (run on each implementation)."""

from __future__ import annotations

import hashlib
import io
import threading
import tracemalloc

import pytest

from storage import (
    IntegrityError,
    InvalidKey,
    ObjectNotFound,
    RetentionUnsupported,
    Storage,
    StoredObject,
)

MiB = 1024 * 1024


class GeneratedStream(io.RawIOBase):
    """Non-seekable stream of ``size`` bytes made chunk by chunk, never whole."""

    def __init__(self, size: int, seed: bytes = b"docflow") -> None:
        super().__init__()
        self.remaining = size
        self.block = hashlib.sha256(seed).digest() * (MiB // 32)
        self.index = 0
        self.sha256 = hashlib.sha256()

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        n = min(len(buffer), self.remaining, len(self.block))
        if n == 0:
            return 0
        self.index += 1
        chunk = self.index.to_bytes(8, "big") + self.block[8:n]
        chunk = chunk[:n]
        buffer[:n] = chunk
        self.sha256.update(chunk)
        self.remaining -= n
        return n


def sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def test_round_trip(backend: Storage) -> None:
    data = "Công văn số 12/UBND — bản gốc".encode()
    stored = backend.put(io.BytesIO(data), content_type="application/pdf")
    assert stored == StoredObject(sha(data), len(data), sha(data), "application/pdf")
    assert backend.stat(stored.key) == stored
    assert backend.exists(stored.key)
    assert backend.get_bytes(stored.key) == data
    with backend.open(stored.key) as stream:
        assert stream.read(5) + stream.read() == data


def test_put_reads_from_current_position(backend: Storage) -> None:
    source = io.BytesIO(b"HEADER" + b"body of the document")
    source.seek(6)
    stored = backend.put(source)
    assert stored.key == sha(b"body of the document")
    assert backend.get_bytes(stored.key) == b"body of the document"


def test_non_seekable_source(backend: Storage) -> None:
    source = GeneratedStream(3 * MiB + 5)
    stored = backend.put(source, content_type="application/pdf")  # type: ignore[arg-type]
    assert stored.key == source.sha256.hexdigest()
    assert stored.size == 3 * MiB + 5
    assert hashlib.sha256(backend.get_bytes(stored.key)).hexdigest() == stored.key


def test_empty_object(backend: Storage) -> None:
    stored = backend.put(io.BytesIO(b""))
    assert stored.size == 0
    assert backend.get_bytes(stored.key) == b""


def test_identical_content_is_stored_once(backend: Storage) -> None:
    first = backend.put(io.BytesIO(b"same bytes"), content_type="text/plain")
    second = backend.put(io.BytesIO(b"same bytes"), content_type="application/pdf")
    other = backend.put(io.BytesIO(b"other bytes"))
    assert second.key == first.key != other.key
    assert second.content_type == "text/plain"  # the first put wins
    assert sorted(backend.iter_keys()) == sorted([first.key, other.key])


def test_missing_object(backend: Storage) -> None:
    key = sha(b"never stored")
    assert not backend.exists(key)
    with pytest.raises(ObjectNotFound):
        backend.stat(key)
    with pytest.raises(ObjectNotFound):
        backend.open(key)
    backend.delete(key)  # idempotent


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../../etc/passwd",
        "A" * 64,
        "a" * 63,
        "a" * 65,
        "g" * 64,
        None,
        42,
        "ab/cd/" + "a" * 58,
        "a" * 64 + "\n",
    ],
)
def test_invalid_key_rejected(backend: Storage, key: object) -> None:
    for call in (
        backend.open,
        backend.stat,
        backend.delete,
        backend.exists,
        backend.get_bytes,
        backend.set_legal_hold,
    ):
        with pytest.raises(InvalidKey):
            call(key)  # type: ignore[arg-type]
    assert issubclass(InvalidKey, ValueError)


@pytest.mark.parametrize("content_type", ["", "text/plain\r\nX-Evil: 1", "tệp/pdf"])
def test_invalid_content_type_rejected(backend: Storage, content_type: str) -> None:
    with pytest.raises(ValueError, match="content type"):
        backend.put(io.BytesIO(b"x"), content_type=content_type)
    assert list(backend.iter_keys()) == []


def test_delete(backend: Storage) -> None:
    kept = backend.put(io.BytesIO(b"kept"))
    gone = backend.put(io.BytesIO(b"gone"))
    backend.delete(gone.key)
    assert not backend.exists(gone.key)
    assert list(backend.iter_keys()) == [kept.key]
    # Storing it again after deletion works.
    assert backend.put(io.BytesIO(b"gone")).key == gone.key
    assert backend.get_bytes(gone.key) == b"gone"


def test_iter_keys(backend: Storage) -> None:
    assert list(backend.iter_keys()) == []
    keys = {backend.put(io.BytesIO(b"doc %d" % i)).key for i in range(25)}
    listed = list(backend.iter_keys())
    assert len(listed) == 25
    assert set(listed) == keys


@pytest.mark.parametrize("same_size", [True, False])
def test_corrupted_object_raises(backend: Storage, overwrite, same_size) -> None:
    data = b"original signed document " * 1000
    stored = backend.put(io.BytesIO(data))
    bad = data.replace(b"signed", b"forged") if same_size else data + b"!"
    overwrite(backend, stored.key, bad)
    with pytest.raises(IntegrityError):
        backend.get_bytes(stored.key)
    # Reading exactly the expected size, without hitting EOF, is caught too.
    with backend.open(stored.key) as stream, pytest.raises(IntegrityError):
        while stream.read(4096):
            pass


def test_large_object_streams_in_bounded_memory(backend: Storage) -> None:
    size = 50 * MiB
    source = GeneratedStream(size)
    tracemalloc.start()
    try:
        stored = backend.put(source)
        _, put_peak = tracemalloc.get_traced_memory()
        tracemalloc.reset_peak()
        digest = hashlib.sha256()
        with backend.open(stored.key) as stream:
            while chunk := stream.read(MiB):
                digest.update(chunk)
        _, get_peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert stored.size == size
    assert stored.key == source.sha256.hexdigest() == digest.hexdigest()
    # Bounded by the buffers, not by the size: S3 holds the parts being
    # uploaded (about parallel_uploads + 2 of them), local storage one chunk.
    parts = getattr(backend, "parallel_uploads", -2) + 3
    bound = parts * getattr(backend, "part_size", 0) + 8 * MiB
    assert put_peak < min(bound, size * 2 // 3), put_peak
    assert get_peak < 8 * MiB, get_peak


def test_concurrent_puts_of_same_content(backend: Storage) -> None:
    data = b"%d" * (300 * 1024)  # several chunks
    barrier = threading.Barrier(8)
    results: list[StoredObject] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            barrier.wait()
            results.append(backend.put(io.BytesIO(data)))
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not errors
    assert {r.key for r in results} == {sha(data)}
    assert len(results) == 8
    assert list(backend.iter_keys()) == [sha(data)]
    assert backend.get_bytes(sha(data)) == data


def test_legal_hold_unsupported_is_reported(backend: Storage) -> None:
    """Default backends (local, S3 bucket without object lock) refuse WORM."""
    stored = backend.put(io.BytesIO(b"to be archived"))
    with pytest.raises(RetentionUnsupported):
        backend.set_legal_hold(stored.key)
