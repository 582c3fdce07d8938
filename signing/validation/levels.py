"""Detect the PAdES baseline level a signature reaches (B-B, B-T, B-LT, B-LTA).

This describes what the file contains, not whether it validates: B-T means a signature
timestamp (or a later document timestamp) exists; B-LT means revocation data for the
signer's certificate is embedded (DSS or Adobe revocation archival attribute); B-LTA
means a document timestamp protects that data. Signatures with an ``adbe.pkcs7.*``
SubFilter are not PAdES baseline: they are reported as ``PKCS7-B`` ... ``PKCS7-LTA``.
"""

from __future__ import annotations

from asn1crypto import crl as asn1_crl
from asn1crypto import ocsp as asn1_ocsp
from asn1crypto import x509 as asn1_x509
from pyhanko.pdf_utils import generic
from pyhanko.pdf_utils.decode_limits import DecodePurpose

_MAX_ITEMS = 500


def _dss_revinfo(handler) -> tuple[list, list]:
    """(OCSP responses, CRLs) in a revision's DSS, parsed, bounded in number."""
    try:
        dss = handler.root["/DSS"]
    except KeyError:
        return [], []
    if not isinstance(dss, generic.DictionaryObject):
        return [], []
    ocsps, crls = [], []
    for key, purpose, loader, out in (
        ("/OCSPs", DecodePurpose.OCSP_RESPONSE, asn1_ocsp.OCSPResponse.load, ocsps),
        ("/CRLs", DecodePurpose.CRL, asn1_crl.CertificateList.load, crls),
    ):
        arr = dss[key] if key in dss else None
        if not isinstance(arr, generic.ArrayObject):
            continue
        for i in range(min(len(arr), _MAX_ITEMS)):
            try:
                out.append(loader(arr[i].read_data(purpose)))
            except Exception:  # noqa: BLE001, S112 - a broken entry is just skipped
                continue
    return ocsps, crls


def _dss_certs(handler) -> list:
    """Certificates in the latest DSS (bounded)."""
    try:
        arr = handler.root["/DSS"]["/Certs"]
        return [
            asn1_x509.Certificate.load(arr[i].read_data(DecodePurpose.CERTIFICATE))
            for i in range(min(len(arr), _MAX_ITEMS))
        ]
    except Exception:  # noqa: BLE001 - no usable DSS is the same as none
        return []


def _covers(cert, ocsps, crls) -> bool:
    for resp in ocsps:
        try:
            basic = resp["response_bytes"]["response"].parsed
            for single in basic["tbs_response_data"]["responses"]:
                if single["cert_id"]["serial_number"].native == cert.serial_number:
                    return True
        except Exception:  # noqa: BLE001, S112
            continue
    for c in crls:
        try:
            if c["tbs_cert_list"]["issuer"] == cert.issuer:
                return True
        except Exception:  # noqa: BLE001, S112
            continue
    return False


def _has_adobe_revinfo(embedded_sig) -> bool:
    attrs = embedded_sig.signer_info["signed_attrs"]
    return any(
        a["type"].native == "adobe_revocation_info_archival" for a in attrs or ()
    )


def _has_signature_timestamp(embedded_sig) -> bool:
    attrs = embedded_sig.signer_info["unsigned_attrs"]
    return any(a["type"].native == "signature_time_stamp_token" for a in attrs or ())


def detect_level(reader, embedded_sig, doc_ts_revisions: list[int]) -> str | None:
    """The baseline level of a regular signature; ``None`` if it cannot be told."""
    sub_filter = str(embedded_sig.sig_object.get("/SubFilter", ""))  # a direct name
    prefix = "B-" if sub_filter == "/ETSI.CAdES.detached" else "PKCS7-"
    signed = embedded_sig.signed_revision
    later_ts = [r for r in doc_ts_revisions if r > signed]
    if not (_has_signature_timestamp(embedded_sig) or later_ts):
        return prefix + "B"
    cert = embedded_sig.signer_cert
    lt_revision = signed if _has_adobe_revinfo(embedded_sig) else None
    total = reader.xrefs.total_revisions
    # bounded: look at the last 50 revisions at most
    for rev in range(max(signed + 1, total - 50), total):
        if lt_revision is not None:
            break
        ocsps, crls = _dss_revinfo(reader.get_historical_resolver(rev))
        if _covers(cert, ocsps, crls):
            lt_revision = rev
    if lt_revision is None:
        return prefix + "T"
    if any(r >= lt_revision for r in later_ts if r > signed):
        return prefix + "LTA"
    return prefix + "LT"
