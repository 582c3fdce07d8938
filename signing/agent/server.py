"""The signing agent's WebSocket server (aiohttp), listening on the loopback only.

Every request is checked before the socket is accepted: the ``Origin`` header must be
the configured docflow server (another web site open in the same browser cannot use
the token), and the ``Host`` header must name the loopback (no DNS rebinding). The
file and upload URLs of a request must belong to the same server. The PIN comes from
a local callback (a terminal prompt in the CLI), is used for one request (a whole
batch) and is never sent anywhere or logged.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import ipaddress
import json
import logging
import ssl
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

import aiohttp
from aiohttp import web

from ..appearance import ApprovalAppearance, AttachmentAppearance, SealAppearance
from ..errors import KeyAccessError, PlacementError, SigningError, WrongPin
from ..keys import KeySource
from ..placement import Placement
from ..sign import Level, sign_pdf
from .checks import CheckFailed, check_certificate, check_validity
from .protocol import (
    ENDPOINTS,
    BadRequest,
    FileJob,
    SignRequest,
    Status,
    parse_request,
    response,
)
from .token import TokenCertificate, key_for, list_certificates, select_key

logger = logging.getLogger(__name__)

__all__ = [
    "AgentConfig",
    "PinPrompt",
    "RunningAgent",
    "build_app",
    "origin_of",
    "run_in_thread",
]

CERT_ENDPOINTS = ("GetCertificates", "GetCertInfo")
#: What the leader is told when the token's certificate cannot sign (by check code).
_CERT_PROBLEMS = {
    "expired": "Chứng thư số trên token đã hết hạn hoặc chưa có hiệu lực.",
    "revoked": "Chứng thư số trên token đã bị thu hồi.",
    "key_usage": "Chứng thư số trên token không dùng để ký số.",
    "untrusted": "Chứng thư số trên token không thuộc tổ chức cung cấp dịch vụ tin cậy.",
}
LOOPBACK_NAMES = {"localhost"}


@dataclass(frozen=True)
class PinPrompt:
    """What the PIN prompt tells the user (no URL, no ticket)."""

    token_label: str
    signer: str
    documents: tuple[str, ...]


def origin_of(url: str) -> str:
    """``scheme://host[:port]`` in lower case, default ports dropped."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ValueError(f"not an http(s) URL: {url!r}")
    default = {"http": 80, "https": 443}[parts.scheme]
    host = parts.hostname.lower()
    if ":" in host:
        host = f"[{host}]"
    port = parts.port or default
    return f"{parts.scheme}://{host}" + ("" if port == default else f":{port}")


def is_loopback(host: str) -> bool:
    if host.lower() in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False


@dataclass(frozen=True)
class AgentConfig:
    """How the agent runs. ``server`` is the docflow server's origin (or any URL on it)."""

    server: str
    module: str
    token_label: str
    #: called in a worker thread; returns the PIN, or None when the user cancels
    pin_provider: Callable[[PinPrompt], str | None] = field(repr=False)
    key_label: str | None = None
    #: intermediate certificates embedded in signatures (asn1crypto objects)
    chain: tuple = field(default=(), repr=False)
    host: str = "127.0.0.1"
    port: int = 8987
    #: PEM certificate and key for wss:// (a self-signed localhost certificate)
    tls_cert: str | None = None
    tls_key: str | None = None
    tsa_url: str | None = None
    #: roots the signer certificate must chain to before the PIN is asked (asn1crypto
    #: certificates or PEM/DER paths); empty = only its validity dates are checked
    #: (docflow checks the chain and revocation again when the signed file comes back)
    trust_roots: tuple = field(default=(), repr=False)
    max_file_bytes: int = 100 * 1024 * 1024
    timeout: float = 60.0

    def __post_init__(self):
        if not is_loopback(self.host):
            raise ValueError(
                f"the agent listens on the loopback only (127.0.0.1, ::1), not {self.host!r}"
            )
        object.__setattr__(self, "server", origin_of(self.server))
        if bool(self.tls_cert) != bool(self.tls_key):
            raise ValueError("wss needs both a certificate and its key")

    @property
    def scheme(self) -> str:
        return "wss" if self.tls_cert else "ws"

    def ssl_context(self) -> ssl.SSLContext | None:
        if not self.tls_cert:
            return None
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.minimum_version = ssl.TLSVersion.TLSv1_2
        ctx.load_cert_chain(self.tls_cert, self.tls_key)
        return ctx


class _Failure(Exception):
    def __init__(self, status: Status, message: str):
        super().__init__(message)
        self.status, self.message = status, message


