"""XML-DSig of packets with the agency seal key (the ``Signature`` of QCVN 102's edXMLHeader).

The sender signs the whole packet (enveloped, Reference URI="", exc-c14n, RSA-SHA256) with
its seal key, which may live on a PKCS#11 token: signxml asks the key object to ``sign``,
and ``_TokenKey`` hands that to pyHanko's signer for the token. The receiver checks the
signature over the whole document, then the certificate against its trust roots
(``TRUST_ROOTS``, intermediates from ``SIGNING_CHAIN``). This proves which agency's seal
signed the packet; the HMAC of ``transport`` still authenticates the sending system.
Whether a peer's packets must be sealed, and with which certificates (pins), is
decided by ``trust.check_seal`` on the ``Seal`` returned here.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
from dataclasses import dataclass
from typing import Any

from lxml import etree

from .edxml import NS, PacketRejected
from .edxml_parse import _parser

DS = "http://www.w3.org/2000/09/xmldsig#"
EXC_C14N = "http://www.w3.org/2001/10/xml-exc-c14n#"


@dataclass(frozen=True)
class Seal:
    """A verified seal: who signed and which certificate (SHA-256 of its DER, hex)."""

    subject: str
    sha256: str


class _TokenKey:
    """The part of a cryptography private key signxml uses, done by a pyHanko signer."""

    def __init__(self, signer: Any) -> None:
        self._signer = signer

    def sign(self, data: bytes, padding: Any = None, algorithm: Any = None) -> bytes:
        return asyncio.run(self._signer.async_sign_raw(data, algorithm.name))


def _pem(der: bytes) -> str:
    body = base64.encodebytes(der).decode("ascii")
    return f"-----BEGIN CERTIFICATE-----\n{body}-----END CERTIFICATE-----\n"


def sign_packet(data: bytes, key_source: Any) -> bytes:
    """``data`` (a packet we built) with the seal's enveloped signature in edXMLHeader."""
    from signxml import XMLSigner, methods

    root = etree.fromstring(data, _parser())
    header = root.find(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader")
    etree.SubElement(header, f"{{{DS}}}Signature", Id="placeholder")
    with key_source.open_signer() as signer:
        signed = XMLSigner(
            method=methods.enveloped,
            signature_algorithm="rsa-sha256",
            digest_algorithm="sha256",
            c14n_algorithm=EXC_C14N,
        ).sign(root, key=_TokenKey(signer), cert=[_pem(signer.signing_cert.dump())])
    return etree.tostring(signed, xml_declaration=True, encoding="UTF-8")


def verify_packet(
    data: bytes, trust_roots: list[str], chain: list[str], allow_fetching: bool
) -> str | None:
    """The seal's subject if the packet is signed and valid; None if it carries no signature."""
    sealed = verify_seal(data, trust_roots, chain, allow_fetching)
    return sealed.subject if sealed is not None else None


def verify_seal(
    data: bytes, trust_roots: list[str], chain: list[str], allow_fetching: bool
) -> Seal | None:
    """The packet's verified seal; None if it carries no signature.

    Raises ``PacketRejected`` for a signature that does not cover the whole packet, does not
    match it, or whose certificate does not chain to a trusted root.
    """
    from asn1crypto import x509 as asn1_x509
    from signxml import (
        InvalidInput,
        InvalidSignature,
        SignatureConfiguration,
        XMLVerifier,
    )

    from signing.agent.checks import CheckFailed, check_certificate

    root = etree.fromstring(
        data[data.find(b"<") :] if not data.startswith(b"<") else data, _parser()
    )
    sigs = root.findall(f"{{{NS}}}edXMLEnvelope/{{{NS}}}edXMLHeader/{{{DS}}}Signature")
    if not sigs:
        return None
    if len(sigs) > 1:
        raise PacketRejected("more than one Signature in edXMLHeader")
    cert_el = sigs[0].find(f"{{{DS}}}KeyInfo/{{{DS}}}X509Data/{{{DS}}}X509Certificate")
    if cert_el is None or not (cert_el.text or "").strip():
        raise PacketRejected("the Signature carries no X509Certificate")
    try:
        der = base64.b64decode("".join(cert_el.text.split()), validate=True)
        cert = asn1_x509.Certificate.load(der)
        cert.native  # noqa: B018 - parse now, fail here
    except (ValueError, TypeError) as exc:
        raise PacketRejected(
            f"the Signature's certificate cannot be read: {exc}"
        ) from None
    try:
        result = XMLVerifier().verify(
            root,
            x509_cert=_pem(der),
            expect_config=SignatureConfiguration(require_x509=True),
        )
    except (InvalidSignature, InvalidInput) as exc:
        raise PacketRejected(
            f"the seal signature does not match the packet: {exc}"
        ) from None
    if (
        result.signed_xml is None
        or result.signed_xml.tag != root.tag
        or len(result.signed_xml) != len(root)
    ):
        raise PacketRejected("the seal signature does not cover the whole packet")
    try:
        check_certificate(
            cert,
            trust_roots=trust_roots,
            other_certs=chain,
            allow_fetching=allow_fetching,
        )
    except CheckFailed as exc:
        raise PacketRejected(f"the seal certificate is not accepted: {exc}") from None
    return Seal(cert.subject.human_friendly, hashlib.sha256(der).hexdigest())
