"""Sign a PDF: PAdES baseline B-B, B-T, B-LT or B-LTA, always as an incremental update.

    with open("in.pdf", "rb") as src, open("out.pdf", "wb") as out:
        sign_pdf(src, out, Pkcs11Key(module, "token", pin=pin, key_label="leader"),
                 level=Level.B_LT, tsa_url="http://tsa.example/",
                 appearance=ApprovalAppearance(Placement(anchor="KT. CHỦ TỊCH"), ...))

B-T adds an RFC 3161 signature timestamp; B-LT also embeds the certificates, OCSP
responses and CRLs (DSS) a verifier needs later; B-LTA adds a document timestamp
over all of it. SHA-256 always; RSA PKCS#1 v1.5 by default, RSASSA-PSS on request;
ECDSA for EC keys.
"""

from __future__ import annotations

import asyncio
import enum
import io
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import BinaryIO

from pyhanko.sign import fields as sig_fields
from pyhanko.sign import signers
from pyhanko.sign.general import SigningError as PyHankoSigningError
from pyhanko.sign.timestamps import HTTPTimeStamper, TimestampRequestError
from pyhanko_certvalidator import ValidationContext
from pyhanko_certvalidator.errors import PathBuildingError, PathValidationError

from ._loop import outside_event_loop
from .appearance import (
    ApprovalAppearance,
    AttachmentAppearance,
    SealAppearance,
    attachment_text,
    stamp_attachment_text,
)
from .documents import PdfInput, open_incremental, page_count, read_input
from .errors import (
    CertificateError,
    FieldError,
    RevocationInfoError,
    SigningError,
    TimestampError,
)
from .keys import KeySource

logger = logging.getLogger(__name__)

__all__ = ["VN_TZ", "Level", "SignResult", "sign_pdf"]

#: Asia/Ho_Chi_Minh has no DST: a fixed offset is exact.
VN_TZ = timezone(timedelta(hours=7), "+07:00")

Appearance = ApprovalAppearance | SealAppearance | AttachmentAppearance


class Level(enum.StrEnum):
    """PAdES baseline levels (ETSI EN 319 142-1)."""

    B_B = "B-B"
    B_T = "B-T"
    B_LT = "B-LT"
    B_LTA = "B-LTA"

    @property
    def needs_tsa(self) -> bool:
        return self is not Level.B_B

    @property
    def needs_revocation_info(self) -> bool:
        return self in (Level.B_LT, Level.B_LTA)


@dataclass(frozen=True)
class SignResult:
    field_name: str
    level: Level
    #: signer certificate subject, human friendly
    signer: str
    #: the time written as the signing time (/M), +07:00
    signing_time: datetime
    #: size of the output in bytes
    size: int


def _default_field_name(writer) -> str:
    taken = {name for name, _, _ in sig_fields.enumerate_sig_fields(writer.prev)}
    n = len(taken) + 1
    while f"Signature{n}" in taken:
        n += 1
    return f"Signature{n}"


def _estimate_reserved(signer, level: Level) -> int:
    """Hex characters to reserve for the CMS blob: twice the DER size, plus slack.

    Estimating here avoids pyHanko's dry-run signature (and, for B-T+, a second
    request to the TSA) to size the placeholder.
    """
    certs = list(signer.cert_registry) + [signer.signing_cert]
    der = sum(len(c.dump()) for c in certs) + 2048
    if level.needs_tsa:
        der += 8192  # the timestamp token with the TSA's certificate chain
    return 2 * der + 2048


def _revinfo_context(signer, trust_roots) -> ValidationContext:
    """Context used to collect revocation info for B-LT/B-LTA.

    Without explicit roots, self-signed certificates the key carries are taken as
    anchors: this context collects evidence, it does not judge trust.
    """
    certs = list(signer.cert_registry)
    roots = list(trust_roots) or [c for c in certs if c.self_signed != "no"]
    return ValidationContext(
        trust_roots=roots,
        other_certs=certs,
        allow_fetching=True,
        revocation_mode="hard-fail",
    )


@outside_event_loop
def sign_pdf(
    src: PdfInput,
    out: BinaryIO,
    key: KeySource,
    *,
    level: Level | str = Level.B_B,
    tsa_url: str | None = None,
    appearance: Appearance | None = None,
    field_name: str | None = None,
    reason: str | None = None,
    location: str | None = None,
    prefer_pss: bool = False,
    trust_roots=(),
    validation_context: ValidationContext | None = None,
    timeout: float = 10,
) -> SignResult:
    """Sign ``src`` and write the signed PDF to ``out`` (never rewriting ``src``).

    ``appearance`` None gives an invisible signature. Raises subclasses of
    :class:`signing.errors.SigningError` only.
    """
    level = Level(level)
    if level.needs_tsa and not tsa_url:
        raise SigningError(
            f"Level {level} needs a time-stamping authority URL (tsa_url)"
        )
    data = read_input(src)
    signed = _sign_once(
        data, key, level, tsa_url, appearance, field_name, reason, location,
        prefer_pss, trust_roots, validation_context, timeout, estimate=True,
    )  # fmt: skip
    if signed is None:  # the estimate was too small: let pyHanko size it
        signed = _sign_once(
            data, key, level, tsa_url, appearance, field_name, reason, location,
            prefer_pss, trust_roots, validation_context, timeout, estimate=False,
        )  # fmt: skip
    result, payload = signed
    out.write(payload)
    return result


