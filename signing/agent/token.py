"""The USB token as the agent sees it: its certificates, and which key signs.

Certificates are public objects on a token: listing them needs no PIN. Signing goes
through :class:`signing.keys.Pkcs11Key` (one PKCS#11 session per signature).
"""

from __future__ import annotations

import base64
import hashlib
from dataclasses import dataclass

from asn1crypto import x509

from ..errors import KeyAccessError, KeyNotFound, TokenNotFound
from ..keys import Pkcs11Key, _load_module

__all__ = ["TokenCertificate", "list_certificates", "select_key"]


@dataclass(frozen=True)
class TokenCertificate:
    label: str
    key_id: bytes
    der: bytes

    @property
    def cert(self) -> x509.Certificate:
        return x509.Certificate.load(self.der)

    def to_json(self) -> dict[str, str]:
        cert = self.cert
        return {
            "Label": self.label,
            "Id": self.key_id.hex(),
            "Subject": cert.subject.human_friendly,
            "CommonName": cert.subject.native.get("common_name", ""),
            "Issuer": cert.issuer.human_friendly,
            "SerialNumber": format(cert.serial_number, "X"),
            "NotBefore": cert["tbs_certificate"]["validity"][
                "not_before"
            ].native.isoformat(),
            "NotAfter": cert["tbs_certificate"]["validity"][
                "not_after"
            ].native.isoformat(),
            "Sha256": hashlib.sha256(self.der).hexdigest(),
            "Certificate": base64.b64encode(self.der).decode("ascii"),
        }


def list_certificates(module: str, token_label: str) -> list[TokenCertificate]:
    """Every X.509 certificate object on the token (no login)."""
    import pkcs11
    from pkcs11 import Attribute, ObjectClass
    from pkcs11 import exceptions as p11e

    lib = _load_module(module)
    try:
        token = lib.get_token(token_label=token_label)
    except p11e.NoSuchToken as exc:
        raise TokenNotFound(f"No PKCS#11 token labelled '{token_label}'") from exc
    except pkcs11.PKCS11Error as exc:
        raise KeyAccessError(f"Cannot list tokens in {module}: {exc!r}") from exc
    found = []
    try:
        with token.open() as session:
            for obj in session.get_objects({Attribute.CLASS: ObjectClass.CERTIFICATE}):
                try:
                    label = obj[Attribute.LABEL]
                except pkcs11.PKCS11Error:
                    label = ""
                try:
                    key_id = bytes(obj[Attribute.ID])
                except pkcs11.PKCS11Error:
                    key_id = b""
                found.append(
                    TokenCertificate(label, key_id, bytes(obj[Attribute.VALUE]))
                )
    except pkcs11.PKCS11Error as exc:
        raise KeyAccessError(f"Cannot read token '{token_label}': {exc!r}") from exc
    return sorted(found, key=lambda c: (c.label, c.key_id))


def select_key(
    certs: list[TokenCertificate], *, key_label: str | None, serial: str | None
) -> TokenCertificate:
    """The certificate (and key, same label/id) to sign with.

    ``serial`` (hex, from the request) wins, then the configured label; a token with
    a single certificate needs neither.
    """
    if serial:
        wanted = serial.upper().lstrip("0")
        for c in certs:
            if format(c.cert.serial_number, "X").lstrip("0") == wanted:
                return c
        raise KeyNotFound(f"No certificate with serial number {serial} on the token")
    if key_label:
        for c in certs:
            if c.label == key_label:
                return c
        raise KeyNotFound(f"No certificate labelled '{key_label}' on the token")
    if len(certs) == 1:
        return certs[0]
    if not certs:
        raise KeyNotFound("The token holds no certificate")
    raise KeyNotFound(
        "The token holds several certificates: start the agent with --key-label"
    )


def key_for(
    module: str, token_label: str, pin: str, cert: TokenCertificate, chain=()
) -> Pkcs11Key:
    if cert.label:
        return Pkcs11Key(
            module, token_label, pin=pin, key_label=cert.label, chain=tuple(chain)
        )
    return Pkcs11Key(
        module, token_label, pin=pin, key_id=cert.key_id, chain=tuple(chain)
    )
