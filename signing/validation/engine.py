"""In-process validation with pyHanko. Never raises; see sandbox.py for time limits.

Regular signatures go through pyHanko's AdES engine (``ades_lta_validation``, ETSI
EN 319 102-1); document timestamps through ``async_validate_pdf_timestamp``. On top of
both we judge what changed after each signature ourselves (changes.py): pyHanko's
difference analysis alone lets some shadow attacks through as form filling.
"""

from __future__ import annotations

import asyncio
import base64
import functools
import logging
import ssl
import threading
import time
from dataclasses import dataclass, field
from io import BytesIO

import aiohttp
import certifi
from asn1crypto import crl as asn1_crl
from asn1crypto import x509 as asn1_x509
from cryptography import x509 as pyca_x509
from pyhanko.pdf_utils.reader import PdfFileReader
from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate, AdESPassed
from pyhanko.sign.diff_analysis import DEFAULT_DIFF_POLICY
from pyhanko.sign.fields import enumerate_sig_fields
from pyhanko.sign.validation.ades import (
    ades_basic_validation,
    ades_lta_validation,
    ades_with_time_validation,
)
from pyhanko.sign.validation.pdf_embedded import (
    EmbeddedPdfSignature,
    async_validate_pdf_timestamp,
)
from pyhanko.sign.validation.policy_decl import (
    CertificateFetchingRule,
    LocalKnowledge,
    PdfSignatureValidationSpec,
    RevinfoOnlineFetchingRule,
    RevocationInfoGatheringSpec,
    SignatureValidationSpec,
)
from pyhanko.sign.validation.settings import KeyUsageConstraints
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.context import CertValidationPolicySpec
from pyhanko_certvalidator.policy_decl import REQUIRE_REVINFO, CertRevTrustPolicy
from pyhanko_certvalidator.registry import SimpleTrustManager
from pyhanko_certvalidator.revinfo.archival import CRLContainer, OCSPContainer

from .crl_cache import CachingFetcherBackend
from .levels import _dss_certs, _dss_revinfo, _has_signature_timestamp, detect_level
from .messages import sub_indication_message
from .report import (
    INDETERMINATE,
    TOTAL_FAILED,
    TOTAL_PASSED,
    SignatureReport,
    SignerInfo,
    ValidationReport,
)
from .verdict import check_times, judge_changes, set_messages

logger = logging.getLogger(__name__)

_MAX_SIGNATURES = 100
#: failures a later proof of existence can still overturn
_LTA_CAN_FIX = (AdESFailure.REVOKED, AdESFailure.NOT_YET_VALID)


@dataclass(frozen=True)
class ValidationOptions:
    """Everything a validation depends on besides the file; JSON-serialisable."""

    trust_roots: tuple[bytes, ...] = ()  #: DER certificates
    other_certs: tuple[bytes, ...] = ()  #: DER intermediates not embedded in files
    allow_fetching: bool = True  #: fetch OCSP/CRL online
    #: follow AIA caIssuers URLs found in the file (off: the URLs are attacker-chosen)
    fetch_certificates: bool = False
    expected_changed_fields: frozenset[str] = field(default_factory=frozenset)
    #: fields another party may fill after a signature provided a later signature
    #: (not a document timestamp) covers the result, e.g. the number and date a records
    #: officer fills before sealing (NĐ 30/2020): accepted for every signature but the
    #: last, never after the last one
    later_signed_fields: frozenset[str] = field(default_factory=frozenset)
    fetch_timeout: float = 10.0
    #: keep fetched CRLs until their nextUpdate, at most this long (0: fetch every
    #: time); see crl_cache.py
    crl_cache_seconds: float = 900.0
    #: DER CRLs supplied locally (isolated networks); checked like fetched ones
    crls: tuple[bytes, ...] = ()

    def to_json(self) -> dict:
        return {
            "trust_roots": [base64.b64encode(c).decode() for c in self.trust_roots],
            "other_certs": [base64.b64encode(c).decode() for c in self.other_certs],
            "allow_fetching": self.allow_fetching,
            "fetch_certificates": self.fetch_certificates,
            "expected_changed_fields": sorted(self.expected_changed_fields),
            "later_signed_fields": sorted(self.later_signed_fields),
            "fetch_timeout": self.fetch_timeout,
            "crl_cache_seconds": self.crl_cache_seconds,
            "crls": [base64.b64encode(c).decode() for c in self.crls],
        }

    @classmethod
    def from_json(cls, data: dict) -> ValidationOptions:
        return cls(
            trust_roots=tuple(base64.b64decode(c) for c in data["trust_roots"]),
            other_certs=tuple(base64.b64decode(c) for c in data["other_certs"]),
            allow_fetching=data["allow_fetching"],
            fetch_certificates=data["fetch_certificates"],
            expected_changed_fields=frozenset(data["expected_changed_fields"]),
            later_signed_fields=frozenset(data.get("later_signed_fields", ())),
            fetch_timeout=data["fetch_timeout"],
            crl_cache_seconds=data.get("crl_cache_seconds", 900.0),
            crls=tuple(base64.b64decode(c) for c in data.get("crls", ())),
        )


