"""The bridge between outgoing documents and the ``signing`` library.

- ``prepare_draft``: an unsigned draft PDF gets empty fields at the "Số:" and date
  positions, so the number and date can be filled in after the leader signed without
  breaking that signature (an incremental form-fill, pyHanko level FORM_FILLING).
- ``SignatureMethod``: how the leader's approval signature is made. ``ServerKeyMethod``
  uses a key the server holds for the leader (PKCS#11 token or PKCS#12 file); the
  leader's own USB token through the browser agent plugs in beside it later.
- ``seal``: the records officer fills in number and date, then the agency's key on the
  server HSM adds the seal signature; attachments get invisible agency signatures.
"""

from __future__ import annotations

import abc
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import current_app

from signing.appearance import (
    ApprovalAppearance,
    AttachmentAppearance,
    SealAppearance,
    seal_placement,
)
from signing.documents import open_reader
from signing.errors import SigningError
from signing.fields import fill_issue_fields, prepare_fields
from signing.keys import KeySource, Pkcs11Key, Pkcs12Key, load_certificates
from signing.placement import Placement, find_text
from signing.sign import Level, sign_pdf

NUMBER_FIELD = "so_ky_hieu"
DATE_FIELD = "ngay_ban_hanh"
APPROVAL_FIELD = "ky_duyet"
SEAL_FIELD = "ky_phat_hanh"
#: The only fields the issuing step may change after the leader signed.
ISSUE_FIELDS = frozenset({NUMBER_FIELD, DATE_FIELD})


class CredentialMissing(Exception):
    """No usable key is registered (or its PIN/passphrase variable is not set)."""


def _has(pdf: bytes, anchor: str) -> bool:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as fh:
        fh.write(pdf)
        fh.flush()
        return bool(find_text(fh.name, anchor))


def prepare_draft(pdf: bytes, place: str | None = None) -> bytes:
    """Declare the number and date fields in an unsigned draft (NĐ 30 Phụ lục I, ô 3 and 4).

    The number goes right of "Số:"; the date right of "<place>," (e.g. "Thanh Hóa,").
    Drafts without these lines get the fields at their usual place on page 1.
    Raises ``signing.errors.AlreadySigned`` for a signed file.
    """
    from signing.documents import normalise_unsigned

    data = normalise_unsigned(pdf)
    reader = open_reader(data)
    box = reader.root["/Pages"]["/Kids"][0].get_object()["/MediaBox"]
    width, height = float(box[2]), float(box[3])
    if _has(data, "Số:"):
        number = Placement(anchor="Số:", mode="right", size=(170, 18), page=0)
    else:
        number = Placement(page=0, box=(70, height - 150, 260, height - 132))
    if place and _has(data, f"{place},"):
        when = Placement(anchor=f"{place},", mode="right", size=(220, 18), page=0)
    else:
        when = Placement(
            page=0, box=(width - 300, height - 150, width - 60, height - 132)
        )
    return prepare_fields(data, {NUMBER_FIELD: number, DATE_FIELD: when})


def approval_placement(pdf: bytes, position: str | None) -> Placement:
    """Centred between the signer's position and name; bottom right of the last page otherwise."""
    last_line = (position or "").split("\n")[-1].strip().upper()
    if last_line and _has(pdf, last_line):
        return Placement(anchor=last_line, size=(170, 100), mode="below")
    return Placement(page=-1, box=(330, 120, 500, 220))


# ------------------------------------------------------------------ keys
@dataclass(frozen=True)
class KeySpec:
    """Plain description of a registered key (from a SigningCredential row)."""

    kind: str
    secret_env: str
    module_path: str | None = None
    token_label: str | None = None
    key_label: str | None = None
    pkcs12_path: str | None = None

    def open(self) -> KeySource:
        secret = os.environ.get(self.secret_env)
        if not secret:
            raise CredentialMissing(
                f"the environment variable {self.secret_env} holding the PIN is not set"
            )
        chain = tuple(load_certificates(current_app.config["SIGNING_CHAIN"]))
        if self.kind == "pkcs11":
            return Pkcs11Key(
                self.module_path,
                self.token_label,
                pin=secret,
                key_label=self.key_label,
                chain=chain,
            )
        return Pkcs12Key(self.pkcs12_path, secret, chain=chain)


def _level() -> tuple[Level, str | None]:
    tsa = current_app.config["SIGNING_TSA_URL"] or None
    level = Level(current_app.config["SIGNING_LEVEL"]) if tsa else Level.B_B
    return level, tsa


def _sign(data: bytes, key: KeySource, **kwargs: Any) -> bytes:
    level, tsa = _level()
    out = io.BytesIO()
    sign_pdf(
        data,
        out,
        key,
        level=level,
        tsa_url=tsa,
        trust_roots=current_app.config["TRUST_ROOTS"],
        **kwargs,
    )
    return out.getvalue()


class SignatureMethod(abc.ABC):
    """How a leader's approval signature is produced."""

    name: str

    @abc.abstractmethod
    def sign(self, pdf: bytes, *, name: str, position: str | None) -> bytes:
        """Return ``pdf`` with the approval signature appended (incremental update)."""


class ServerKeyMethod(SignatureMethod):
    """The leader's key is held by the server (PKCS#11 token or PKCS#12 file)."""

    name = "server"

    def __init__(self, key: KeySpec) -> None:
        self.key = key

    def sign(self, pdf: bytes, *, name: str, position: str | None) -> bytes:
        appearance = ApprovalAppearance(
            approval_placement(pdf, position),
            name=name,
            position=(position or "").upper() or None,
        )
        return _sign(
            pdf, self.key.open(), appearance=appearance, field_name=APPROVAL_FIELD
        )


def issue_pdf(signed: bytes, seal_key: KeySpec, number: str, issued: date) -> bytes:
    """Fill number and date into the leader-signed PDF, then add the agency seal."""
    filled = fill_issue_fields(signed, number, issued)
    placement = seal_placement(open_reader(filled), APPROVAL_FIELD)
    return _sign(
        filled,
        seal_key.open(),
        appearance=SealAppearance(placement),
        field_name=SEAL_FIELD,
    )


def seal_attachment(pdf: bytes, seal_key: KeySpec, number: str) -> bytes:
    """An attachment in a separate file: invisible agency signature + "số; thời gian ký" top right."""
    return _sign(
        pdf,
        seal_key.open(),
        appearance=AttachmentAppearance(number),
        field_name=SEAL_FIELD,
    )


__all__ = [
    "CredentialMissing",
    "KeySpec",
    "ServerKeyMethod",
    "SignatureMethod",
    "SigningError",
    "issue_pdf",
    "prepare_draft",
    "seal_attachment",
]
