"""Exceptions raised by the storage backends.

Callers catch these, never ``minio.error.S3Error`` or ``OSError``: every backend
translates its library's errors into this hierarchy.
"""


class StorageError(Exception):
    """Base class of every storage failure."""


class InvalidKey(StorageError, ValueError):
    """The key is not a 64-character lowercase SHA-256 hex digest."""


class ObjectNotFound(StorageError, KeyError):
    """No object is stored under the key."""

    def __str__(self) -> str:
        # KeyError.__str__ would quote the message like a dict key.
        return str(self.args[0]) if self.args else ""


class IntegrityError(StorageError):
    """The bytes read back do not match the key (corruption or tampering)."""


class StorageUnavailable(StorageError):
    """The backend cannot be reached (server down, network, 5xx after retries)."""


class RetentionUnsupported(StorageError):
    """The backend or bucket cannot hold objects under WORM retention/legal hold."""


class ObjectLocked(StorageError):
    """The object is under legal hold or retention and cannot be deleted."""