class Agent:
    def __init__(self, config: AgentConfig):
        self.config = config
        self._lock = asyncio.Lock()  # one PIN prompt and one token user at a time

    # -- checks before the socket opens -----------------------------------------
    def refusal(self, request: web.Request) -> str | None:
        host = (
            request.host.rsplit(":", 1)[0]
            if not request.host.startswith("[")
            else (request.host.split("]")[0] + "]")
        )
        if not is_loopback(host):
            return "Host is not the loopback"
        origin = request.headers.get("Origin")
        if not origin:
            return "no Origin header"
        try:
            if origin_of(origin) != self.config.server:
                return f"foreign Origin {origin}"
        except ValueError:
            return f"foreign Origin {origin}"
        return None

    async def handle(self, request: web.Request) -> web.StreamResponse:
        endpoint = request.match_info["endpoint"]
        if endpoint not in ENDPOINTS and endpoint not in CERT_ENDPOINTS:
            raise web.HTTPNotFound()
        problem = self.refusal(request)
        if problem:
            logger.warning("refused %s request: %s", endpoint, problem)
            raise web.HTTPForbidden(text=f"refused: {problem}\n")
        ws = web.WebSocketResponse(max_msg_size=4 * 1024 * 1024)
        await ws.prepare(request)
        try:
            msg = await ws.receive(timeout=self.config.timeout)
            if msg.type != aiohttp.WSMsgType.TEXT:
                return ws
            try:
                data = json.loads(msg.data) if msg.data.strip() else {}
            except json.JSONDecodeError:
                await ws.send_json(
                    response(Status.BAD_REQUEST, "Yêu cầu không phải JSON.")
                )
                return ws
            if endpoint in CERT_ENDPOINTS:
                await ws.send_json(await self.certificates())
            else:
                await ws.send_json(await self.sign(endpoint, data, ws))
        except (TimeoutError, ConnectionResetError):
            pass
        finally:
            await ws.close()
        return ws

    # -- endpoints -----------------------------------------------------------------
    async def _thread(self, func, *args):
        return await asyncio.get_running_loop().run_in_executor(None, func, *args)

    async def certificates(self) -> dict:
        c = self.config
        try:
            certs = await self._thread(list_certificates, c.module, c.token_label)
        except KeyAccessError as exc:
            return response(Status.TOKEN_ERROR, f"Không đọc được token: {exc}")
        return response(
            Status.OK,
            f"{len(certs)} chứng thư số trên token.",
            Certificates=[cert.to_json() for cert in certs],
        )

    async def sign(self, endpoint: str, data: dict, ws: web.WebSocketResponse) -> dict:
        try:
            req = parse_request(endpoint, data)
            for job in req.files:
                for url in (job.url, job.upload_url):
                    if origin_of(url) != self.config.server:
                        raise BadRequest(
                            "the file and upload URLs must be on the docflow server"
                        )
        except (BadRequest, ValueError) as exc:
            return response(Status.BAD_REQUEST, f"Yêu cầu không hợp lệ: {exc}")
        async with self._lock:
            try:
                return await self._sign_locked(req, ws)
            except _Failure as exc:
                return response(exc.status, exc.message)

    async def _sign_locked(self, req: SignRequest, ws: web.WebSocketResponse) -> dict:
        c = self.config
        try:
            certs = await self._thread(list_certificates, c.module, c.token_label)
            chosen = select_key(
                certs,
                key_label=c.key_label,
                serial=req.files[0].meta.get("CertSerial") or None,
            )
        except KeyAccessError as exc:
            raise _Failure(Status.TOKEN_ERROR, f"Không dùng được token: {exc}") from exc
        await self._check_signer(chosen)
        prompt = PinPrompt(
            c.token_label,
            chosen.cert.subject.human_friendly,
            tuple(job.name or job.file_id for job in req.files),
        )
        pin = await self._thread(c.pin_provider, prompt)
        if not pin:
            raise _Failure(Status.CANCELLED, "Người dùng đã hủy nhập mã PIN.")
        key = key_for(c.module, c.token_label, pin, chosen, c.chain)
        del pin
        # One PKCS#11 session and one login for the whole request (a batch signs
        # with the PIN entered once); opening it also checks the PIN.
        session = contextlib.ExitStack()
        try:
            signer = await self._thread(session.enter_context, key.open_signer())
        except WrongPin as exc:
            raise _Failure(
                Status.WRONG_PIN,
                f"Sai mã PIN (token '{c.token_label}'). Không văn bản nào được ký.",
            ) from exc
        except KeyAccessError as exc:
            raise _Failure(Status.TOKEN_ERROR, f"Không dùng được token: {exc}") from exc
        open_key = _OpenKey(signer, key.describe())
        results = []
        timeout = aiohttp.ClientTimeout(total=c.timeout)
        try:
            async with aiohttp.ClientSession(timeout=timeout) as http:
                for n, job in enumerate(req.files, start=1):
                    try:
                        result = await self._one(http, open_key, job, req, chosen)
                    except _Failure as exc:
                        result = response(exc.status, exc.message)
                    result["FileID"] = job.file_id
                    results.append(result)
                    logger.info("file %s: status %s", job.file_id, result["Status"])
                    if req.batch:
                        progress = {"Done": n, "Total": len(req.files)}
                        await ws.send_json({**result, "Progress": progress})
        finally:
            await self._thread(session.close)
        if not req.batch:
            return results[0]
        ok = sum(r["Status"] == Status.OK for r in results)
        if ok == len(results):
            status = Status.OK
        else:
            status = next(
                Status(r["Status"]) for r in results if r["Status"] != Status.OK
            )
        return response(status, f"Đã ký {ok}/{len(results)} văn bản.", Results=results)

    async def _check_signer(self, chosen: TokenCertificate) -> None:
        """Refuse an expired, untrusted or revoked certificate before asking the PIN."""
        c = self.config
        try:
            check_validity(chosen.cert)
            if c.trust_roots:
                await self._thread(
                    functools.partial(
                        check_certificate,
                        chosen.cert,
                        trust_roots=c.trust_roots,
                        other_certs=c.chain,
                    )
                )
        except CheckFailed as exc:
            message = _CERT_PROBLEMS.get(exc.code, _CERT_PROBLEMS["untrusted"])
            logger.warning("signer certificate refused: %s", exc)
            raise _Failure(
                Status.CERTIFICATE_INVALID,
                f"{message} Không văn bản nào được ký. ({exc})",
            ) from exc

    async def _one(
        self, http, key, job: FileJob, req: SignRequest, cert: TokenCertificate
    ) -> dict:
        headers = {"Authorization": f"Bearer {req.jwt}"} if req.jwt else {}
        try:
            async with http.get(
                job.url, headers=headers, allow_redirects=False
            ) as resp:
                if resp.status != 200:
                    raise _Failure(
                        Status.DOWNLOAD_FAILED,
                        f"Không tải được văn bản (HTTP {resp.status}): {await _reason(resp)}",
                    )
                data = await _read_limited(resp, self.config.max_file_bytes + 1)
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _Failure(
                Status.DOWNLOAD_FAILED, f"Không tải được văn bản: {exc}"
            ) from exc
        if len(data) > self.config.max_file_bytes:
            raise _Failure(Status.DOWNLOAD_FAILED, "Văn bản quá lớn.")
        try:
            signed = await self._thread(self._sign_bytes, data, key, job)
        except WrongPin as exc:
            raise _Failure(Status.WRONG_PIN, "Sai mã PIN.") from exc
        except KeyAccessError as exc:
            raise _Failure(Status.TOKEN_ERROR, f"Không dùng được token: {exc}") from exc
        except (SigningError, ValueError) as exc:
            raise _Failure(Status.SIGN_FAILED, f"Không ký được văn bản: {exc}") from exc
        form = aiohttp.FormData()
        form.add_field("FileID", job.file_id)
        form.add_field(
            "uploadfile",
            signed,
            filename=(job.name or "signed") + ".pdf",
            content_type="application/pdf",
        )
        try:
            async with http.post(
                job.upload_url, data=form, headers=headers, allow_redirects=False
            ) as resp:
                text = await resp.text()
                if resp.status >= 300:
                    raise _Failure(
                        Status.UPLOAD_REJECTED, _message(text) or f"HTTP {resp.status}"
                    )
        except (TimeoutError, aiohttp.ClientError) as exc:
            raise _Failure(
                Status.UPLOAD_REJECTED, f"Không gửi được văn bản đã ký: {exc}"
            ) from exc
        return response(Status.OK, "Đã ký số và gửi văn bản.", FileServer=text)

    def _sign_bytes(self, data: bytes, key, job: FileJob) -> bytes:
        meta = job.meta
        appearance = None
        if job.kind in ("approved", "issued"):
            placement = _placement(meta)
            if job.kind == "approved":
                appearance = ApprovalAppearance(
                    placement,
                    name=meta.get("SignerName") or None,
                    position=meta.get("SignerPosition") or None,
                )
            else:
                appearance = SealAppearance(placement)
        elif job.kind == "appendix":
            appearance = AttachmentAppearance(meta.get("DocNumber", ""))
        out = io.BytesIO()
        level = Level.B_T if self.config.tsa_url else Level.B_B
        sign_pdf(
            data,
            out,
            key,
            level=level,
            tsa_url=self.config.tsa_url,
            appearance=appearance,
            field_name=meta.get("FieldName") or None,
            reason=meta.get("Reason") or None,
        )
        return out.getvalue()


