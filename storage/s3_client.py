"""minio/urllib3 glue for ``S3Storage``: the HTTP pool and error translation."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator

import certifi
import urllib3
from minio.error import InvalidResponseError, MinioException, S3Error, ServerError

from storage.errors import (
    ObjectLocked,
    ObjectNotFound,
    RetentionUnsupported,
    StorageError,
    StorageUnavailable,
)

#: S3 error codes meaning "no such object".
NOT_FOUND_CODES = frozenset({"NoSuchKey", "NoSuchObject", "NotFound", "NoSuchVersion"})
#: Codes a server answers to legal hold / retention when the bucket has no lock
#: (SeaweedFS and AWS: InvalidRequest) or the API is not implemented at all.
NO_LOCK_CODES = frozenset(
    {
        "InvalidRequest",
        "ObjectLockConfigurationNotFoundError",
        "NotImplemented",
        "MethodNotAllowed",
    }
)
_RETRY_STATUSES = (500, 502, 503, 504)
_LIBRARY_ERRORS = (MinioException, urllib3.exceptions.HTTPError, OSError)


def http_client(
    connect_timeout: float, read_timeout: float, retries: int
) -> urllib3.PoolManager:
    """Pool with short timeouts and bounded retries with back-off.

    minio's default waits 5 minutes to connect and retries 5 times (~6 s of
    back-off); with 3 retries at 0.1 s a dead server is reported in ~0.6 s.
    Connection errors are retried for every method, 5xx answers only for
    idempotent ones (not the POSTs that create/complete multipart uploads).
    """
    return urllib3.PoolManager(
        timeout=urllib3.Timeout(connect=connect_timeout, read=read_timeout),
        maxsize=10,
        cert_reqs="CERT_REQUIRED",
        ca_certs=os.environ.get("SSL_CERT_FILE") or certifi.where(),
        retries=urllib3.Retry(
            total=retries,
            backoff_factor=0.1,
            backoff_max=2.0,
            status_forcelist=_RETRY_STATUSES,
        ),
    )


def translate(exc: BaseException, where: str, key: str | None = None) -> StorageError:
    """Map a minio/urllib3 error to the package's own exceptions."""
    if isinstance(exc, StorageError):
        return exc
    if isinstance(exc, ServerError):
        return StorageUnavailable(f"{where} failed: HTTP {exc.status_code}")
    if isinstance(exc, S3Error):
        if exc.code in NOT_FOUND_CODES and key:
            return ObjectNotFound(f"no object {key}")
        return StorageError(f"{where} refused the request: {exc.code}")
    if isinstance(exc, urllib3.exceptions.HTTPError | OSError):
        return StorageUnavailable(f"{where} is unreachable: {reason(exc)}")
    if isinstance(exc, InvalidResponseError):
        return StorageError(f"{where} sent an invalid response: {exc}")
    return StorageError(f"{where}: {exc}")


@contextlib.contextmanager
def translated(where: str, key: str | None = None) -> Iterator[None]:
    """Re-raise library errors inside the block as storage errors."""
    try:
        yield
    except _LIBRARY_ERRORS as exc:
        raise translate(exc, where, key) from exc


@contextlib.contextmanager
def worm_translated(where: str, key: str) -> Iterator[None]:
    """Like ``translated``, reporting a bucket without object lock clearly."""
    try:
        yield
    except S3Error as exc:
        if exc.code in NO_LOCK_CODES:
            raise RetentionUnsupported(
                f"{where} has no object lock ({exc.code}); "
                "create the bucket with object_lock=True"
            ) from exc
        if exc.code == "AccessDenied":
            # e.g. shortening a COMPLIANCE retention or downgrading its mode.
            raise ObjectLocked(
                f"{where} refused to change the lock of {key}: it is locked "
                "(or the credentials lack object-lock permissions)"
            ) from exc
        raise translate(exc, where, key) from exc
    except _LIBRARY_ERRORS as exc:
        raise translate(exc, where, key) from exc


def reason(exc: BaseException) -> str:
    """A one-line cause without urllib3's object reprs."""
    cause = getattr(exc, "reason", None) or exc
    text = str(cause)
    marker = "Failed to establish a new connection: "
    if marker in text:
        text = text.split(marker, 1)[1]
    return text.splitlines()[0] if text else type(cause).__name__
