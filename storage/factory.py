"""Build a backend from a short name and plain options (read from config)."""

from __future__ import annotations

from typing import Any

from storage.base import Storage
from storage.errors import StorageError
from storage.local import LocalStorage
from storage.s3 import S3Storage

#: Short names accepted in configuration; no dotted paths from the environment.
BACKENDS: dict[str, type[Storage]] = {"local": LocalStorage, "s3": S3Storage}


def build_storage(kind: str, **options: Any) -> Storage:
    """Return the backend named ``kind`` built with ``options``.

    ``build_storage("local", root="instance/storage")``;
    ``build_storage("s3", endpoint="127.0.0.1:8333", access_key=...,
    secret_key=..., bucket="docflow")``.
    """
    try:
        backend = BACKENDS[kind]
    except KeyError:
        known = ", ".join(sorted(BACKENDS))
        raise StorageError(
            f"unknown storage backend {kind!r}; expected one of: {known}"
        ) from None
    try:
        return backend(**options)
    except (TypeError, ValueError) as exc:
        raise StorageError(f"bad options for {kind!r} storage: {exc}") from exc