class _OpenKey(KeySource):
    """A signer already opened (session logged in) for the duration of one request."""

    def __init__(self, signer, description: str):
        self._signer, self._description = signer, description

    def describe(self) -> str:
        return self._description

    def open_signer(self, *, prefer_pss: bool = False):
        return contextlib.nullcontext(self._signer)


def _placement(meta: dict[str, str]) -> Placement:
    """``Page`` + ``Rect`` ("x1,y1,x2,y2", points), or ``Anchor`` text; else bottom right."""
    try:
        if meta.get("Rect"):
            box = tuple(float(v) for v in meta["Rect"].split(","))
            if len(box) != 4:
                raise ValueError("Rect needs four numbers")
            return Placement(page=int(meta.get("Page", "-1")), box=box)
        if meta.get("Anchor"):
            return Placement(anchor=meta["Anchor"], size=(170, 100), mode="below")
    except ValueError as exc:
        raise PlacementError(f"bad placement in MetaData: {exc}") from exc
    return Placement(page=-1, box=(330, 120, 500, 220))


async def _read_limited(resp, limit: int) -> bytes:
    """The body, up to ``limit`` bytes (``read(n)`` alone may return one chunk)."""
    chunks, size = [], 0
    async for chunk in resp.content.iter_chunked(64 * 1024):
        chunks.append(chunk)
        size += len(chunk)
        if size >= limit:
            break
    return b"".join(chunks)


