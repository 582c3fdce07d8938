from __future__ import annotations

import io
import os
from datetime import timedelta

import pytest

from docflow.extensions import db
from docflow.files.models import StoredFile
from docflow.files.services import (
    UploadRejected,
    collect_garbage,
    get_storage,
    store_file,
    verify_objects,
)
from storage.errors import StorageUnavailable

PDF = b"%PDF-1.7\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _store(agency, data: bytes, name: str = "công văn.pdf") -> StoredFile:
    return store_file(
        io.BytesIO(data), original_name=name, agency_id=agency.id, uploaded_by_id=None
    )


def _local_path(app, key: str) -> str:
    storage = get_storage()
    return storage._path(key)


def test_upload_is_stored_and_recorded(app, create_agency) -> None:
    agency = create_agency()
    record = _store(agency, PDF, "C:\\Users\\vt\\Công văn số 15.pdf")
    db.session.commit()
    assert record.media_type == "application/pdf" and record.size == len(PDF)
    assert record.original_name == "Công văn số 15.pdf"  # base name only
    assert get_storage().get_bytes(record.key) == PDF
    again = _store(agency, PDF)
    db.session.commit()
    assert again.key == record.key  # identical content is stored once
    assert sum(1 for _ in get_storage().iter_keys()) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"MZ\x90\x00 this is a program", "not an accepted type"),
        (b"", "is empty"),
        (b"<html><script>alert(1)</script></html>", "not an accepted type"),
        (b"PK\x03\x04 broken zip", "not an accepted type"),
    ],
)
def test_type_is_checked_by_content_not_name(app, create_agency, data, message) -> None:
    with pytest.raises(UploadRejected, match=message):
        _store(create_agency(), data, "trông như.pdf")
    assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0
    assert list(get_storage().iter_keys()) == []


def test_size_limit(make_app, create_agency) -> None:
    app = make_app(MAX_UPLOAD_MB=1)
    with app.app_context():
        agency = create_agency()
        with pytest.raises(UploadRejected, match="larger than 1 MB"):
            _store(agency, PDF + b"0" * (1024 * 1024))


def test_storage_down_leaves_no_record(make_app, create_agency) -> None:
    # Nothing listens on this loopback port: the S3 server is "down".
    app = make_app(
        STORAGE_BACKEND="s3",
        S3_ENDPOINT="127.0.0.1:9",
        S3_ACCESS_KEY="k",
        S3_SECRET_KEY="s",
    )
    with app.app_context():
        agency = create_agency()
        with pytest.raises(StorageUnavailable, match="127.0.0.1:9"):
            _store(agency, PDF)
        db.session.rollback()
        assert db.session.scalar(db.select(db.func.count(StoredFile.id))) == 0


def test_gc_collects_orphans_after_grace_only(app, create_agency) -> None:
    agency = create_agency()
    kept = _store(agency, PDF)
    db.session.commit()
    orphan = _store(agency, PDF + b"% orphan\n")
    db.session.rollback()  # the commit "failed": the object stays without a record
    assert get_storage().exists(orphan.key)
    first = collect_garbage(timedelta(minutes=60))
    assert first.deleted == [] and first.pending == 1
    assert collect_garbage(timedelta(minutes=60)).deleted == []  # still within grace
    result = app.test_cli_runner().invoke(
        args=["storage", "gc", "--grace-minutes", "0"]
    )
    assert result.exit_code == 0 and "deleted 1 orphan" in result.output
    assert not get_storage().exists(orphan.key)
    assert get_storage().exists(kept.key)


def test_verify_reports_missing_and_corrupted(app, create_agency) -> None:
    agency = create_agency()
    good = _store(agency, PDF)
    bad = _store(agency, PDF + b"% two\n")
    gone = _store(agency, PDF + b"% three\n")
    db.session.commit()
    assert verify_objects() == (3, [])
    path = _local_path(app, bad.key)
    os.chmod(path, 0o644)
    with open(path, "r+b") as fh:
        fh.write(b"%PDF-9")
    os.remove(_local_path(app, gone.key))
    checked, problems = verify_objects()
    assert checked == 3
    assert {(p.key, p.problem) for p in problems} == {
        (bad.key, "corrupted"),
        (gone.key, "missing"),
    }
    result = app.test_cli_runner().invoke(args=["storage", "verify", "--quiet"])
    assert result.exit_code == 1
    assert (
        f"CORRUPTED: object {bad.key}" in result.output and "MISSING" in result.output
    )
    assert good.key not in result.output
