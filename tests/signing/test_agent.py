"""The signing agent against the session's SoftHSM token and a stand-in docflow server."""

from __future__ import annotations

import asyncio
import base64
import json
import logging
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import aiohttp
import pytest

from signing.agent import AgentConfig, Status, run_in_thread
from signing.keys import load_certificates
from signing.validate import validate_pdf

PIN_PROMPTS: list = []


class FakeServer:
    """Serves ``files`` at /f/<name>; records POSTs to /up/<name>; /reject/<name> answers 422."""

    def __init__(self):
        self.files: dict[str, bytes] = {}
        self.uploads: dict[str, bytes] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # quiet
                pass

            def do_GET(self):
                name = self.path.rsplit("/", 1)[-1]
                if name not in fake.files:
                    self._json(
                        410,
                        {"error": "ticket_expired", "message": "Phiếu ký đã hết hạn."},
                    )
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/pdf")
                self.send_header("Content-Length", str(len(fake.files[name])))
                self.end_headers()
                self.wfile.write(fake.files[name])

            def do_POST(self):
                body = self.rfile.read(int(self.headers["Content-Length"]))
                boundary = (
                    self.headers["Content-Type"]
                    .split("boundary=")[1]
                    .strip('"')
                    .encode()
                )
                pdf = next(
                    p.split(b"\r\n\r\n", 1)[1].rsplit(b"\r\n", 1)[0]
                    for p in body.split(b"--" + boundary)
                    if b'name="uploadfile"' in p
                )
                name = self.path.rsplit("/", 1)[-1]
                if self.path.startswith("/reject/"):
                    self._json(
                        422, {"error": "rejected", "message": "Chữ ký không hợp lệ."}
                    )
                    return
                fake.uploads[name] = pdf
                self._json(200, {"status": "ok", "name": name})

            def _json(self, code, body):
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_port}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()
        self.httpd.server_close()


@pytest.fixture
def fake_server():
    server = FakeServer()
    yield server
    server.stop()


@pytest.fixture
def start_agent(softhsm_token, pki, fake_server):
    running = []

    def start(pin: str | None = softhsm_token.pin, **kw):
        def provide(prompt):
            PIN_PROMPTS.append(prompt)
            return pin

        config = AgentConfig(
            server=fake_server.url,
            module=softhsm_token.module,
            token_label=softhsm_token.token_label,
            pin_provider=provide,
            key_label=kw.pop("key_label", "leader-rsa"),
            chain=tuple(load_certificates([pki.cert_path("interm")])),
            port=0,
            **kw,
        )
        agent = run_in_thread(config)
        running.append(agent)
        return agent

    PIN_PROMPTS.clear()
    yield start
    for agent in running:
        agent.stop()


def call(agent, endpoint: str, request, origin: str | None) -> list[dict]:
    """Open the socket, send the request, collect every answer until the agent closes."""

    async def run():
        headers = {"Origin": origin} if origin else {}
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(
                f"{agent.url}/{endpoint}", headers=headers
            ) as ws:
                await ws.send_str(json.dumps(request))
                return [
                    json.loads(m.data)
                    async for m in ws
                    if m.type == aiohttp.WSMsgType.TEXT
                ]

    return asyncio.run(run())


def one(server, name="a", **meta):
    return {
        "FileUploadHandler": f"{server.url}/up/{name}",
        "SessionId": "",
        "JWTToken": "",
        "FileName": f"{server.url}/f/{name}",
        "MetaData": [{"Key": k, "Value": v} for k, v in meta.items()],
    }


@pytest.mark.parametrize("host", ["0.0.0.0", "192.168.1.10", "::", "example.org"])
def test_refuses_a_non_loopback_address(host, softhsm_token) -> None:
    with pytest.raises(ValueError, match="loopback only"):
        AgentConfig(
            server="http://x",
            module=softhsm_token.module,
            token_label="t",
            pin_provider=lambda p: None,
            host=host,
        )


def test_foreign_or_missing_origin_is_refused_before_the_socket_opens(
    start_agent, fake_server
) -> None:
    agent = start_agent()
    for origin in ("https://evil.example", "http://127.0.0.1:1", None):
        with pytest.raises(aiohttp.WSServerHandshakeError) as info:
            call(agent, "SignApproved", one(fake_server), origin)
        assert info.value.status == 403
    assert PIN_PROMPTS == []  # nobody was asked for the PIN


def test_lists_the_token_certificates(start_agent, fake_server, pki) -> None:
    agent = start_agent()
    [answer] = call(agent, "GetCertificates", {}, fake_server.url)
    assert answer["Status"] == 0
    by_label = {c["Label"]: c for c in answer["Certificates"]}
    assert set(by_label) == {"leader-rsa", "leader-ec", "seal"}
    assert (
        base64.b64decode(by_label["leader-rsa"]["Certificate"])
        == pki.cert("leader-rsa").dump()
    )
    assert "Nguyễn Văn An" in by_label["leader-rsa"]["Subject"]


