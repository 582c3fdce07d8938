from __future__ import annotations

import hashlib
import io
import json
import zipfile
from datetime import date
from xml.etree import ElementTree as ET

from docflow.dossiers import services as ds
from docflow.dossiers.export import MANIFEST, NOTE_WITHHELD, write_export
from docflow.files.services import open_file


def _check_zip(data: bytes) -> tuple[zipfile.ZipFile, dict]:
    """Every file but the manifest is listed in it once, with its SHA-256 (sha256sum format)."""
    zf = zipfile.ZipFile(io.BytesIO(data))
    assert zf.testzip() is None
    names = set(zf.namelist())
    lines = zf.read(MANIFEST).decode().splitlines()
    listed = {}
    for line in lines:
        digest, sep, name = line.partition("  ")
        assert sep and len(digest) == 64, line
        listed[name] = digest
    assert set(listed) == names - {MANIFEST} and len(listed) == len(lines)
    for name, digest in listed.items():
        assert hashlib.sha256(zf.read(name)).hexdigest() == digest, name
    return zf, json.loads(zf.read("metadata.json"))


def test_export_is_chronological_verified_and_keeps_secrets(
    app, office, make_incoming
) -> None:
    dossier = ds.create_dossier(
        office.clerk,
        notation="12.VP",
        title="Hồ sơ hội nghị tổng kết năm",
        retention_years=20,
        start_date=date(2024, 1, 2),
        year=2024,
    )
    late = make_incoming(office, issued=date(2024, 4, 10), subject="Báo cáo tổng kết")
    secret = make_incoming(
        office,
        issued=date(2024, 2, 1),
        subject="Văn bản mật",
        secret=True,
        present=False,
    )
    early = make_incoming(
        office, issued=date(2024, 1, 15), subject="Kế hoạch tổ chức hội nghị"
    )
    for doc in (late, secret, early):
        ds.add_document(office.clerk, dossier, "incoming", doc.id)
    ds.close(office.clerk, dossier, end_date=date(2024, 5, 1))

    out = io.BytesIO()
    write_export(
        dossier, office.leader, out
    )  # the leader sees the secret document's metadata, not its content
    zf, meta = _check_zip(out.getvalue())

    assert meta["FileCode"] == {
        "OrganId": office.agency.code,
        "FileCatalog": 2024,
        "FileNotation": "12.VP",
    }
    assert (meta["Title"], meta["Maintenance"], meta["Creator"]) == (
        "Hồ sơ hội nghị tổng kết năm",
        "20 năm",
        office.clerk.full_name,
    )
    assert (
        meta["StartDate"],
        meta["EndDate"],
        meta["DocTotal"],
        meta["PageTotal"],
    ) == ("2024-01-02", "2024-05-01", 3, 6)
    docs = meta["Documents"]
    assert [d["Subject"] for d in docs] == [
        "Kế hoạch tổ chức hội nghị",
        "Văn bản mật",
        "Báo cáo tổng kết",
    ]
    assert [d["DocOrdinal"] for d in docs] == [1, 2, 3]
    assert [d["IssuedDate"] for d in docs] == ["2024-01-15", "2024-02-01", "2024-04-10"]
    assert (
        docs[1]["ContentIncluded"] is False
        and docs[1]["Note"] == NOTE_WITHHELD
        and "File" not in docs[1]
    )
    for entry, doc in ((docs[0], early), (docs[2], late)):
        assert entry["ContentIncluded"] is True and entry["CodeNotation"] == "QĐ-BNV"
        with open_file(doc.main_file) as stream:
            assert zf.read(entry["File"]) == stream.read()
        assert entry["Sha256"] == doc.main_file.sha256
    assert sorted(n for n in zf.namelist() if n.startswith("documents/")) == [
        docs[0]["File"],
        docs[2]["File"],
    ]

    root = ET.fromstring(zf.read("metadata.xml"))  # noqa: S314 - our own output
    assert root.tag == "File"
    assert root.findtext("FileCode/OrganId") == office.agency.code
    assert (
        root.findtext("FileCode/FileNotation") == "12.VP"
        and root.findtext("Maintenance") == "20 năm"
    )
    assert [d.findtext("Subject") for d in root.iterfind("Documents/Document")] == [
        d["Subject"] for d in docs
    ]
    assert root.find("Documents/Document[2]/ContentIncluded").text == "false"

    # The leader it was presented to (here: the records officer who registered it) gets the content.
    out = io.BytesIO()
    write_export(dossier, office.clerk, out)
    _zf, meta = _check_zip(out.getvalue())
    assert all(d["ContentIncluded"] for d in meta["Documents"])


def test_cli_export(app, office, make_incoming, tmp_path) -> None:
    dossier = ds.create_dossier(
        office.clerk, notation="02.TH", title="Hồ sơ xuất bằng lệnh"
    )
    ds.add_document(
        office.clerk,
        dossier,
        "incoming",
        make_incoming(office, issued=date(2024, 3, 3)).id,
    )
    secret = make_incoming(office, issued=date(2024, 3, 4), secret=True)
    ds.add_document(office.clerk, dossier, "incoming", secret.id)
    out = tmp_path / "hoso.zip"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["dossiers", "export", str(dossier.id), str(out)])
    assert result.exit_code == 0, result.output
    _zf, meta = _check_zip(out.read_bytes())
    # Without --as: every document's metadata, no secret content.
    assert [d["ContentIncluded"] for d in meta["Documents"]] == [True, False]
    result = runner.invoke(
        args=[
            "dossiers",
            "export",
            str(dossier.id),
            str(out),
            "--as",
            office.clerk.username,
        ]
    )
    assert result.exit_code == 0, result.output
    assert all(
        d["ContentIncluded"] for d in _check_zip(out.read_bytes())[1]["Documents"]
    )
    result = runner.invoke(
        args=[
            "dossiers",
            "export",
            str(dossier.id),
            str(out),
            "--as",
            office.other_specialist.username,
        ]
    )
    assert result.exit_code != 0 and "may not see" in result.output
    assert runner.invoke(args=["dossiers", "export", "999999", str(out)]).exit_code != 0
    result = runner.invoke(args=["dossiers", "remind"])  # for cron: nothing is due yet
    assert result.exit_code == 0 and "0 reminders sent" in result.output
