"""Exceptions of the signing library.

Callers catch these, never pyHanko's or python-pkcs11's. Every message is meant to
be shown to an operator as is (the CLI prints it and exits with code 2); none
contains a PIN or passphrase.
"""

from __future__ import annotations


class SigningError(Exception):
    """Base class: something prevented a signature."""


# -- keys ---------------------------------------------------------------------------


class KeyAccessError(SigningError):
    """The signing key or certificate cannot be used."""


class ModuleLoadError(KeyAccessError):
    """The PKCS#11 module (driver) cannot be loaded."""


class TokenNotFound(KeyAccessError):
    """No token with the requested label is present."""


class WrongPin(KeyAccessError):
    """The token refused the PIN (or the PIN is locked)."""


class KeyNotFound(KeyAccessError):
    """No private key / certificate with the requested label or id."""


class WrongPassphrase(KeyAccessError):
    """The PKCS#12 file cannot be decrypted with the passphrase."""


class CertificateError(KeyAccessError):
    """The signer's certificate is unusable (revoked, expired, wrong key usage)."""


# -- documents ----------------------------------------------------------------------


class DocumentError(SigningError):
    """The PDF cannot be processed."""


class UnreadablePdf(DocumentError):
    """The input is not a PDF, or is damaged beyond what the strict reader accepts."""


class EncryptedPdf(DocumentError):
    """The PDF is encrypted; docflow only signs unencrypted documents."""


class AlreadySigned(DocumentError):
    """An operation that rewrites the file was asked for a signed PDF."""


class FieldError(DocumentError):
    """A form field is missing, or a field name is already taken."""


class PlacementError(DocumentError):
    """The signature position cannot be determined (page, box or anchor text)."""


# -- services -----------------------------------------------------------------------


class TimestampError(SigningError):
    """The time-stamping authority cannot be reached or refused the request."""


class RevocationInfoError(SigningError):
    """Revocation information (OCSP/CRL) for B-LT/B-LTA cannot be collected."""
