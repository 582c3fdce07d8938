"""S3-only behaviour: bucket creation, outages, credentials, WORM on SeaweedFS."""

from __future__ import annotations

import datetime as dt
import glob
import hashlib
import io
import tempfile
import time

import pytest

from storage import (
    IntegrityError,
    ObjectLocked,
    ObjectNotFound,
    RetentionUnsupported,
    S3Storage,
    StorageError,
    StorageUnavailable,
)
from storage.testing import SeaweedServer

pytestmark = pytest.mark.s3


def test_bucket_created_on_first_use(make_s3_storage, seaweed) -> None:
    backend = make_s3_storage()
    client = seaweed.client()
    assert not client.bucket_exists(backend.bucket)
    stored = backend.put(io.BytesIO(b"first document"))
    assert client.bucket_exists(backend.bucket)
    # Objects are named by their key only.
    assert [o.object_name for o in client.list_objects(backend.bucket)] == [stored.key]


def test_endpoint_given_as_url(seaweed) -> None:
    backend = S3Storage(
        f"http://{seaweed.endpoint}",
        seaweed.access_key,
        seaweed.secret_key,
        "url-endpoint",
    )
    key = backend.put(io.BytesIO(b"via url")).key
    assert backend.get_bytes(key) == b"via url"


def test_multipart_upload_from_a_real_file(make_s3_storage) -> None:
    backend = make_s3_storage()
    data = hashlib.sha256(b"seed").digest() * (12 * 1024 * 1024 // 32)
    with tempfile.TemporaryFile() as f:  # what Werkzeug hands over for uploads
        f.write(data)
        f.seek(0)
        stored = backend.put(f, content_type="application/pdf")
    assert stored.size == len(data) > backend.part_size
    assert stored.key == hashlib.sha256(data).hexdigest()
    assert backend.stat(stored.key).content_type == "application/pdf"
    assert backend.get_bytes(stored.key) == data


class ChangingFile(io.BytesIO):
    """A seekable source that changes once it was read to its end (hashed)."""

    read_through = changed = False

    def read(self, size: int | None = -1) -> bytes:
        data = super().read(size)
        if not data or size is None or size < 0:
            self.read_through = True
        return data

    def seek(self, pos: int, whence: int = 0) -> int:
        result = super().seek(pos, whence)
        if self.read_through and not self.changed:
            with self.getbuffer() as buffer:
                buffer[0] ^= 1
            self.changed = True
        return result


def test_source_changed_during_upload(make_s3_storage) -> None:
    backend = make_s3_storage()
    source = ChangingFile(b"x" * (backend.part_size + 1))  # multipart path
    with pytest.raises(IntegrityError):
        backend.put(source)
    assert source.changed
    assert list(backend.iter_keys()) == []


def test_wrong_credentials_are_not_an_outage(seaweed) -> None:
    backend = S3Storage(seaweed.endpoint, seaweed.access_key, "wrong", "creds")
    with pytest.raises(StorageError) as info:
        backend.put(io.BytesIO(b"x"))
    assert not isinstance(info.value, StorageUnavailable)
    assert seaweed.endpoint in str(info.value)


def test_server_stopped_raises_storage_unavailable_quickly(tmp_path) -> None:
    server = SeaweedServer(str(tmp_path))  # its own server: the shared one stays up
    server.start()
    try:
        backend = S3Storage(
            server.endpoint, server.access_key, server.secret_key, "outage"
        )
        key = backend.put(io.BytesIO(b"stored before the outage")).key
    finally:
        server.stop(timeout=2)  # SIGTERM, then SIGKILL: either way it is down
    calls = {
        "put": lambda: backend.put(io.BytesIO(b"new")),
        "open": lambda: backend.open(key),
        "stat": lambda: backend.stat(key),
        "exists": lambda: backend.exists(key),
        "delete": lambda: backend.delete(key),
        "iter_keys": lambda: list(backend.iter_keys()),
    }
    for name, call in calls.items():
        started = time.monotonic()
        with pytest.raises(StorageUnavailable) as info:
            call()
        elapsed = time.monotonic() - started
        assert elapsed < 3, f"{name} took {elapsed:.1f} s"
        assert server.endpoint in str(info.value)
        assert "\n" not in str(info.value)


def test_unreachable_from_the_start() -> None:
    from storage.testing import free_ports

    endpoint = f"127.0.0.1:{free_ports(1)[0]}"
    backend = S3Storage(endpoint, "key", "secret", "never", retries=1)
    started = time.monotonic()
    with pytest.raises(StorageUnavailable, match=f"{endpoint}.*unreachable"):
        backend.ensure_bucket()
    assert time.monotonic() - started < 2


def test_legal_hold_blocks_deletion(make_s3_storage) -> None:
    backend = make_s3_storage(object_lock=True)
    key = backend.put(io.BytesIO(b"signed decision")).key
    backend.set_legal_hold(key)
    with pytest.raises(ObjectLocked):
        backend.delete(key)
    assert backend.get_bytes(key) == b"signed decision"
    backend.set_legal_hold(key, enabled=False)
    backend.delete(key)
    assert not backend.exists(key)
    assert list(backend.iter_keys()) == []


def test_retention_blocks_deletion(make_s3_storage) -> None:
    backend = make_s3_storage(object_lock=True)
    key = backend.put(io.BytesIO(b"archived record")).key
    until = dt.datetime.now(dt.UTC) + dt.timedelta(days=1)
    backend.set_retention(key, until, mode="GOVERNANCE")
    with pytest.raises(ObjectLocked):
        backend.delete(key)
    assert backend.exists(key)


def test_object_lock_requested_on_existing_plain_bucket(
    make_s3_storage, seaweed
) -> None:
    plain = make_s3_storage()
    plain.ensure_bucket()
    locked = S3Storage(
        seaweed.endpoint,
        seaweed.access_key,
        seaweed.secret_key,
        plain.bucket,
        object_lock=True,
    )
    with pytest.raises(RetentionUnsupported, match="object_lock=True"):
        locked.ensure_bucket()


def test_compliance_retention_cannot_be_shortened(make_s3_storage) -> None:
    backend = make_s3_storage(object_lock=True)
    key = backend.put(io.BytesIO(b"compliance record")).key
    now = dt.datetime.now(dt.UTC)
    backend.set_retention(key, now + dt.timedelta(days=2), mode="COMPLIANCE")
    backend.set_retention(key, now + dt.timedelta(days=3), mode="COMPLIANCE")
    with pytest.raises(ObjectLocked):
        backend.set_retention(key, now + dt.timedelta(days=1), mode="COMPLIANCE")
    with pytest.raises(ObjectLocked):
        backend.set_retention(key, now + dt.timedelta(days=4), mode="GOVERNANCE")


def test_tampered_new_version_is_detected(make_s3_storage, seaweed) -> None:
    """Object lock keeps old versions, not the latest one honest: reads check."""
    backend = make_s3_storage(object_lock=True)
    key = backend.put(io.BytesIO(b"held decision")).key
    backend.set_legal_hold(key)
    seaweed.client().put_object(backend.bucket, key, io.BytesIO(b"forged"), 6)
    with pytest.raises(IntegrityError):
        backend.get_bytes(key)


def test_worm_on_missing_object(make_s3_storage) -> None:
    backend = make_s3_storage(object_lock=True)
    with pytest.raises(ObjectNotFound):
        backend.set_legal_hold("0" * 64)


def test_retention_arguments_checked(make_s3_storage) -> None:
    backend = make_s3_storage(object_lock=True)
    key = "0" * 64
    with pytest.raises(ValueError, match="timezone"):
        backend.set_retention(key, dt.datetime(2030, 1, 1))
    with pytest.raises(ValueError, match="mode"):
        backend.set_retention(key, dt.datetime.now(dt.UTC), mode="FOREVER")


def test_server_dies_mid_read(tmp_path) -> None:
    server = SeaweedServer(str(tmp_path))
    server.start()
    try:
        backend = S3Storage(
            server.endpoint, server.access_key, server.secret_key, "mid-read"
        )
        data = hashlib.sha256(b"big").digest() * (40 * 1024 * 1024 // 32)
        key = backend.put(io.BytesIO(data)).key
        stream = backend.open(key)
        assert stream.read(1024 * 1024) == data[: 1024 * 1024]
        server.process.kill()  # type: ignore[union-attr]
        server.process.wait(10)  # type: ignore[union-attr]
        with pytest.raises(StorageUnavailable, match=server.endpoint), stream:
            while stream.read(1024 * 1024):
                pass
    finally:
        server.stop()
    # A killed weed leaves its unix sockets in /tmp: stop() removes them.
    pattern = "/tmp/seaweedfs-*-{}.sock"  # noqa: S108 - where weed puts them
    leftovers = [glob.glob(pattern.format(port)) for port in server.ports]
    assert not any(leftovers)


def test_server_errors_are_retried_then_reported() -> None:
    """5xx answers are retried with back-off, then reported as an outage."""
    import http.server
    import threading

    hits = []

    class Failing(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:  # noqa: N802 - http.server API
            hits.append(self.path)
            self.send_response(503)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Failing)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        endpoint = f"127.0.0.1:{server.server_address[1]}"
        backend = S3Storage(endpoint, "key", "secret", "flaky", region="us-east-1")
        started = time.monotonic()
        with pytest.raises(StorageUnavailable, match=endpoint):
            backend.exists("0" * 64)
        assert time.monotonic() - started < 3
        assert len(hits) == 4  # the first try and 3 retries
    finally:
        server.shutdown()
        server.server_close()
