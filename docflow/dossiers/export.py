"""Dossier export: a ZIP with the documents in chronological order, metadata and a manifest.

Layout::

    metadata.json            Phụ lục VI "Hồ sơ" fields + one entry per document
    metadata.xml             the same, as XML with the Phụ lục VI element names
    documents/001_....pdf    the main file of each document the user may read
    manifest-sha256.txt      "<sha256>  <path>" for every other file (sha256sum -c format)

The ZIP is written to a temporary file and each document is streamed from storage in
chunks, so a large dossier never sits whole in memory.
"""

from __future__ import annotations

import hashlib
import json
import tempfile
import zipfile
from typing import IO, Any
from xml.etree import ElementTree as ET

from ..auth.models import User
from ..files.services import open_file
from ..timeutil import to_local, utcnow
from .models import Dossier
from .services import ItemView, item_views

CHUNK = 1024 * 1024
MANIFEST = "manifest-sha256.txt"
EXTENSIONS = {
    "application/pdf": "pdf",
    "image/png": "png",
    "image/jpeg": "jpg",
    "image/tiff": "tif",
}

NOTE_WITHHELD = (
    "Văn bản mật: người xuất hồ sơ không được xem nội dung, chỉ xuất thông tin mô tả."
)
NOTE_NO_FILE = "Văn bản chưa có tệp nội dung."
NOTE_HIDDEN = "Người xuất hồ sơ không được xem văn bản này."


def _date(value: Any) -> str | None:
    return value.isoformat() if value else None


def _document_entry(ordinal: int, view: ItemView) -> dict[str, Any]:
    info = view.info
    entry: dict[str, Any] = {"DocOrdinal": ordinal, "Kind": view.item.kind}
    if info is None:
        return entry | {"ContentIncluded": False, "Note": NOTE_HIDDEN}
    entry |= {
        "TypeName": info.type_name,
        "CodeNumber": info.number,
        "CodeNotation": info.notation,
        "IssuedDate": _date(info.date),
        "OrganName": info.organ_name,
        "Subject": info.subject,
        "PageAmount": info.page_amount,
        "Secret": info.secret,
        "ContentIncluded": False,
    }
    if info.main_file is None:
        entry["Note"] = NOTE_NO_FILE
    elif not view.content_ok:
        entry["Note"] = NOTE_WITHHELD
    return entry


def dossier_metadata(
    dossier: Dossier, documents: list[dict[str, Any]], exported_by: str
) -> dict[str, Any]:
    """The Phụ lục VI "Hồ sơ" record of the dossier, with its documents."""
    pages = [d.get("PageAmount") or 0 for d in documents]
    return {
        "FileCode": {
            "OrganId": dossier.agency.code,
            "FileCatalog": dossier.year,
            "FileNotation": dossier.notation,
        },
        "Title": dossier.title,
        "Maintenance": dossier.maintenance,
        "Rights": dossier.rights,
        "Creator": dossier.creator.full_name,
        "Language": dossier.language,
        "StartDate": _date(dossier.start_date),
        "EndDate": _date(dossier.end_date),
        "DocTotal": len(documents),
        "PageTotal": sum(pages),
        "Description": dossier.description,
        "OrganName": dossier.agency.name,
        "Status": dossier.status.value,
        "ArchiveDue": _date(dossier.archive_due),
        "ExportedAt": to_local(utcnow()).isoformat(timespec="seconds"),
        "ExportedBy": exported_by,
        "Documents": documents,
    }


def metadata_xml(meta: dict[str, Any]) -> bytes:
    root = ET.Element("File")

    def put(parent: ET.Element, key: str, value: Any) -> None:
        child = ET.SubElement(parent, key)
        if isinstance(value, dict):
            for k, v in value.items():
                put(child, k, v)
        elif isinstance(value, bool):
            child.text = "true" if value else "false"
        elif value is not None:
            child.text = str(value)

    for key, value in meta.items():
        if key == "Documents":
            docs = ET.SubElement(root, "Documents")
            for doc in value:
                put(docs, "Document", doc)
        else:
            put(root, key, value)
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


class _Writer:
    """Writes ZIP members and remembers each one's SHA-256 for the manifest."""

    def __init__(self, zf: zipfile.ZipFile) -> None:
        self.zf, self.hashes = zf, []

    def write_bytes(self, name: str, data: bytes) -> None:
        self.zf.writestr(name, data, compress_type=zipfile.ZIP_DEFLATED)
        self.hashes.append((hashlib.sha256(data).hexdigest(), name))

    def write_stream(self, name: str, stream: IO[bytes]) -> None:
        digest = hashlib.sha256()
        # PDFs are compressed already: stored, not deflated.
        with self.zf.open(
            zipfile.ZipInfo(name, date_time=_zip_time()), "w", force_zip64=True
        ) as out:
            while chunk := stream.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        self.hashes.append((digest.hexdigest(), name))


def _zip_time() -> tuple[int, int, int, int, int, int]:
    return to_local(utcnow()).timetuple()[:6]  # type: ignore[return-value]


def write_export(dossier: Dossier, user: User | None, out: IO[bytes]) -> dict[str, Any]:
    """Write the dossier's ZIP as ``user`` may see it (None: the system, no secret content) to ``out``."""
    documents = []
    with zipfile.ZipFile(
        out, "w", compression=zipfile.ZIP_STORED, allowZip64=True
    ) as zf:
        writer = _Writer(zf)
        for ordinal, view in enumerate(item_views(user, dossier), start=1):
            entry = _document_entry(ordinal, view)
            info = view.info
            if info is not None and info.main_file is not None and view.content_ok:
                ext = EXTENSIONS.get(info.main_file.media_type, "bin")
                path = f"documents/{ordinal:03d}_{view.item.kind}_{info.id}.{ext}"
                with open_file(info.main_file) as stream:
                    writer.write_stream(path, stream)
                entry |= {
                    "ContentIncluded": True,
                    "File": path,
                    "Sha256": info.main_file.sha256,
                }
            documents.append(entry)
        exported_by = user.full_name if user is not None else "docflow"
        meta = dossier_metadata(dossier, documents, exported_by)
        writer.write_bytes(
            "metadata.json",
            json.dumps(meta, ensure_ascii=False, indent=2).encode() + b"\n",
        )
        writer.write_bytes("metadata.xml", metadata_xml(meta))
        manifest = "".join(f"{digest}  {name}\n" for digest, name in writer.hashes)
        zf.writestr(MANIFEST, manifest.encode(), compress_type=zipfile.ZIP_DEFLATED)
    return meta


def export_to_tempfile(
    dossier: Dossier, user: User | None
) -> tuple[IO[bytes], dict[str, Any]]:
    """The ZIP in an anonymous temporary file (gone once closed), rewound."""
    tmp = tempfile.TemporaryFile(prefix="docflow-dossier-")  # noqa: SIM115 - the caller closes it
    try:
        meta = write_export(dossier, user, tmp)
    except BaseException:
        tmp.close()
        raise
    tmp.seek(0)
    return tmp, meta