@functools.cache
def _tls_context() -> ssl.SSLContext:
    """The context pyHanko's fetchers use (certifi's roots), built once per process.

    Loading the CA bundle took ~14 ms, as long as validating a signature offline.
    """
    return ssl.create_default_context(cafile=certifi.where())


def validate_bytes(data: bytes, options: ValidationOptions) -> ValidationReport:
    """Validate every signature in ``data``; any error becomes part of the report."""
    start = time.perf_counter()
    try:
        report = _validate(data, options)
    except MemoryError:
        report = ValidationReport.failure("RESOURCE_LIMIT", "out of memory")
    except RecursionError:
        report = ValidationReport.failure("MALFORMED", "object nesting too deep")
    except Exception as exc:  # noqa: BLE001 - hostile input: nothing may escape
        logger.info("unreadable PDF: %r", exc)
        report = ValidationReport.failure("MALFORMED", _describe(exc))
    report.elapsed_ms = round((time.perf_counter() - start) * 1000, 1)
    return report


def _describe(exc: BaseException) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def _validate(data: bytes, options: ValidationOptions) -> ValidationReport:
    if b"%PDF-" not in data[:1024]:
        return ValidationReport.failure("NOT_PDF")
    reader = PdfFileReader(BytesIO(data), strict=False)
    if reader.encrypted:
        return ValidationReport.failure("ENCRYPTED")
    revisions = reader.xrefs.total_revisions
    all_sig_names = {name for name, _, _ in enumerate_sig_fields(reader)}
    embedded, reports = [], []
    for n, (name, _value, sig_field) in enumerate(
        enumerate_sig_fields(reader, filled_status=True)
    ):
        if n >= _MAX_SIGNATURES:
            break
        try:
            embedded.append(EmbeddedPdfSignature(reader, sig_field, name))
        except Exception as exc:  # noqa: BLE001
            reports.append(_unreadable_signature(name, exc))
    if not embedded and not reports:
        return ValidationReport(reason="NO_SIGNATURE", revisions=revisions)
    embedded.sort(key=lambda e: e.signed_revision)
    checker = _Checker(reader, options, embedded, all_sig_names)
    reports = asyncio.run(checker.run()) + reports
    return ValidationReport(signatures=reports, revisions=revisions)


def _unreadable_signature(name, exc: BaseException) -> SignatureReport:
    vi, en = sub_indication_message("FORMAT_FAILURE")
    return SignatureReport(
        field_name=str(name),
        kind="signature",
        indication=INDETERMINATE,
        sub_indication="FORMAT_FAILURE",
        message_vi=vi,
        message_en=en,
        details=_describe(exc),
    )


def _iso(dt) -> str | None:
    return dt.isoformat() if dt is not None else None


