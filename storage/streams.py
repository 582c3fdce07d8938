"""Hashing helpers shared by the backends: verifying reader, spooling, hashing."""

from __future__ import annotations

import hashlib
import io
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

    def readinto(self, buffer) -> int:  # type: ignore[override]
        try:
            n = self._raw.readinto(buffer)
        except Exception as exc:
            if self._translate is None:
                raise
            raise self._translate(exc) from exc
        if not n:
            if self._seen != self._size:
                raise IntegrityError(
                    f"object {self._key} truncated: {self._seen} of {self._size} bytes"
                )
            self._check_digest()
            return 0
        self._seen += n
        if self._seen > self._size:
            raise IntegrityError(
                f"object {self._key} longer than its {self._size} bytes"
            )
        with memoryview(buffer) as view:
            self._hash.update(view[:n])
        if self._seen == self._size:
            # Check before handing out the last chunk, even if the caller never
            # reads again to see EOF.
            self._check_digest()
        return n

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


def spool(stream: BinaryIO, directory: str | None = None) -> tuple[BinaryIO, str, int]:
    """Copy ``stream`` into a temporary file while hashing it.

    Returns the open temporary file (rewound; deleted when closed), the SHA-256
    hex digest and the size.
    """
    try:
        tmp = tempfile.TemporaryFile(dir=directory)  # noqa: SIM115 - caller closes
    except OSError as exc:
        raise StorageError(f"cannot create a temporary file: {exc}") from exc
    try:
        digest, size = copy_hashing(stream, tmp)
        tmp.seek(0)
    except BaseException:
        tmp.close()
        raise
    return tmp, digest, size


def copy_hashing(src: BinaryIO, dst: BinaryIO) -> tuple[str, int]:
    """Copy ``src`` to ``dst`` in chunks; return (SHA-256 hex, size).

    Errors of the source (a dropped upload) propagate unchanged; failing to
    write the copy is a ``StorageError``.
    """
    digest = hashlib.sha256()
    size = 0
    while chunk := src.read(CHUNK_SIZE):
        digest.update(chunk)
        size += len(chunk)
        try:
            dst.write(chunk)
        except OSError as exc:
            raise StorageError(f"cannot write temporary copy: {exc}") from exc
    try:
        dst.flush()
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