async def _reason(resp) -> str:
    return _message(await resp.text()) or resp.reason or ""


def _message(text: str) -> str:
    """The server's own explanation: JSON ``message``/``Message``, or the text itself."""
    try:
        body = json.loads(text)
    except ValueError:
        return text.strip()[:300]
    if isinstance(body, dict):
        return str(
            body.get("message") or body.get("Message") or body.get("error") or ""
        )[:300]
    return ""


def build_app(config: AgentConfig) -> web.Application:
    agent = Agent(config)
    app = web.Application()
    app.router.add_get("/{endpoint}", agent.handle)
    return app


# -- running ------------------------------------------------------------------------
async def start(config: AgentConfig) -> tuple[web.AppRunner, int]:
    runner = web.AppRunner(build_app(config), access_log=None)
    await runner.setup()
    site = web.TCPSite(
        runner, config.host, config.port, ssl_context=config.ssl_context()
    )
    await site.start()
    port = runner.addresses[0][1]
    logger.info(
        "agent listening on %s://%s:%d for %s",
        config.scheme,
        config.host,
        port,
        config.server,
    )
    return runner, port


async def serve(config: AgentConfig) -> None:
    """Run until cancelled (the CLI)."""
    runner, _port = await start(config)
    try:
        await asyncio.Event().wait()
    finally:
        await runner.cleanup()


class RunningAgent:
    """An agent served by its own event loop in a thread (tests, embedding)."""

    def __init__(self, config: AgentConfig):
        self.config = config
        self._loop = asyncio.new_event_loop()
        self._ready = threading.Event()
        self._error: BaseException | None = None
        self._thread = threading.Thread(
            target=self._run, name="signing-agent", daemon=True
        )
        self._thread.start()
        self._ready.wait(30)
        if self._error is not None:
            raise self._error

    def _run(self) -> None:
        asyncio.set_event_loop(self._loop)
        try:
            self._runner, self.port = self._loop.run_until_complete(start(self.config))
        except BaseException as exc:  # reported to the starting thread
            self._error = exc
            self._ready.set()
            return
        self._ready.set()
        self._loop.run_forever()
        self._loop.run_until_complete(self._runner.cleanup())
        self._loop.close()

    @property
    def url(self) -> str:
        return f"{self.config.scheme}://127.0.0.1:{self.port}"

    def stop(self) -> None:
        if self._loop.is_running():
            self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(30)


def run_in_thread(config: AgentConfig) -> RunningAgent:
    return RunningAgent(config)