def _signer_info(cert: asn1_x509.Certificate) -> SignerInfo:
    pyca = pyca_x509.load_der_x509_certificate(cert.dump())
    cns = pyca.subject.get_attributes_for_oid(pyca_x509.NameOID.COMMON_NAME)
    return SignerInfo(
        common_name=str(cns[0].value) if cns else None,
        subject=pyca.subject.rfc4514_string(),
        serial_number=format(pyca.serial_number, "X"),
        issuer=pyca.issuer.rfc4514_string(),
        valid_from=_iso(pyca.not_valid_before_utc),
        valid_to=_iso(pyca.not_valid_after_utc),
    )


def _ades_indication(sub) -> tuple[str, str | None]:
    if isinstance(sub, AdESPassed):
        return TOTAL_PASSED, None
    if isinstance(sub, AdESFailure):
        return TOTAL_FAILED, sub.name
    if isinstance(sub, AdESIndeterminate):
        return INDETERMINATE, sub.name
    return INDETERMINATE, "GENERIC"


class _ErrorRecorder(logging.Handler):
    """Collects the exceptions pyHanko logs (and swallows) for this thread.

    pyHanko maps several certvalidator errors to one AdES sub-indication; the
    exception type lets us tell "no revocation data" (TRY_LATER) apart.
    """

    def __init__(self):
        super().__init__(level=logging.INFO)
        self.thread = threading.get_ident()
        self.reset()

    def reset(self):
        self.seen: set[str] = set()
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord):
        if record.thread != self.thread or record.exc_info is None:
            return
        exc = record.exc_info[1]
        while exc is not None:
            self.seen.add(type(exc).__name__)
            exc = exc.__cause__
        self.messages.append(record.getMessage()[:300])


