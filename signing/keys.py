"""Where signing keys come from: a PKCS#11 token or a PKCS#12 file.

A key source is a small frozen value (paths, labels, the PIN) that is cheap to pass
to a job; ``open_signer()`` opens it for one signing operation and yields a pyHanko
``Signer`` (pyHanko's own interface for keys, not re-wrapped). PKCS#11 sessions are
opened inside that context manager and closed at its end, so a forked worker never
reuses its parent's session. PINs and passphrases never appear in ``repr`` or in
error messages.
"""

from __future__ import annotations

import abc
import contextlib
import logging
import os
import threading
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem, x509
from pyhanko.sign.signers import Signer, SimpleSigner

from .errors import (
    CertificateError,
    KeyAccessError,
    KeyNotFound,
    ModuleLoadError,
    TokenNotFound,
    WrongPassphrase,
    WrongPin,
)

logger = logging.getLogger(__name__)

__all__ = ["KeySource", "Pkcs11Key", "Pkcs12Key", "load_certificates"]


class KeySource(abc.ABC):
    """A private key plus its certificate chain, usable for one signature at a time.

    Implementations are immutable values. ``open_signer`` acquires whatever the key
    needs (token session, decrypted key), yields a ready pyHanko ``Signer`` whose
    ``signing_cert`` is loaded, and releases everything on exit. It raises only
    subclasses of :class:`signing.errors.KeyAccessError`.
    """

    @abc.abstractmethod
    def open_signer(
        self, *, prefer_pss: bool = False
    ) -> contextlib.AbstractContextManager[Signer]: ...

    @abc.abstractmethod
    def describe(self) -> str:
        """Human-readable description for logs and messages (no secrets)."""


def load_certificates(paths: Iterable[str | os.PathLike]) -> list[x509.Certificate]:
    """Read PEM or DER certificate files (several PEM blocks per file allowed)."""
    certs = []
    for path in paths:
        try:
            data = Path(path).read_bytes()
        except OSError as exc:
            raise KeyAccessError(
                f"Cannot read certificate file {path}: {exc.strerror}"
            ) from exc
        try:
            if pem.detect(data):
                certs.extend(
                    x509.Certificate.load(der)
                    for _, _, der in pem.unarmor(data, multiple=True)
                )
            else:
                certs.append(x509.Certificate.load(data))
        except ValueError as exc:
            raise KeyAccessError(f"{path} is not a PEM or DER certificate") from exc
    return certs


def _check_certificate(cert: x509.Certificate) -> None:
    """Refuse certificates that cannot carry a document signature."""
    key_usage = cert.key_usage_value
    if key_usage is not None and not (
        {"digital_signature", "non_repudiation"} & set(key_usage.native)
    ):
        raise CertificateError(
            f"The certificate of {cert.subject.human_friendly} does not allow "
            "digital signatures (key usage: "
            + ", ".join(sorted(key_usage.native))
            + ")"
        )


# -- PKCS#11 ------------------------------------------------------------------------

_lib_lock = threading.Lock()
#: module path -> pid that initialised it (python-pkcs11 caches one lib per path)
_lib_pids: dict[str, int] = {}


def _load_module(module: str):
    """The python-pkcs11 ``lib`` for ``module``, re-initialised after a fork."""
    import pkcs11

    if not os.path.isfile(module):
        raise ModuleLoadError(f"PKCS#11 module not found: {module}")
    with _lib_lock:
        try:
            lib = pkcs11.lib(module)
        except (pkcs11.PKCS11Error, OSError) as exc:
            raise ModuleLoadError(
                f"Cannot load PKCS#11 module {module}: {exc}"
            ) from exc
        pid = os.getpid()
        if _lib_pids.setdefault(module, pid) != pid:
            # A forked child inherits the parent's initialised library; PKCS#11
            # requires C_Initialize again in the child before any call.
            lib.reinitialize()
            _lib_pids[module] = pid
        return lib