def test_signs_downloads_and_uploads(
    start_agent, fake_server, sample_pdf, pki, caplog, softhsm_token
) -> None:
    caplog.set_level(logging.DEBUG)
    fake_server.files["a"] = sample_pdf()
    agent = start_agent()
    [answer] = call(
        agent,
        "SignApproved",
        one(
            fake_server,
            SignerName="Nguyễn Văn An",
            SignerPosition="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
            Anchor="PHÓ CHỦ TỊCH",
            FieldName="ky_duyet",
        ),
        fake_server.url,
    )
    assert answer["Status"] == Status.OK, answer
    assert json.loads(answer["FileServer"]) == {"status": "ok", "name": "a"}
    signed = fake_server.uploads["a"]
    assert signed.startswith(sample_pdf())
    report = validate_pdf(signed, trust_roots=[pki.root_path])
    assert [(s.field_name, s.indication) for s in report.signatures] == [
        ("ky_duyet", "TOTAL-PASSED")
    ]
    assert len(PIN_PROMPTS) == 1 and "Nguyễn Văn An" in PIN_PROMPTS[0].signer
    assert softhsm_token.pin not in caplog.text  # never logged


def test_wrong_pin_is_a_clear_error_and_nothing_is_uploaded(
    start_agent, fake_server, sample_pdf
) -> None:
    fake_server.files["a"] = sample_pdf()
    [answer] = call(
        start_agent(pin="999999"), "SignApproved", one(fake_server), fake_server.url
    )
    assert answer["Status"] == Status.WRONG_PIN and answer["Error"] == "WRONG_PIN"
    assert "Sai mã PIN" in answer["Message"]
    assert fake_server.uploads == {}


def test_cancelled_pin_prompt(start_agent, fake_server, sample_pdf) -> None:
    fake_server.files["a"] = sample_pdf()
    [answer] = call(
        start_agent(pin=None), "SignApproved", one(fake_server), fake_server.url
    )
    assert answer["Status"] == Status.CANCELLED and fake_server.uploads == {}


def test_urls_outside_the_docflow_server_are_refused(start_agent, fake_server) -> None:
    request = one(fake_server)
    request["FileUploadHandler"] = "https://collector.example/upload"
    [answer] = call(start_agent(), "SignApproved", request, fake_server.url)
    assert (
        answer["Status"] == Status.BAD_REQUEST and "docflow server" in answer["Message"]
    )
    assert PIN_PROMPTS == []


def test_bad_requests(start_agent, fake_server) -> None:
    agent = start_agent()
    [answer] = call(
        agent, "SignApproved", {"FileName": f"{fake_server.url}/f/a"}, fake_server.url
    )
    assert (
        answer["Status"] == Status.BAD_REQUEST
        and "FileUploadHandler" in answer["Message"]
    )
    [answer] = call(agent, "SignFiles", {"Files": []}, fake_server.url)
    assert answer["Status"] == Status.BAD_REQUEST


def test_batch_one_pin_progress_and_one_failure_keeps_the_others(
    start_agent, fake_server, sample_pdf
) -> None:
    for name in ("d1", "d3"):
        fake_server.files[name] = sample_pdf()
    files = [
        {
            "FileID": name,
            "FileName": f"Văn bản {name}",
            "URL": f"{fake_server.url}/f/{name}",
            "FileUploadHandler": f"{fake_server.url}/up/{name}",
        }
        for name in ("d1", "d2", "d3")
    ]
    files.append(
        {
            "FileID": "d4",
            "URL": f"{fake_server.url}/f/d1",
            "FileUploadHandler": f"{fake_server.url}/reject/d4",
        }
    )
    messages = call(
        start_agent(),
        "SignFiles",
        {"Files": files, "FileUploadHandler": ""},
        fake_server.url,
    )
    progress, final = messages[:-1], messages[-1]
    assert [m["Progress"] for m in progress] == [
        {"Done": n, "Total": 4} for n in (1, 2, 3, 4)
    ]
    assert [(r["FileID"], r["Status"]) for r in final["Results"]] == [
        ("d1", 0),
        ("d2", Status.DOWNLOAD_FAILED),
        ("d3", 0),
        ("d4", Status.UPLOAD_REJECTED),
    ]
    assert "hết hạn" in final["Results"][1]["Message"]  # the server's own reason
    assert final["Results"][3]["Message"] == "Chữ ký không hợp lệ."
    assert final["Status"] != 0 and final["Message"] == "Đã ký 2/4 văn bản."
    assert set(fake_server.uploads) == {"d1", "d3"}
    assert len(PIN_PROMPTS) == 1  # one PIN for the whole batch


