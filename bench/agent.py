"""Batch of N documents through the signing agent vs raw pyHanko with the same SoftHSM key.

``python bench/agent.py [N]`` (default 100); prints JSON lines. Starts its own test PKI
and SoftHSM token (Debian softhsm2).
"""

import asyncio  # noqa: E401
import io
import json
import os
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from tests.signing import pki_support

N = int(sys.argv[1]) if len(sys.argv) > 1 else 100
work = Path(tempfile.mkdtemp())
pki = pki_support.start_pki(work / "pki")
token = pki_support.create_softhsm_token(work / "hsm", pki)
os.environ.update(token.env)

import aiohttp
from pyhanko.sign import signers
from pyhanko.sign.fields import SigFieldSpec, SigSeedSubFilter

from signing.agent import AgentConfig, run_in_thread
from signing.appearance import ApprovalAppearance
from signing.documents import open_incremental
from signing.keys import Pkcs11Key
from signing.placement import Placement
from signing.sign import Level, _estimate_reserved

pdf = pki_support.make_sample_pdf()
box = (330.0, 120.0, 500.0, 220.0)
appearance = ApprovalAppearance(
    Placement(page=0, box=box),
    name="Nguyễn Văn An",
    position="KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH",
)
chain = (pki.cert("interm"),)


def raw():
    key = Pkcs11Key(
        token.module,
        token.token_label,
        pin=token.pin,
        key_label="leader-rsa",
        chain=chain,
    )
    outs = []
    t = time.perf_counter()
    with key.open_signer() as signer:
        reserved = _estimate_reserved(signer, Level.B_B)
        for _ in range(N):
            w = open_incremental(pdf)
            meta = signers.PdfSignatureMetadata(
                field_name="ky_duyet",
                md_algorithm="sha256",
                subfilter=SigSeedSubFilter.PADES,
            )
            ps = signers.PdfSigner(
                meta,
                signer=signer,
                stamp_style=appearance.stamp_style(),
                new_field_spec=SigFieldSpec("ky_duyet", on_page=0, box=box),
            )
            out = io.BytesIO()
            ps.sign_pdf(w, bytes_reserved=reserved, output=out)
            outs.append(out.getvalue())
    return time.perf_counter() - t


uploads = {}


class H(BaseHTTPRequestHandler):
    def log_message(self, *a):
        pass

    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Length", str(len(pdf)))
        self.end_headers()
        self.wfile.write(pdf)

    def do_POST(self):
        uploads[self.path] = self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")


httpd = ThreadingHTTPServer(("127.0.0.1", 0), H)
threading.Thread(target=httpd.serve_forever, daemon=True).start()
url = f"http://127.0.0.1:{httpd.server_port}"
agent = run_in_thread(
    AgentConfig(
        server=url,
        module=token.module,
        token_label=token.token_label,
        pin_provider=lambda p: token.pin,
        key_label="leader-rsa",
        chain=chain,
        port=0,
    )
)


def via_agent():
    meta = [
        {"Key": "Page", "Value": "0"},
        {"Key": "Rect", "Value": ",".join(map(str, box))},
        {"Key": "FieldName", "Value": "ky_duyet"},
        {"Key": "SignerName", "Value": "Nguyễn Văn An"},
        {"Key": "SignerPosition", "Value": "KT. CHỦ TỊCH\nPHÓ CHỦ TỊCH"},
    ]
    req = {
        "FileUploadHandler": "",
        "MetaData": meta,
        "Files": [
            {
                "FileID": str(i),
                "URL": f"{url}/f/{i}",
                "FileUploadHandler": f"{url}/u/{i}",
            }
            for i in range(N)
        ],
    }

    async def run():
        async with aiohttp.ClientSession() as s:
            async with s.ws_connect(
                f"{agent.url}/SignFiles", headers={"Origin": url}
            ) as ws:
                await ws.send_str(json.dumps(req))
                return [json.loads(m.data) async for m in ws][-1]

    t = time.perf_counter()
    final = asyncio.run(run())
    dt = time.perf_counter() - t
    assert final["Status"] == 0, final["Message"]
    return dt


raw()
via_agent()  # warm-up (font subset, module load)
r = [raw() for _ in range(2)]
a = [via_agent() for _ in range(2)]
print(
    json.dumps(
        {
            "bench": "agent_batch",
            "documents": N,
            "raw_pyhanko_s": round(min(r), 2),
            "agent_s": round(min(a), 2),
            "ratio": round(min(a) / min(r), 3),
            "raw_per_doc_ms": round(min(r) / N * 1000, 1),
            "agent_per_doc_ms": round(min(a) / N * 1000, 1),
        }
    )
)
agent.stop()
httpd.shutdown()
pki.stop()
