"""build_storage: short names, clear errors (import layout: tests/test_layout.py)."""

from __future__ import annotations

import pytest

from storage import LocalStorage, S3Storage, StorageError, build_storage


def test_build_local(tmp_path) -> None:
    backend = build_storage("local", root=str(tmp_path))
    assert isinstance(backend, LocalStorage)


def test_build_s3_does_not_connect() -> None:
    backend = build_storage(
        "s3",
        endpoint="127.0.0.1:1",
        access_key="k",
        secret_key="s",  # noqa: S106 - never sent
        bucket="docflow",
        part_size=8 * 1024 * 1024,
    )
    assert isinstance(backend, S3Storage)


def test_unknown_kind() -> None:
    with pytest.raises(StorageError, match="unknown storage backend 'ftp'.*local, s3"):
        build_storage("ftp")


@pytest.mark.parametrize(
    ("kind", "options"),
    [
        ("local", {"path": "objects"}),
        ("s3", {"endpoint": "h:1", "access_key": "k", "secret_key": "s"}),
        (
            "s3",
            {
                "endpoint": "h:1",
                "access_key": "k",
                "secret_key": "s",
                "bucket": "Bad_Bucket",
            },
        ),
        (
            "s3",
            {
                "endpoint": "h:1",
                "access_key": "k",
                "secret_key": "s",
                "bucket": "ok-bucket",
                "part_size": 1024,
            },
        ),
    ],
)
def test_bad_options(kind, options) -> None:
    with pytest.raises(StorageError, match=kind):
        build_storage(kind, **options)
