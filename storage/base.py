"""The ``Storage`` interface and the value types shared by every backend."""

from __future__ import annotations

import abc
import datetime as dt
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO

from storage.errors import InvalidKey, ObjectNotFound, RetentionUnsupported

_KEY_RE = re.compile(r"[0-9a-f]{64}")
_CONTENT_TYPE_RE = re.compile(r"[!-~][ -~]{0,254}")

DEFAULT_CONTENT_TYPE = "application/octet-stream"


def validate_key(key: object) -> str:
    """Return ``key`` if it is a SHA-256 hex digest, else raise ``InvalidKey``."""
    if not isinstance(key, str) or not _KEY_RE.fullmatch(key):
        raise InvalidKey(f"invalid storage key {key!r}: expected 64 lowercase hex")
    return key


def validate_content_type(content_type: object) -> str:
    """Return ``content_type`` if it is a printable ASCII header value."""
    if not isinstance(content_type, str) or not _CONTENT_TYPE_RE.fullmatch(
        content_type
    ):
        raise ValueError(f"invalid content type {content_type!r}")
    return content_type


def is_key(name: str) -> bool:
    """True if ``name`` looks like a storage key (used to skip foreign files)."""
    return bool(_KEY_RE.fullmatch(name))


@dataclass(frozen=True)
class StoredObject:
    """What a backend knows about one stored object."""

    #: SHA-256 hex digest of the content; also its address.
    key: str
    #: Size in bytes.
    size: int
    #: Same as ``key``; kept separate so callers do not rely on the addressing scheme.
    sha256: str
    #: MIME type given by the first ``put`` of this content.
    content_type: str


class Storage(abc.ABC):
    """Content-addressed store for document bytes.

    Contract every backend fulfils (``tests/storage/test_contract.py`` checks it):

    * A key is the SHA-256 hex digest (64 lowercase hex characters) of the
      content. It is computed by the backend, never taken from a user file name.
      Methods taking a key raise ``InvalidKey`` (a ``ValueError``) for anything
      else, before touching the disk or the network.
    * ``put`` reads the stream (from its current position to its end; the
      position afterwards is unspecified) in bounded memory (large objects are
      spooled or uploaded in parts, never held whole in memory) and returns the
      ``StoredObject``. Storing content that is already stored is a no-op that
      returns the existing object: identical content is stored once, and the
      content type of the first ``put`` wins. Concurrent puts of the same
      content from several threads all succeed and leave one object.
    * A stored object is never partially visible: readers see it whole or not
      at all.
    * ``open`` returns a binary stream that verifies size and SHA-256 while it is
      read. It raises ``IntegrityError`` instead of returning the final bytes
      when the content does not match its key (or as soon as more bytes than
      expected arrive). Bytes already returned by a stream must be treated as
      unverified until the stream reached its end without error; use
      ``get_bytes`` for small objects to get all-or-nothing behaviour.
    * Missing objects raise ``ObjectNotFound`` (``open``, ``stat``);
      ``delete`` of a missing key is a no-op so jobs can safely run twice.
    * An unreachable backend raises ``StorageUnavailable`` promptly, with a
      message naming the endpoint; other failures raise ``StorageError``.
    * ``iter_keys`` yields every stored key once, in no particular order.
    * WORM: ``set_legal_hold`` / ``set_retention`` raise ``RetentionUnsupported``
      unless the backend overrides them.
    """

    @abc.abstractmethod
    def put(
        self, stream: BinaryIO, *, content_type: str = DEFAULT_CONTENT_TYPE
    ) -> StoredObject:
        """Store the bytes read from ``stream`` and return their ``StoredObject``."""

    @abc.abstractmethod
    def open(self, key: str) -> BinaryIO:
        """Return a verifying binary stream over the object's bytes."""

    @abc.abstractmethod
    def stat(self, key: str) -> StoredObject:
        """Return the object's metadata; raise ``ObjectNotFound`` if missing."""

    @abc.abstractmethod
    def delete(self, key: str) -> None:
        """Remove the object; a missing key is not an error."""

    @abc.abstractmethod
    def iter_keys(self) -> Iterator[str]:
        """Yield every stored key."""

    def exists(self, key: str) -> bool:
        """True if an object is stored under ``key``."""
        try:
            self.stat(key)
        except ObjectNotFound:
            return False
        return True

    def get_bytes(self, key: str) -> bytes:
        """Return the whole verified content (for small objects)."""
        with self.open(key) as stream:
            return stream.read()

    def set_legal_hold(self, key: str, enabled: bool = True) -> None:
        """Put the object under (or release it from) a WORM legal hold."""
        validate_key(key)
        raise RetentionUnsupported(f"{type(self).__name__} has no legal hold")

    def set_retention(
        self, key: str, until: dt.datetime, *, mode: str = "GOVERNANCE"
    ) -> None:
        """Forbid deleting or overwriting the object before ``until``."""
        validate_key(key)
        raise RetentionUnsupported(f"{type(self).__name__} has no retention")
