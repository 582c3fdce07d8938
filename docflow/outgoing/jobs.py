"""Background jobs of outgoing documents. They take ids and are safe to run twice."""

from __future__ import annotations

import logging

from flask import current_app

from signing.errors import SigningError

from ..extensions import db
from ..files.sniff import EXTENSIONS
from ..jobs import job
from . import signatures as sig
from .convert import ConversionError, to_pdf
from .models import OutgoingDocument, OutgoingVersion
from .services import _place_name, _read, _store_bytes, store_validation

logger = logging.getLogger(__name__)


@job("outgoing.convert_draft")
def convert_draft(version_id: int) -> None:
    """Convert a DOCX/ODT version to PDF and declare the number/date fields."""
    version = db.session.get(OutgoingVersion, version_id)
    if version is None or version.state != "converting":
        return
    suffix = "." + EXTENSIONS.get(version.source_file.media_type, "docx")
    try:
        pdf = to_pdf(_read(version.source_file), suffix)
        prepared = sig.prepare_draft(pdf, place=_place_name(version.document))
    except (ConversionError, SigningError) as exc:
        version.state, version.error = "failed", str(exc)[:500]
        db.session.commit()
        logger.warning("conversion of version %s failed: %s", version_id, exc)
        return
    name = version.source_file.original_name.rsplit(".", 1)[0] + ".pdf"
    version.file_id = _store_bytes(
        prepared, name, version.document, version.created_by
    ).id
    version.state, version.error = "ready", None
    db.session.commit()


@job("outgoing.validate_issued")
def validate_issued(document_id: int) -> None:
    """Validate every signature of the issued PDF; only the issue fields may have changed."""
    from signing.validate import validate_pdf

    doc = db.session.get(OutgoingDocument, document_id)
    if doc is None or doc.issued_file is None:
        return
    report = validate_pdf(
        _read(doc.issued_file),
        trust_roots=current_app.config["TRUST_ROOTS"],
        allow_fetching=current_app.config["REVOCATION_FETCHING"],
        crls=current_app.config["REVOCATION_FILES"],
        expected_changed_fields=sig.ISSUE_FIELDS,
    )
    store_validation(doc, report.to_dict())
