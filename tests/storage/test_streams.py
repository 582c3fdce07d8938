"""VerifyingReader: the guard between stored bytes and the caller."""

from __future__ import annotations

import hashlib
import io

import pytest

from storage import IntegrityError
from storage.streams import VerifyingReader, hash_in_place

DATA = bytes(range(256)) * 40
KEY = hashlib.sha256(DATA).hexdigest()


def reader(data: bytes, size: int | None = None) -> VerifyingReader:
    return VerifyingReader(
        io.BytesIO(data), key=KEY, size=len(DATA) if size is None else size
    )


@pytest.mark.parametrize("chunk", [1, 7, 4096, len(DATA), 10 * len(DATA)])
def test_good_data_any_chunk_size(chunk) -> None:
    out = bytearray()
    with reader(DATA) as stream:
        while piece := stream.read(chunk):
            out += piece
    assert out == DATA


def test_read_all_and_readinto() -> None:
    assert reader(DATA).read() == DATA
    assert reader(DATA).readall() == DATA
    buf = bytearray(len(DATA))
    assert reader(DATA).readinto(buf) == len(DATA) and buf == DATA


def test_flipped_byte_withholds_last_chunk() -> None:
    bad = bytearray(DATA)
    bad[-1] ^= 1
    stream = reader(bytes(bad))
    assert stream.read(len(DATA) - 10) == DATA[:-10]
    with pytest.raises(IntegrityError, match="hash"):
        stream.read(10)


def test_truncated_and_extended() -> None:
    with pytest.raises(IntegrityError, match="truncated"):
        reader(DATA[:-1], size=len(DATA)).read()
    with pytest.raises(IntegrityError, match="longer"):
        reader(DATA + b"!", size=len(DATA)).read(len(DATA) + 1)


def test_empty_object_is_checked() -> None:
    empty = hashlib.sha256(b"").hexdigest()
    assert VerifyingReader(io.BytesIO(b""), key=empty, size=0).read() == b""
    with pytest.raises(IntegrityError):
        VerifyingReader(io.BytesIO(b""), key=KEY, size=0).read()


def test_close_closes_source() -> None:
    source = io.BytesIO(DATA)
    with VerifyingReader(source, key=KEY, size=len(DATA)):
        pass
    assert source.closed


def test_hash_in_place_rewinds() -> None:
    source = io.BytesIO(b"skip" + DATA)
    source.seek(4)
    assert hash_in_place(source) == (KEY, len(DATA))
    assert source.tell() == 4


def test_hash_in_place_refuses_pipes() -> None:
    class Pipe(io.RawIOBase):
        def readable(self) -> bool:
            return True

    assert hash_in_place(Pipe()) is None  # type: ignore[arg-type]


def test_read_errors_are_translated() -> None:
    from storage import StorageUnavailable

    class Dropping(io.BytesIO):
        def read(self, size: int | None = -1) -> bytes:
            if self.tell() >= 100:
                raise ConnectionResetError("peer reset")
            return super().read(min(size or 100, 100))

    stream = VerifyingReader(
        Dropping(DATA),  # type: ignore[arg-type]
        key=KEY,
        size=len(DATA),
        translate=lambda exc: StorageUnavailable(f"lost: {exc}"),
    )
    assert stream.read(100) == DATA[:100]
    with pytest.raises(StorageUnavailable, match="lost: peer reset"):
        stream.read(100)
