"""Renew the archival timestamp chain of signed PDFs before the TSA certificate expires.

A B-LTA document stays verifiable as long as its newest document timestamp does; when
that timestamp's certificate nears its end, the revocation data for it is added to the
DSS and a fresh document timestamp is appended (pyHanko ``PdfTimeStamper``, always an
incremental update). The result goes to a *new* file: signed originals are never
rewritten in place. Documents with only signature timestamps (B-T/B-LT) first get the
signatures' validation data embedded, so the renewal makes them B-LTA.
"""

from __future__ import annotations

import io
import logging
import os
from dataclasses import asdict, dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.general import extract_signer_info
from pyhanko.sign.signers.pdf_signer import PdfTimeStamper
from pyhanko.sign.timestamps import HTTPTimeStamper
from pyhanko.sign.validation import add_validation_info
from pyhanko_certvalidator import ValidationContext

logger = logging.getLogger(__name__)

RENEWED_SUFFIX = ".renewed"


@dataclass
class RenewalResult:
    path: str
    #: renewed, not_due, no_timestamp, exists, error
    status: str
    expires_at: str | None = None
    output: str | None = None
    message: str | None = None

    def to_dict(self) -> dict:
        return asdict(self)


def _tst_cert(signed_data) -> asn1_x509.Certificate | None:
    """The TSA certificate of a timestamp token (SignedData)."""
    sid = extract_signer_info(signed_data)["sid"]
    for choice in signed_data["certificates"] or ():
        cert = choice.chosen
        if not isinstance(cert, asn1_x509.Certificate):
            continue
        if sid.name == "issuer_and_serial_number":
            ias = sid.chosen
            if (
                cert.issuer == ias["issuer"]
                and cert.serial_number == ias["serial_number"].native
            ):
                return cert
        elif cert.key_identifier == sid.chosen.native:
            return cert
    return None


def latest_timestamp_expiry(reader: PdfFileReader) -> datetime | None:
    """notAfter of the certificate behind the newest timestamp in the file."""
    doc_ts = reader.embedded_timestamp_signatures
    if doc_ts:
        cert = _tst_cert(doc_ts[-1].signed_data)
        return cert.not_valid_after if cert is not None else None
    expiries = []
    for sig in reader.embedded_regular_signatures:
        for attr in sig.signer_info["unsigned_attrs"] or ():
            if attr["type"].native != "signature_time_stamp_token":
                continue
            for token in attr["values"]:
                cert = _tst_cert(token["content"])
                if cert is not None:
                    expiries.append(cert.not_valid_after)
    return min(expiries) if expiries else None


def output_path(path: Path, output_dir: Path | None) -> Path:
    if output_dir is not None:
        return Path(output_dir) / path.name
    return path.with_name(path.stem + RENEWED_SUFFIX + path.suffix)


def renew_timestamp(
    path: str | os.PathLike,
    *,
    tsa_url: str,
    days: int = 30,
    trust_roots: list[asn1_x509.Certificate] = (),
    other_certs: list[asn1_x509.Certificate] = (),
    output_dir: str | os.PathLike | None = None,
    allow_fetching: bool = True,
    timeout: float = 10,
    now: datetime | None = None,
) -> RenewalResult:
    """Add a fresh document timestamp if the newest one expires within ``days``."""
    path = Path(path)
    result = RenewalResult(path=str(path), status="error")
    try:
        data = path.read_bytes()
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        expiry = latest_timestamp_expiry(reader)
        if expiry is None:
            result.status = "no_timestamp"
            return result
        result.expires_at = expiry.isoformat()
        now = now or datetime.now(UTC)
        if expiry - now > timedelta(days=days):
            result.status = "not_due"
            return result
        target = output_path(path, Path(output_dir) if output_dir else None)
        if target.exists() or target.resolve() == path.resolve():
            result.status, result.output = "exists", str(target)
            result.message = "output file exists; not overwritten"
            return result

        def vc():
            return ValidationContext(
                trust_roots=list(trust_roots),
                other_certs=list(other_certs),
                allow_fetching=allow_fetching,
                revocation_mode="hard-fail",
            )

        if not reader.embedded_timestamp_signatures:
            # B-T / B-LT: embed each signature's validation data first
            for ix in range(len(reader.embedded_regular_signatures)):
                sig = reader.embedded_regular_signatures[ix]
                data = add_validation_info(sig, vc()).getvalue()
                reader = PdfFileReader(io.BytesIO(data), strict=False)
        stamper = PdfTimeStamper(HTTPTimeStamper(tsa_url, timeout=timeout))
        out = io.BytesIO()
        stamper.update_archival_timestamp_chain(
            reader, vc(), in_place=False, output=out
        )
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "xb") as f:  # "x": never replace an existing file
            f.write(out.getvalue())
        result.status, result.output = "renewed", str(target)
        logger.info("renewed document timestamp of %s into %s", path, target)
    except Exception as exc:  # noqa: BLE001 - report per file, keep going
        result.status, result.message = "error", f"{type(exc).__name__}: {exc}"[:300]
        logger.warning("timestamp renewal failed for %s: %s", path, result.message)
    return result


def find_pdfs(paths: list[str | os.PathLike]) -> list[Path]:
    """PDF files among ``paths`` (folders searched recursively), renewed outputs
    excluded so a second run does not renew its own output."""
    found: list[Path] = []
    for p in map(Path, paths):
        candidates = sorted(p.rglob("*")) if p.is_dir() else [p]
        found += [
            c
            for c in candidates
            if c.is_file()
            and c.suffix.lower() == ".pdf"
            and not c.stem.endswith(RENEWED_SUFFIX)
        ]
    return found
