"""The VGCA Sign Service wire format, as spoken by ``vgcaplugin.js`` pages.

A page opens ``wss://127.0.0.1:8987/<Endpoint>`` and sends one JSON request when the
socket opens; the service answers with one JSON object and the page closes the socket.

Request (one file)::

    {"FileUploadHandler": "<URL receiving the signed file>", "SessionId": "",
     "JWTToken": "", "FileName": "<URL of the PDF>",
     "MetaData": [{"Key": "SignerName", "Value": "..."}, ...]}

Request (``/SignFiles``, batch)::

    {"FileUploadHandler": ..., "SessionId": "", "JWTToken": "",
     "Files": [{"FileID": ..., "FileName": "display name", "URL": ...,
                "FileUploadHandler": "<optional, per file>", "MetaData": [...]}],
     "MetaData": [...]}

Response: ``{"Status": 0, "Message": "...", "FileServer": "<upload handler's answer>"}``;
``Status`` 0 is success, anything else an error whose ``Message`` the page shows.
docflow's agent adds ``"Error"`` (a stable code) and, for batches, one progress message
per file (``"Progress": {"Done": n, "Total": m}``) before the final answer, which
carries ``"Results"`` (one object per file, same shape as a single-file answer plus
``FileID``). Pages written for VGCA read only the last message's ``Status``/``Message``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any

__all__ = [
    "BadRequest",
    "FileJob",
    "SignKind",
    "SignRequest",
    "Status",
    "parse_request",
]

#: Endpoint path -> kind of signature
ENDPOINTS = {
    "SignApproved": "approved",  # ký duyệt: the signer's own visible signature
    "SignIssued": "issued",  # ký phát hành: agency seal
    "SignAppendix": "appendix",  # phụ lục: invisible, number/time top right
    "SignFiles": None,  # batch; kind from MetaData "SignType" (default approved)
}
SignKind = str


class Status(enum.IntEnum):
    """``Status`` values of a response (0 = success, as in VGCA Sign Service)."""

    OK = 0
    BAD_REQUEST = 1
    CANCELLED = 2  #: the user closed the PIN prompt
    WRONG_PIN = 3
    TOKEN_ERROR = 4  #: token absent, key or certificate missing, driver not loadable
    DOWNLOAD_FAILED = 5
    SIGN_FAILED = 6
    UPLOAD_REJECTED = 7  #: the server refused the signed file (its reason in Message)
    CERTIFICATE_INVALID = (
        8  #: expired, not yet valid, untrusted or revoked: no PIN asked
    )


class BadRequest(ValueError):
    """The request JSON does not have the expected shape."""


@dataclass(frozen=True)
class FileJob:
    """One file to sign: where to fetch it, where to post the result, how to sign it."""

    file_id: str
    url: str
    upload_url: str
    kind: SignKind
    meta: dict[str, str] = field(default_factory=dict)
    name: str = ""


@dataclass(frozen=True)
class SignRequest:
    files: tuple[FileJob, ...]
    #: forwarded as ``Authorization: Bearer`` when not empty
    jwt: str = field(default="", repr=False)
    session_id: str = field(default="", repr=False)
    batch: bool = False


def _meta(value: Any) -> dict[str, str]:
    """``[{"Key": k, "Value": v}]`` (VGCA) or a plain object -> dict of strings."""
    if value in (None, ""):
        return {}
    if isinstance(value, dict):
        return {str(k): "" if v is None else str(v) for k, v in value.items()}
    if isinstance(value, list):
        out = {}
        for item in value:
            if not isinstance(item, dict) or "Key" not in item:
                raise BadRequest("MetaData items must be {Key, Value} objects")
            out[str(item["Key"])] = (
                "" if item.get("Value") is None else str(item["Value"])
            )
        return out
    raise BadRequest("MetaData must be a list of {Key, Value} or an object")


def _text(data: dict, key: str, *, required: bool = False) -> str:
    value = data.get(key, "")
    if not isinstance(value, str):
        raise BadRequest(f"{key} must be a string")
    if required and not value:
        raise BadRequest(f"{key} is missing")
    return value


def parse_request(endpoint: str, data: Any) -> SignRequest:
    """Check a signing request's shape (URLs are checked later, against the server)."""
    if endpoint not in ENDPOINTS:
        raise BadRequest(f"unknown endpoint {endpoint}")
    if not isinstance(data, dict):
        raise BadRequest("the request must be a JSON object")
    meta = _meta(data.get("MetaData"))
    handler = _text(data, "FileUploadHandler")
    common = {"jwt": _text(data, "JWTToken"), "session_id": _text(data, "SessionId")}
    if endpoint != "SignFiles":
        if not handler:
            raise BadRequest("FileUploadHandler is missing")
        url = _text(data, "FileName", required=True)
        job = FileJob(
            "1", url, handler, ENDPOINTS[endpoint], meta, meta.get("FileName", "")
        )
        return SignRequest((job,), **common)
    files = data.get("Files")
    if not isinstance(files, list) or not files:
        raise BadRequest("Files must be a non-empty list")
    kind = meta.get("SignType", "approved")
    if kind not in ("approved", "issued", "appendix"):
        raise BadRequest(f"unknown SignType {kind}")
    jobs = []
    for i, item in enumerate(files):
        if not isinstance(item, dict):
            raise BadRequest("Files items must be objects")
        upload = _text(item, "FileUploadHandler") or handler
        if not upload:
            raise BadRequest(f"no FileUploadHandler for file {i + 1}")
        jobs.append(FileJob(
            str(item.get("FileID", i + 1)), _text(item, "URL", required=True), upload, kind,
            {**meta, **_meta(item.get("MetaData"))}, _text(item, "FileName"),
        ))  # fmt: skip
    return SignRequest(tuple(jobs), batch=True, **common)


def response(status: Status, message: str, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"Status": int(status), "Message": message}
    if status is not Status.OK:
        body["Error"] = status.name
    body.update(extra)
    return body