class _Checker:
    def __init__(self, reader, options: ValidationOptions, embedded, all_sig_names):
        self.reader = reader
        self.options = options
        self.embedded = embedded
        self.allowed_fields = set(options.expected_changed_fields) | all_sig_names
        self.roots = [asn1_x509.Certificate.load(c) for c in options.trust_roots]
        self.other_certs = [asn1_x509.Certificate.load(c) for c in options.other_certs]
        self.local_crls = [asn1_crl.CertificateList.load(c) for c in options.crls]
        self.dss_ocsps, self.dss_crls = _dss_revinfo(reader)
        self.dss_certs = _dss_certs(reader)
        self.doc_ts_revisions = [
            e.signed_revision for e in embedded if e.sig_object_type == "/DocTimeStamp"
        ]

    def _allowed_after(self, es) -> set[str]:  # type: ignore[no-untyped-def]
        """Fields whose change after ``es`` is accepted (see later_signed_fields)."""
        later = any(
            e.sig_object_type != "/DocTimeStamp"
            and e.signed_revision > es.signed_revision
            for e in self.embedded
        )
        if later:
            return self.allowed_fields | set(self.options.later_signed_fields)
        return self.allowed_fields

    async def run(self) -> list[SignatureReport]:
        # Our own session (pyHanko's lazy one builds a TLS context per validation);
        # sessions belong to the event loop, the TLS context is shared.
        session = aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(ssl=_tls_context())
        )
        backend = CachingFetcherBackend(
            session=session,
            per_request_timeout=self.options.fetch_timeout,
            max_age=self.options.crl_cache_seconds,
        )
        self.backend = backend
        pyhanko_logger = logging.getLogger("pyhanko")
        self.errors = _ErrorRecorder()
        pyhanko_logger.addHandler(self.errors)
        # The recorder needs pyHanko's INFO records whatever the host's logging config.
        level = pyhanko_logger.level
        if pyhanko_logger.getEffectiveLevel() > logging.INFO:
            pyhanko_logger.setLevel(logging.INFO)
        try:
            return [await self._check(es) for es in self.embedded]
        finally:
            pyhanko_logger.setLevel(level)
            pyhanko_logger.removeHandler(self.errors)
            await session.close()

    async def _check(self, es: EmbeddedPdfSignature) -> SignatureReport:
        is_ts = es.sig_object_type == "/DocTimeStamp"
        rep = SignatureReport(
            field_name=str(
                es.field_name
            ),  # plain str: pyHanko strings drag the PDF along
            kind="document_timestamp" if is_ts else "signature",
            indication=INDETERMINATE,
            sub_indication="GENERIC",
            message_vi="",
            message_en="",
            signed_revision=es.signed_revision,
        )
        self.errors.reset()
        try:
            self._describe_static(rep, es, is_ts)
            # the diff analysis runs once here; both engines and our judgement use it
            es.compute_integrity_info(diff_policy=DEFAULT_DIFF_POLICY)
            if is_ts:
                await self._check_timestamp(rep, es)
            else:
                await self._check_signature(rep, es)
            judge_changes(rep, es, self.reader, self._allowed_after(es))
        except MemoryError:
            raise  # the whole file is over its limit: RESOURCE_LIMIT
        except Exception as exc:  # noqa: BLE001 - one bad signature never hides others
            logger.info("signature %s: %r", es.field_name, exc)
            rep.indication, rep.sub_indication = INDETERMINATE, "FORMAT_FAILURE"
            rep.details = _describe(exc)
        set_messages(rep)
        return rep

    def _describe_static(self, rep, es, is_ts):
        rep.sub_filter = str(es.sig_object.get("/SubFilter", "")).lstrip("/") or None
        rep.signer = _signer_info(es.signer_cert)
        rep.signing_time = _iso(es.self_reported_timestamp)
        docmdp = es.docmdp_level
        rep.docmdp = docmdp.name if docmdp is not None else None
        if not is_ts:
            rep.pades_level = detect_level(self.reader, es, self.doc_ts_revisions)

    def _local_knowledge(self, es, embedded: bool) -> LocalKnowledge:
        """Configured intermediates and CRLs, plus (``embedded``) the DSS and Adobe
        archive.

        pyHanko's LTA process reads the DSS itself; the basic and with-time
        processes do not, so B-LT signatures would need online fetching.
        """
        if not embedded:
            return LocalKnowledge(
                known_certs=list(self.other_certs),
                known_crls=[CRLContainer(c) for c in self.local_crls],
            )
        ocsps = list(self.dss_ocsps)
        crls = list(self.dss_crls) + self.local_crls
        for attr in es.signer_info["signed_attrs"] or ():
            if attr["type"].native == "adobe_revocation_info_archival":
                value = attr["values"][0]
                crls += list(value["crl"] or ())
                ocsps += list(value["ocsp"] or ())
        return LocalKnowledge(
            known_certs=self.other_certs + self.dss_certs,
            known_ocsps=[c for o in ocsps for c in OCSPContainer.load_multi(o)],
            known_crls=[CRLContainer(c) for c in crls],
        )

    def _spec(self, es, embedded: bool) -> PdfSignatureValidationSpec:
        o = self.options
        trust = SimpleTrustManager.build(trust_roots=self.roots)
        gathering = RevocationInfoGatheringSpec(
            online_fetching_rule=(
                RevinfoOnlineFetchingRule.NO_HISTORICAL_FETCH
                if o.allow_fetching
                else RevinfoOnlineFetchingRule.LOCAL_ONLY
            ),
            fetcher_backend=self.backend,
            certificate_fetching_rule=(
                CertificateFetchingRule.FOLLOW_ONLINE_RULE
                if o.fetch_certificates
                else CertificateFetchingRule.NEVER_FETCH
            ),
        )
        return PdfSignatureValidationSpec(
            SignatureValidationSpec(
                cert_validation_policy=CertValidationPolicySpec(
                    trust_manager=trust,
                    revinfo_policy=CertRevTrustPolicy(REQUIRE_REVINFO),
                ),
                revinfo_gathering_policy=gathering,
                local_knowledge=self._local_knowledge(es, embedded),
                # Vietnamese CAs issue signing certificates with digitalSignature
                # and/or nonRepudiation; either one is acceptable.
                key_usage_settings=KeyUsageConstraints(
                    key_usage={"digital_signature", "non_repudiation"},
                    match_all_key_usages=False,
                ),
            ),
            diff_policy=DEFAULT_DIFF_POLICY,
        )

    async def _check_signature(self, rep, es):
        """Pick the ETSI process the signature's form allows, best verdict wins.

        Basic validation for B-B, validation with time for a signature timestamp,
        and long-term validation when document timestamps follow the signature.
        pyHanko's LTA process alone reports NO_POE for a plain B-T or B-LT
        signature whose certificates are still valid, and demands a signature
        timestamp, so it is only the last step.
        """
        sig_spec = self._spec(es, embedded=True).signature_validation_spec
        kwargs = {"raw_digest": es.compute_digest()}
        if _has_signature_timestamp(es):
            result = await ades_with_time_validation(es.signed_data, sig_spec, **kwargs)
        else:
            result = await ades_basic_validation(es.signed_data, sig_spec, **kwargs)
        if any(r > es.signed_revision for r in self.doc_ts_revisions) and not (
            isinstance(result.ades_subindic, AdESPassed | AdESFailure)
            and result.ades_subindic not in _LTA_CAN_FIX
        ):
            lta = await ades_lta_validation(es, self._spec(es, embedded=False))
            if isinstance(lta.ades_subindic, AdESPassed) or not isinstance(
                result.ades_subindic, AdESPassed
            ):
                result = lta
        rep.indication, rep.sub_indication = _ades_indication(result.ades_subindic)
        rep.details = result.failure_msg
        best = getattr(result, "best_signature_time", None)
        rep.best_signature_time = _iso(best)
        status = result.api_status
        if status is not None:
            rep.intact, rep.crypto_valid = status.intact, status.valid
            rep.trusted, rep.revoked = status.trusted, status.revoked
            if status.revocation_details is not None:
                rep.revocation_date = _iso(status.revocation_details.revocation_date)
            ts = getattr(status, "timestamp_validity", None)
            if ts is not None:
                rep.timestamp_time = _iso(ts.timestamp)
        if rep.sub_indication == "CERTIFICATE_CHAIN_GENERAL_FAILURE" and (
            "InsufficientRevinfoError" in self.errors.seen
        ):
            # ETSI: revocation status not available (yet) is TRY_LATER;
            # pyHanko folds it into a general chain failure.
            rep.sub_indication = "TRY_LATER"
        if rep.details is None and self.errors.messages:
            rep.details = self.errors.messages[-1]
        if rep.indication != TOTAL_FAILED:
            check_times(rep, es, best)

    async def _check_timestamp(self, rep, es):
        ocsps, crls = self.dss_ocsps, self.dss_crls + self.local_crls
        o = self.options
        vc = ValidationContext(
            trust_roots=self.roots,
            other_certs=self.other_certs + self.dss_certs,
            allow_fetching=o.allow_fetching,
            ocsps=ocsps,
            crls=crls,
            revocation_mode="hard-fail",
            fetcher_backend=self.backend,
        )
        status = await async_validate_pdf_timestamp(
            es, validation_context=vc, diff_policy=DEFAULT_DIFF_POLICY
        )
        rep.intact, rep.crypto_valid = status.intact, status.valid
        rep.trusted, rep.revoked = status.trusted, status.revoked
        rep.timestamp_time = rep.best_signature_time = _iso(status.timestamp)
        if not status.intact:
            rep.indication, rep.sub_indication = TOTAL_FAILED, "HASH_FAILURE"
        elif not status.valid:
            rep.indication, rep.sub_indication = TOTAL_FAILED, "SIG_CRYPTO_FAILURE"
        elif status.trusted:
            rep.indication, rep.sub_indication = TOTAL_PASSED, None
        elif status.revoked:
            rep.indication, rep.sub_indication = TOTAL_FAILED, "REVOKED"
        elif status.trust_problem_indic is not None:
            rep.indication, rep.sub_indication = _ades_indication(
                status.trust_problem_indic
            )
        else:
            rep.indication, rep.sub_indication = (
                INDETERMINATE,
                "NO_CERTIFICATE_CHAIN_FOUND",
            )