def _sign_once(
    data, key, level, tsa_url, appearance, field_name, reason, location,
    prefer_pss, trust_roots, validation_context, timeout, *, estimate,
):  # fmt: skip
    writer = open_incremental(data)
    field_name = field_name or _default_field_name(writer)
    existing = {
        name: filled for name, filled, _ in sig_fields.enumerate_sig_fields(writer.prev)
    }
    if existing.get(field_name) is not None:
        raise FieldError(f"Signature field '{field_name}' is already signed")
    signing_time = datetime.now(VN_TZ).replace(microsecond=0)

    stamp_style = None
    if isinstance(appearance, ApprovalAppearance | SealAppearance):
        page_ix, box = appearance.placement.resolve(data, page_count(writer))
        field_spec = sig_fields.SigFieldSpec(field_name, on_page=page_ix, box=box)
        stamp_style = appearance.stamp_style()
    else:
        field_spec = sig_fields.SigFieldSpec(field_name)
        if isinstance(appearance, AttachmentAppearance):
            stamp_attachment_text(
                writer, appearance, attachment_text(appearance.number, signing_time)
            )
    if field_name in existing:
        field_spec = None  # sign the empty field declared in the draft

    with key.open_signer(prefer_pss=prefer_pss) as signer:
        timestamper = (
            HTTPTimeStamper(tsa_url, timeout=timeout) if level.needs_tsa else None
        )
        vc = None
        if level.needs_revocation_info:
            vc = validation_context or _revinfo_context(signer, trust_roots)
        meta = signers.PdfSignatureMetadata(
            field_name=field_name,
            md_algorithm="sha256",
            subfilter=sig_fields.SigSeedSubFilter.PADES,
            embed_validation_info=level.needs_revocation_info,
            use_pades_lta=level is Level.B_LTA,
            validation_context=vc,
            reason=reason,
            location=location,
        )
        pdf_signer = signers.PdfSigner(
            meta,
            signer=signer,
            timestamper=timestamper,
            stamp_style=stamp_style,
            new_field_spec=field_spec,
        )
        output = io.BytesIO()
        reserved = _estimate_reserved(signer, level) if estimate else None
        try:
            pdf_signer.sign_pdf(writer, bytes_reserved=reserved, output=output)
        except PyHankoSigningError as exc:
            if estimate and "larger than expected" in str(exc):
                logger.info("signature larger than estimated, signing again")
                return None
            raise _translate(exc, tsa_url) from exc
        except (TimestampRequestError, TimeoutError, OSError) as exc:
            raise _translate(exc, tsa_url) from exc
        except (PathBuildingError, PathValidationError) as exc:
            raise _translate(exc, tsa_url) from exc
        except Exception as exc:  # aiohttp and certvalidator errors, untyped here
            raise _translate(exc, tsa_url) from exc
        subject = signer.signing_cert.subject.human_friendly
    payload = output.getvalue()
    logger.info(
        "signed field %s at level %s (%d bytes)", field_name, level, len(payload)
    )
    return SignResult(field_name, level, subject, signing_time, len(payload)), payload


def _translate(exc: Exception, tsa_url: str | None) -> SigningError:
    """Map pyHanko / certvalidator / aiohttp failures to docflow's errors."""
    if isinstance(exc, SigningError):
        return exc
    chain = []
    cur: BaseException | None = exc
    while cur is not None and len(chain) < 10:
        chain.append(cur)
        cur = cur.__cause__ or cur.__context__
    names = " ".join(type(e).__module__ + "." + type(e).__name__ for e in chain)
    text = "; ".join(str(e) for e in chain if str(e))
    if "aiohttp" in names or isinstance(
        exc, TimestampRequestError | asyncio.TimeoutError | OSError
    ):
        if (
            "timestamp" in text.lower()
            or "tsa" in text.lower()
            or (tsa_url and tsa_url in text)
            or isinstance(exc, TimestampRequestError)
        ):
            return TimestampError(
                f"Time-stamping authority {tsa_url} unreachable or refused: {text}"
            )
        return RevocationInfoError(f"Cannot fetch revocation information: {text}")
    if "revoked" in text.lower():
        return CertificateError(f"The signer's certificate is revoked: {text}")
    if "expired" in text.lower() or "not valid" in text.lower():
        return CertificateError(f"The signer's certificate is not valid now: {text}")
    if (
        isinstance(exc, PathBuildingError | PathValidationError)
        or "revocation" in text.lower()
    ):
        return RevocationInfoError(
            f"Cannot validate the signer's certificate for B-LT: {text}"
        )
    return SigningError(f"Signing failed: {text or type(exc).__name__}")