@dataclass(frozen=True)
class Pkcs11Key(KeySource):
    """A key on a PKCS#11 token (USB token, HSM, SoftHSM)."""

    module: str
    token_label: str
    pin: str = field(repr=False)
    key_label: str | None = None
    key_id: bytes | None = None
    #: defaults to the key's label / id
    cert_label: str | None = None
    #: extra certificates (intermediates, root) not stored on the token
    chain: tuple[x509.Certificate, ...] = field(default=(), repr=False)

    def __post_init__(self):
        if self.key_label is None and self.key_id is None:
            raise ValueError("Pkcs11Key needs key_label or key_id")

    def describe(self) -> str:
        key = self.key_label or f"id {self.key_id.hex()}"
        return f"PKCS#11 token '{self.token_label}', key '{key}'"

    @contextlib.contextmanager
    def open_signer(self, *, prefer_pss: bool = False) -> Iterator[Signer]:
        import pkcs11
        from pkcs11 import exceptions as p11e
        from pyhanko.sign.general import SigningError as PyHankoSigningError
        from pyhanko.sign.pkcs11 import PKCS11Signer

        lib = _load_module(self.module)
        try:
            token = lib.get_token(token_label=self.token_label)
        except p11e.NoSuchToken as exc:
            raise TokenNotFound(
                f"No PKCS#11 token labelled '{self.token_label}' in {self.module}"
            ) from exc
        except p11e.MultipleTokensReturned as exc:
            raise TokenNotFound(
                f"Several tokens are labelled '{self.token_label}'; unplug the others"
            ) from exc
        except pkcs11.PKCS11Error as exc:
            raise KeyAccessError(
                f"Cannot list tokens in {self.module}: {exc!r}"
            ) from exc
        try:
            session = token.open(user_pin=self.pin)
        except p11e.UserAlreadyLoggedIn:
            # PKCS#11 login is per process: another thread's session is logged in
            session = token.open()
        except (p11e.PinIncorrect, p11e.PinLenRange, p11e.ArgumentsBad) as exc:
            raise WrongPin(f"Wrong PIN for token '{self.token_label}'") from exc
        except p11e.PinLocked as exc:
            raise WrongPin(f"The PIN of token '{self.token_label}' is locked") from exc
        except p11e.PinExpired as exc:
            raise WrongPin(
                f"The PIN of token '{self.token_label}' has expired"
            ) from exc
        except pkcs11.PKCS11Error as exc:
            raise KeyAccessError(
                f"Cannot open a session on token '{self.token_label}': {exc!r}"
            ) from exc
        try:
            signer = PKCS11Signer(
                session,
                key_label=self.key_label,
                key_id=self.key_id,
                cert_label=self.cert_label or self.key_label,
                cert_id=self.key_id if self.cert_label is None else None,
                ca_chain=self.chain,
                prefer_pss=prefer_pss,
            )
            try:
                cert = signer.signing_cert  # loads key and certificate now
            except (PyHankoSigningError, pkcs11.PKCS11Error) as exc:
                raise KeyNotFound(
                    f"Key or certificate not found on token '{self.token_label}' "
                    f"({self.describe()}): {exc}"
                ) from exc
            _check_certificate(cert)
            if cert.public_key.algorithm == "ec":
                # Many tokens (SoftHSM 2.6 among them) have no CKM_ECDSA_SHA256:
                # hash in software and use raw CKM_ECDSA, which every token has.
                signer.use_raw_mechanism = True
            yield signer
        finally:
            session.close()


# -- PKCS#12 ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pkcs12Key(KeySource):
    """A key and certificate chain in a PKCS#12 (.p12/.pfx) file."""

    path: str | os.PathLike
    passphrase: str | bytes | None = field(default=None, repr=False)
    #: extra certificates not in the file
    chain: tuple[x509.Certificate, ...] = field(default=(), repr=False)

    def describe(self) -> str:
        return f"PKCS#12 file {os.fspath(self.path)}"

    @contextlib.contextmanager
    def open_signer(self, *, prefer_pss: bool = False) -> Iterator[Signer]:
        try:
            data = Path(self.path).read_bytes()
        except OSError as exc:
            raise KeyNotFound(f"Cannot read {self.describe()}: {exc.strerror}") from exc
        passphrase = self.passphrase
        if isinstance(passphrase, str):
            passphrase = passphrase.encode("utf-8")
        try:
            signer = SimpleSigner.load_pkcs12_data(
                data, other_certs=self.chain, passphrase=passphrase
            )
        except ValueError as exc:
            raise WrongPassphrase(
                f"Cannot open {self.describe()}: wrong passphrase or not a PKCS#12 file"
            ) from exc
        if signer.signing_cert is None or signer.signing_key is None:
            raise KeyNotFound(f"{self.describe()} holds no private key and certificate")
        _check_certificate(signer.signing_cert)
        signer.prefer_pss = prefer_pss
        yield signer
