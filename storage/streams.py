"""Hashing helpers shared by the backends: verifying reader, spooling, hashing."""

from __future__ import annotations

import hashlib
import io
import itertools
import os
import tempfile
from collections.abc import Callable
from typing import BinaryIO

from storage.errors import IntegrityError, StorageError

CHUNK_SIZE = 1024 * 1024


class VerifyingReader(io.RawIOBase):
    """Read-only stream that checks size and SHA-256 of what passes through.

    The final chunk is withheld (``IntegrityError`` raised instead) if the digest
    does not match, and reading past the expected size fails immediately.
    ``translate`` maps backend errors raised while reading (e.g. a dropped
    connection) to storage errors.
    """

    def __init__(
        self,
        raw: BinaryIO,
        *,
        key: str,
        size: int,
        close: Callable[[], None] | None = None,
        translate: Callable[[Exception], Exception] | None = None,
    ) -> None:
        super().__init__()
        self._raw = raw
        self._key = key
        self._size = size
        self._close = close or raw.close
        self._translate = translate
        self._hash = hashlib.sha256()
        self._seen = 0

    def readable(self) -> bool:
        return True

    def read(self, size: int | None = -1) -> bytes:
        if size is None or size < 0:
            return self.readall()
        if size == 0:
            return b""
        try:
            data = self._raw.read(size)
        except Exception as exc:
            if self._translate is None:
                raise
            raise self._translate(exc) from exc
        self._account(data)
        return data

    def readall(self) -> bytes:
        chunks = []
        while data := self.read(CHUNK_SIZE):
            chunks.append(data)
        return b"".join(chunks)

    def readinto(self, buffer) -> int:  # type: ignore[override]
        with memoryview(buffer) as view, view.cast("B") as target:
            data = self.read(len(target))
            target[: len(data)] = data
        return len(data)

    def _account(self, data: bytes) -> None:
        if not data:
            if self._seen != self._size:
                raise IntegrityError(
                    f"object {self._key} truncated: {self._seen} of {self._size} bytes"
                )
            self._check_digest()
            return
        self._seen += len(data)
        if self._seen > self._size:
            raise IntegrityError(
                f"object {self._key} longer than its {self._size} bytes"
            )
        self._hash.update(data)
        if self._seen == self._size:
            # Check before handing out the last chunk, even if the caller never
            # reads again to see EOF.
            self._check_digest()

    def _check_digest(self) -> None:
        if self._hash.hexdigest() != self._key:
            raise IntegrityError(f"object {self._key} does not match its hash")

    def close(self) -> None:
        if not self.closed:
            try:
                self._close()
            finally:
                super().close()


class HashingReader:
    """Wraps a source stream and hashes every byte read through it."""

    def __init__(self, raw: BinaryIO) -> None:
        self._raw = raw
        self.hash = hashlib.sha256()
        self.size = 0

    def read(self, n: int = -1) -> bytes:
        data = self._raw.read(n)
        self.hash.update(data)
        self.size += len(data)
        return data


def hash_in_place(stream: BinaryIO) -> tuple[str, int] | None:
    """Hash a seekable stream from its position and rewind it; None if unseekable.

    Avoids copying sources that already are files (Werkzeug spools large uploads
    to a temporary file), which is the cheapest path for big documents.
    """
    try:
        if not stream.seekable():
            return None
        start = stream.tell()
    except (AttributeError, OSError, ValueError):
        return None
    digest = hashlib.sha256()
    size = 0
    while chunk := stream.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
    stream.seek(start)
    return digest.hexdigest(), size


def position(stream: BinaryIO) -> int | None:
    """The stream's position if it can seek back there, else None."""
    try:
        return stream.tell() if stream.seekable() else None
    except (AttributeError, OSError, ValueError):
        return None


def read_at_most(stream: BinaryIO, limit: int) -> bytes:
    """Read until ``limit`` bytes or the end of the stream."""
    buffer = io.BytesIO()
    while buffer.tell() < limit:
        data = stream.read(min(CHUNK_SIZE, limit - buffer.tell()))
        if not data:
            break
        buffer.write(data)
    return buffer.getvalue()


def spool(
    stream: BinaryIO, directory: str | None = None, *, prefix: bytes = b""
) -> tuple[BinaryIO, str, int]:
    """Copy ``prefix`` then ``stream`` into a temporary file while hashing them.

    Returns the open temporary file (rewound; deleted when closed), the SHA-256
    hex digest and the size.
    """
    try:
        tmp = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - caller closes
    except OSError as exc:
        raise StorageError(f"cannot create a temporary file: {exc}") from exc
    try:
        digest, size = copy_hashing(stream, tmp, prefix=prefix)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp, digest, size


def copy_hashing(
    src: BinaryIO, dst: BinaryIO, *, prefix: bytes = b"", fsync: bool = False
) -> tuple[str, int]:
    """Copy ``prefix`` then ``src`` to ``dst`` in chunks; return (SHA-256, size).

    Errors of the source (a dropped upload) propagate unchanged; failing to
    write the copy is a ``StorageError``.
    """
    digest = hashlib.sha256()
    size = 0
    rest = iter(lambda: src.read(CHUNK_SIZE), b"")
    for chunk in itertools.chain([prefix] if prefix else [], rest):
        digest.update(chunk)
        size += len(chunk)
        try:
            dst.write(chunk)
        except OSError as exc:
            raise StorageError(f"cannot write temporary copy: {exc}") from exc
    try:
        dst.flush()
        if fsync:
            os.fsync(dst.fileno())
    except OSError as exc:
        raise StorageError(f"cannot write temporary copy: {exc}") from exc
    return digest.hexdigest(), size


def fsync_dir(path: str) -> None:
    """Flush a directory entry (after a rename) to disk."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
