"""LocalStorage-only behaviour: layout on disk, atomicity, permissions."""

from __future__ import annotations

import io
import os
import stat

import pytest

from storage import LocalStorage


class FailingStream(io.RawIOBase):
    """Gives some bytes, then fails like a dropped upload."""

    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[override]
        self.calls += 1
        if self.calls > 3:
            raise ConnectionResetError("client went away")
        buffer[:10] = b"0123456789"
        return 10


def test_sharded_read_only_files(tmp_path) -> None:
    backend = LocalStorage(str(tmp_path))
    stored = backend.put(io.BytesIO(b"abc"), content_type="text/plain")
    key = stored.key
    path = tmp_path / key[:2] / key[2:4] / key
    assert path.read_bytes() == b"abc"
    assert stat.S_IMODE(path.stat().st_mode) == 0o444
    assert os.listdir(tmp_path / ".incoming") == []


def test_failed_put_leaves_nothing(tmp_path) -> None:
    backend = LocalStorage(str(tmp_path))
    with pytest.raises(ConnectionResetError):
        backend.put(FailingStream())  # type: ignore[arg-type]
    assert list(backend.iter_keys()) == []
    assert os.listdir(tmp_path / ".incoming") == []


def test_foreign_files_are_not_keys(tmp_path) -> None:
    backend = LocalStorage(str(tmp_path))
    key = backend.put(io.BytesIO(b"real")).key
    (tmp_path / "README").write_text("not an object")
    (tmp_path / key[:2] / key[2:4] / "notes.txt").write_text("x")
    misplaced = tmp_path / "ff" / "ff"
    misplaced.mkdir(parents=True)
    (misplaced / key).write_bytes(b"real")  # a key in the wrong shard
    (tmp_path / ".incoming" / "put-123").write_bytes(b"half written")
    assert list(backend.iter_keys()) == [key]


def test_missing_content_type_defaults(tmp_path) -> None:
    backend = LocalStorage(str(tmp_path))
    key = backend.put(io.BytesIO(b"abc"), content_type="text/plain").key
    os.unlink(tmp_path / key[:2] / key[2:4] / f"{key}.type")
    assert backend.stat(key).content_type == "application/octet-stream"


def test_unusable_root(tmp_path) -> None:
    from storage import StorageError

    blocker = tmp_path / "file"
    blocker.write_text("x")
    with pytest.raises(StorageError):
        LocalStorage(str(blocker / "objects"))