def test_wss_with_a_self_signed_certificate(start_agent, fake_server, tmp_path) -> None:
    import ssl
    import subprocess

    key, cert = tmp_path / "k.pem", tmp_path / "c.pem"
    subprocess.run(
        [
            "openssl",
            "req",
            "-x509",
            "-newkey",
            "rsa:2048",
            "-nodes",
            "-days",
            "2",  # noqa: S603,S607
            "-subj",
            "/CN=127.0.0.1",
            "-addext",
            "subjectAltName=IP:127.0.0.1",
            "-keyout",
            str(key),
            "-out",
            str(cert),
        ],
        check=True,
        capture_output=True,
    )
    agent = start_agent(tls_cert=str(cert), tls_key=str(key))
    assert agent.url.startswith("wss://")

    async def run():
        ctx = ssl.create_default_context(cafile=str(cert))
        async with aiohttp.ClientSession() as session:
            async with session.ws_connect(
                f"{agent.url}/GetCertificates",
                ssl=ctx,
                headers={"Origin": fake_server.url},
            ) as ws:
                await ws.send_str("{}")
                return json.loads((await ws.receive()).data)

    assert asyncio.run(run())["Status"] == 0


def test_a_foreign_host_header_is_refused(start_agent, fake_server) -> None:
    """DNS rebinding: a page of evil.example resolving to 127.0.0.1 sends its own Host."""
    agent = start_agent()
    with pytest.raises(aiohttp.WSServerHandshakeError) as info:

        async def run():
            headers = {"Origin": fake_server.url, "Host": f"evil.example:{agent.port}"}
            async with aiohttp.ClientSession() as session:
                async with session.ws_connect(
                    f"{agent.url}/GetCertificates", headers=headers
                ):
                    pass

        asyncio.run(run())
    assert info.value.status == 403


@pytest.mark.parametrize(
    ("endpoint", "meta", "field"),
    [
        (
            "SignIssued",
            {"Page": "0", "Rect": "300,100,420,220", "FieldName": "ky_phat_hanh"},
            "ky_phat_hanh",
        ),
        ("SignAppendix", {"DocNumber": "15/QĐ-UBND"}, "Signature1"),
    ],
)
def test_agency_and_appendix_signatures(
    start_agent, fake_server, sample_pdf, pki, endpoint, meta, field
) -> None:
    fake_server.files["a"] = sample_pdf()
    [answer] = call(
        start_agent(key_label="seal"),
        endpoint,
        one(fake_server, **meta),
        fake_server.url,
    )
    assert answer["Status"] == Status.OK, answer
    report = validate_pdf(fake_server.uploads["a"], trust_roots=[pki.root_path])
    assert [(s.field_name, s.indication) for s in report.signatures] == [
        (field, "TOTAL-PASSED")
    ]


def test_cli_refuses_a_public_address(softhsm_token, capsys) -> None:
    from signing.agent.cli import main

    code = main(
        [
            "--server",
            "https://docflow.example",
            "--module",
            softhsm_token.module,
            "--token",
            softhsm_token.token_label,
            "--host",
            "0.0.0.0",
        ]
    )  # noqa: S104
    assert code == 2 and "loopback only" in capsys.readouterr().err


def _self_signed_root(tmp_path) -> str:
    """A root certificate that did not issue the token's certificates."""
    from datetime import UTC, datetime, timedelta

    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = cx509.Name([cx509.NameAttribute(NameOID.COMMON_NAME, "Another root")])
    now = datetime.now(UTC)
    cert = (
        cx509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(cx509.random_serial_number())
        .not_valid_before(now - timedelta(days=1))
        .not_valid_after(now + timedelta(days=30))
        .add_extension(cx509.BasicConstraints(ca=True, path_length=None), True)
        .sign(key, hashes.SHA256())
    )
    path = tmp_path / "other-root.pem"
    path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    return str(path)


def test_an_untrusted_token_certificate_is_refused_before_the_pin(
    start_agent, fake_server, sample_pdf, tmp_path
) -> None:
    fake_server.files["a"] = sample_pdf()
    agent = start_agent(trust_roots=(_self_signed_root(tmp_path),))
    [answer] = call(agent, "SignApproved", one(fake_server), fake_server.url)
    assert answer["Status"] == Status.CERTIFICATE_INVALID
    assert answer["Error"] == "CERTIFICATE_INVALID"
    assert "không thuộc tổ chức cung cấp dịch vụ tin cậy" in answer["Message"]
    assert PIN_PROMPTS == [] and fake_server.uploads == {}


def test_a_trusted_token_certificate_signs(
    start_agent, fake_server, sample_pdf, pki
) -> None:
    fake_server.files["a"] = sample_pdf()
    agent = start_agent(trust_roots=(pki.cert_path("root"),))
    [answer] = call(agent, "SignApproved", one(fake_server), fake_server.url)
    assert answer["Status"] == Status.OK, answer
    assert len(PIN_PROMPTS) == 1 and "a" in fake_server.uploads


def test_validity_dates_are_checked_without_roots(pki) -> None:
    from datetime import timedelta

    from signing.agent.checks import CheckFailed, check_validity

    cert = pki.cert("leader-rsa")
    validity = cert["tbs_certificate"]["validity"]
    not_after = validity["not_after"].native
    not_before = validity["not_before"].native
    check_validity(cert, at=not_before + timedelta(seconds=1))
    with pytest.raises(CheckFailed, match="expired on") as late:
        check_validity(cert, at=not_after + timedelta(days=1))
    assert late.value.code == "expired"
    with pytest.raises(CheckFailed, match="not valid before"):
        check_validity(cert, at=not_before - timedelta(days=1))
