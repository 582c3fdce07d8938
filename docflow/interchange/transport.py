"""Posting packets to other instances, and the shared-secret authentication of both sides.

Each pair of instances shares a secret (per remote agency, named by ``Peer.secret_env``).
A request carries ``X-Edxml-From`` (the sending agency's code), ``X-Edxml-Timestamp`` and
``X-Edxml-Signature`` = HMAC-SHA256(secret, timestamp, path, SHA-256 of the body). The
receiver answers with its own HMAC over the request's signature and the response body,
so the sender knows the acknowledgement came from the peer (mutual authentication).
"""

from __future__ import annotations

import abc
import hashlib
import hmac
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass, field

MAX_SKEW_SECONDS = 300
HEADER_FROM, HEADER_TS, HEADER_SIG = (
    "X-Edxml-From",
    "X-Edxml-Timestamp",
    "X-Edxml-Signature",
)


class TransportError(Exception):
    """The peer could not be reached or did not answer properly (retry later)."""


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str] = field(default_factory=dict)


class Transport(abc.ABC):
    """Posts bytes to a URL. ``post`` returns the reply or raises ``TransportError``."""

    @abc.abstractmethod
    def post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float = 30
    ) -> Reply: ...


class UrllibTransport(Transport):
    """HTTP(S) with the standard library; TLS server certificates are checked by default."""

    def post(
        self, url: str, body: bytes, headers: dict[str, str], timeout: float = 30
    ) -> Reply:
        if not url.startswith(("http://", "https://")):
            raise TransportError(f"not an http(s) endpoint: {url}")
        req = urllib.request.Request(  # noqa: S310 - scheme checked above
            url,
            data=body,
            method="POST",
            headers={"Content-Type": "application/xml", **headers},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as resp:  # noqa: S310
                return Reply(resp.status, resp.read(), dict(resp.headers))
        except urllib.error.HTTPError as exc:
            return Reply(exc.code, exc.read(), dict(exc.headers))
        except (urllib.error.URLError, OSError, TimeoutError) as exc:
            raise TransportError(str(exc)) from exc


def _mac(secret: str, *parts: str) -> str:
    return hmac.new(
        secret.encode(), "\n".join(parts).encode(), hashlib.sha256
    ).hexdigest()


def _digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


def request_headers(
    secret: str, sender_code: str, path: str, body: bytes, now: float | None = None
) -> dict[str, str]:
    ts = str(int(now if now is not None else time.time()))
    return {
        HEADER_FROM: sender_code,
        HEADER_TS: ts,
        HEADER_SIG: _mac(secret, ts, path, _digest(body)),
    }


def verify_request(
    secret: str,
    headers: Mapping[str, str],
    path: str,
    body: bytes,
    now: float | None = None,
) -> bool:
    ts, sig = headers.get(HEADER_TS, ""), headers.get(HEADER_SIG, "")
    if (
        not ts.isdigit()
        or abs((now if now is not None else time.time()) - int(ts)) > MAX_SKEW_SECONDS
    ):
        return False
    return hmac.compare_digest(sig, _mac(secret, ts, path, _digest(body)))


def response_headers(secret: str, request_sig: str, body: bytes) -> dict[str, str]:
    ts = str(int(time.time()))
    return {
        HEADER_TS: ts,
        HEADER_SIG: _mac(secret, ts, "response", request_sig, _digest(body)),
    }


def verify_response(secret: str, request_sig: str, reply: Reply) -> bool:
    headers = {k.lower(): v for k, v in reply.headers.items()}
    ts, sig = headers.get(HEADER_TS.lower(), ""), headers.get(HEADER_SIG.lower(), "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > MAX_SKEW_SECONDS:
        return False
    return hmac.compare_digest(
        sig, _mac(secret, ts, "response", request_sig, _digest(reply.body))
    )
