"""``LocalStorage``: objects as read-only files in a sharded folder tree."""

from __future__ import annotations

import contextlib
import logging
import os
import re
import tempfile
from collections.abc import Iterator
from typing import BinaryIO

from storage.base import (
    DEFAULT_CONTENT_TYPE,
    Storage,
    StoredObject,
    is_key,
    validate_content_type,
    validate_key,
)
from storage.errors import ObjectNotFound, StorageError
from storage.streams import VerifyingReader, copy_hashing, fsync_dir

logger = logging.getLogger(__name__)

_INCOMING = ".incoming"
_TYPE_SUFFIX = ".type"
_READ_ONLY = 0o444
_SHARD_RE = re.compile(r"[0-9a-f]{2}")


class LocalStorage(Storage):
    """Embedded default: ``<root>/ab/cd/<key>`` files, written atomically.

    Each object is first written to ``<root>/.incoming`` (same file system, so
    the final ``os.replace`` is atomic), fsynced, made read-only and renamed into
    its shard. The content type sits beside it in ``<key>.type``, written before
    the data file appears, so a visible object always has its type.
    """

    def __init__(self, root: str) -> None:
        self.root = os.path.abspath(root)
        self._incoming = os.path.join(self.root, _INCOMING)
        try:
            os.makedirs(self._incoming, exist_ok=True)
        except OSError as exc:
            raise StorageError(f"cannot create storage folder {root}: {exc}") from exc

    def __repr__(self) -> str:
        return f"LocalStorage({self.root!r})"

    def _path(self, key: str) -> str:
        validate_key(key)
        return os.path.join(self.root, key[:2], key[2:4], key)

    def put(
        self, stream: BinaryIO, *, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> StoredObject:
        """Store the bytes read from ``stream`` and return their ``StoredObject``."""
        validate_content_type(content_type)
        try:
            fd, tmp_path = tempfile.mkstemp(dir=self._incoming, prefix="put-")
        except OSError as exc:
            raise StorageError(f"cannot write in {self.root}: {exc}") from exc
        try:
            with os.fdopen(fd, "wb") as tmp:
                key, size = copy_hashing(stream, tmp, fsync=True)
            path = self._path(key)
            if os.path.exists(path):
                return self.stat(key)
            self._install(tmp_path, path, content_type)
        finally:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_path)
        logger.info("stored object %s (%d bytes)", key, size)
        return StoredObject(key, size, key, content_type)

    def _install(self, tmp_path: str, path: str, content_type: str) -> None:
        """Make the received file read-only and rename it into its shard."""
        shard = os.path.dirname(path)
        try:
            os.chmod(tmp_path, _READ_ONLY)
            os.makedirs(shard, exist_ok=True)
            self._write_type(path + _TYPE_SUFFIX, content_type)
            # Concurrent puts of the same content race here harmlessly: each
            # rename atomically installs identical bytes.
            os.replace(tmp_path, path)
            fsync_dir(shard)
        except OSError as exc:
            raise StorageError(f"cannot store object in {self.root}: {exc}") from exc

    def _write_type(self, path: str, content_type: str) -> None:
        if os.path.exists(path):
            return
        fd, tmp_path = tempfile.mkstemp(dir=self._incoming, prefix="type-")
        with os.fdopen(fd, "w", encoding="utf-8") as tmp:
            tmp.write(content_type)
        os.chmod(tmp_path, _READ_ONLY)
        os.replace(tmp_path, path)

    def _read_type(self, path: str) -> str:
        try:
            with open(path + _TYPE_SUFFIX, encoding="utf-8") as f:
                return f.read().strip() or DEFAULT_CONTENT_TYPE
        except FileNotFoundError:
            return DEFAULT_CONTENT_TYPE

    def open(self, key: str) -> BinaryIO:
        """Return a verifying binary stream over the object's bytes."""
        path = self._path(key)
        try:
            f = open(path, "rb")  # noqa: SIM115 - returned to the caller
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key}") from None
        except OSError as exc:
            raise StorageError(f"cannot open object {key}: {exc}") from exc
        size = os.fstat(f.fileno()).st_size
        return VerifyingReader(f, key=key, size=size)  # type: ignore[return-value]

    def stat(self, key: str) -> StoredObject:
        """Return the object's metadata; raise ``ObjectNotFound`` if missing."""
        path = self._path(key)
        try:
            size = os.stat(path).st_size
        except FileNotFoundError:
            raise ObjectNotFound(f"no object {key}") from None
        except OSError as exc:
            raise StorageError(f"cannot stat object {key}: {exc}") from exc
        return StoredObject(key, size, key, self._read_type(path))

    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""
        path = self._path(key)
        for victim in (path, path + _TYPE_SUFFIX):
            try:
                os.unlink(victim)
            except FileNotFoundError:
                pass
            except OSError as exc:
                raise StorageError(f"cannot delete object {key}: {exc}") from exc
        logger.info("deleted object %s", key)

    def iter_keys(self) -> Iterator[str]:
        """Yield every stored key (files elsewhere in the tree are ignored)."""
        for top in _subdirs(self.root):
            for sub in _subdirs(os.path.join(self.root, top)):
                with os.scandir(os.path.join(self.root, top, sub)) as entries:
                    for entry in entries:
                        name = entry.name
                        if is_key(name) and name.startswith(top + sub):
                            yield name


def _subdirs(path: str) -> list[str]:
    """Two-hex-digit shard folders directly under ``path``."""
    with os.scandir(path) as entries:
        return sorted(
            e.name for e in entries if e.is_dir() and _SHARD_RE.fullmatch(e.name)
        )
