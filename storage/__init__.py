"""Object storage for document bytes: content-addressed, verified on read.

No Flask and no docflow import here; ``docflow`` builds a backend with
``build_storage(kind, **options)`` from its configuration::

    storage = build_storage("local", root="instance/storage")
    stored = storage.put(upload.stream, content_type="application/pdf")
    with storage.open(stored.key) as stream:   # IntegrityError if tampered
        ...

Every failure is a ``StorageError``: ``ObjectNotFound``, ``IntegrityError``,
``StorageUnavailable`` (server unreachable: show a "try again later" page),
``ObjectLocked``, ``RetentionUnsupported`` and ``InvalidKey`` (also a ValueError).
"""

from storage.base import DEFAULT_CONTENT_TYPE, Storage, StoredObject, validate_key
from storage.errors import (
    IntegrityError,
    InvalidKey,
    ObjectLocked,
    ObjectNotFound,
    RetentionUnsupported,
    StorageError,
    StorageUnavailable,
)
from storage.factory import BACKENDS, build_storage
from storage.local import LocalStorage
from storage.s3 import S3Storage

__all__ = [
    "BACKENDS",
    "DEFAULT_CONTENT_TYPE",
    "IntegrityError",
    "InvalidKey",
    "LocalStorage",
    "ObjectLocked",
    "ObjectNotFound",
    "RetentionUnsupported",
    "S3Storage",
    "Storage",
    "StorageError",
    "StorageUnavailable",
    "StoredObject",
    "build_storage",
    "validate_key",
]
