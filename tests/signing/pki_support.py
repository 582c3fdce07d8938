"""Test PKI, SoftHSM token, PKCS#12 and sample-PDF helpers.

Shared by tests/signing/conftest.py (fixtures) and bench/signing.py, so they take
plain paths and return plain objects; nothing here depends on pytest.

- ``start_pki(workdir)`` serves config/pki/certomancer.yml on 127.0.0.1:<free port>
  in a background thread (certomancer's WSGI Animator under werkzeug), with the
  URL prefix set to that port so the CRL/OCSP URLs inside the certificates work.
- ``create_softhsm_token(workdir, pki)`` makes a SoftHSM2 token in ``workdir`` and
  imports the leader and seal keys + certificates into it.
- ``make_pkcs12``, ``make_nss_db``, ``run_pdfsig``, ``make_sample_pdf``.
"""

from __future__ import annotations

import collections
import io
import os
import re
import shutil
import subprocess  # noqa: S404 - fixed argument lists, no shell
import threading
from dataclasses import dataclass, field
from pathlib import Path

from asn1crypto import pem, x509
from certomancer.integrations.animator import Animator, AnimatorArchStore
from certomancer.registry import CertomancerConfig
from werkzeug.serving import WSGIRequestHandler, make_server

REPO_ROOT = Path(__file__).resolve().parents[2]
PKI_CONFIG = REPO_ROOT / "config" / "pki" / "certomancer.yml"
ARCH = "docflow-test"

#: Certificates imported into the SoftHSM token; key label == certificate label.
TOKEN_KEYS = {"leader-rsa": b"\x01", "leader-ec": b"\x02", "seal": b"\x03"}
#: Which key (in config/pki/keys) each certificate label uses.
CERT_KEYS = {
    "leader-rsa": "leader-rsa",
    "leader-rsa-ocsp": "leader-rsa",
    "leader-ec": "leader-ec",
    "seal": "seal",
    "revoked": "case",
    "expired": "case",
    "not-yet-valid": "case",
    "wrong-key-usage": "case",
    "untrusted-leaf": "untrusted-leaf",
    "tsa": "tsa",
    "interm-ocsp": "interm-ocsp",
    "root": "root",
    "interm": "interm",
    "untrusted-root": "untrusted-root",
}
_KEY_FILES = {
    "interm-ocsp": "ocsp.key.pem",
}


@dataclass
class RunningPKI:
    """The test PKI, served over HTTP while ``stop()`` has not been called."""

    base_url: str
    #: folder holding ``<label>.cert.pem`` for every certificate (and .der)
    cert_dir: Path
    #: certomancer's PKIArchitecture (for ``get_cert``, ``package_pkcs12`` ...)
    arch: object
    tsa_url: str
    ocsp_url: str
    crl_urls: dict[str, str]
    _server: object = field(repr=False, default=None)
    _thread: threading.Thread | None = field(repr=False, default=None)
    #: requests served, by path
    hits: collections.Counter = field(repr=False, default_factory=collections.Counter)

    def cert(self, label: str) -> x509.Certificate:
        """asn1crypto certificate for a label of config/pki/certomancer.yml."""
        return self.arch.get_cert(label)

    def cert_path(self, label: str) -> Path:
        """PEM file of a certificate."""
        return self.cert_dir / f"{label}.cert.pem"

    def key_path(self, label: str) -> Path:
        """Unencrypted PKCS#8 PEM private key used by certificate ``label``."""
        key = CERT_KEYS[label]
        return PKI_CONFIG.parent / "keys" / _KEY_FILES.get(key, f"{key}.key.pem")

    @property
    def root_path(self) -> Path:
        return self.cert_path("root")

    @property
    def chain(self) -> list[x509.Certificate]:
        """Intermediate and root, for ``ca_chain`` / ``other_certs``."""
        return [self.cert("interm"), self.cert("root")]

    def validation_context(self, **kwargs):
        """pyHanko ValidationContext trusting the test root (fetching allowed)."""
        from pyhanko_certvalidator import ValidationContext

        kwargs.setdefault("allow_fetching", True)
        return ValidationContext(
            trust_roots=[self.cert("root")],
            other_certs=[self.cert("interm")],
            **kwargs,
        )

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._thread.join(timeout=10)
            self._server = None


class _QuietHandler(WSGIRequestHandler):
    def log_request(self, *args, **kwargs):  # one line per OCSP/CRL/TSA hit is noise
        pass


class _LateApp:
    """WSGI app whose target is set once the port (and so the config) is known.

    ``hits`` counts requests by path (e.g. to see whether a CRL was fetched).
    """

    target = None

    def __init__(self):
        self.hits = collections.Counter()

    def __call__(self, environ, start_response):
        self.hits[environ.get("PATH_INFO", "")] += 1
        return self.target(environ, start_response)


def start_pki(workdir: Path) -> RunningPKI:
    """Serve the test PKI on 127.0.0.1 and dump its certificates into ``workdir``."""
    late = _LateApp()
    server = make_server(
        "127.0.0.1", 0, late, threaded=True, request_handler=_QuietHandler
    )
    base_url = f"http://127.0.0.1:{server.server_port}"
    cfg = CertomancerConfig.from_file(str(PKI_CONFIG), external_url_prefix=base_url)
    arch = cfg.pki_archs[ARCH]
    late.target = Animator(AnimatorArchStore(cfg.pki_archs), with_web_ui=False)
    thread = threading.Thread(
        target=server.serve_forever, name="certomancer", daemon=True
    )
    thread.start()

    cert_dir = Path(workdir) / "certs"
    cert_dir.mkdir(parents=True, exist_ok=True)
    for label in CERT_KEYS:
        cert = arch.get_cert(label)
        (cert_dir / f"{label}.cert.der").write_bytes(cert.dump())
        (cert_dir / f"{label}.cert.pem").write_bytes(
            pem.armor("CERTIFICATE", cert.dump())
        )
    prefix = f"{base_url}/{ARCH}"
    return RunningPKI(
        base_url=base_url,
        cert_dir=cert_dir,
        arch=arch,
        tsa_url=f"{prefix}/tsa/tsa",
        ocsp_url=f"{prefix}/ocsp/interm",
        crl_urls={
            "root": f"{prefix}/crls/root/latest.crl",
            "interm": f"{prefix}/crls/interm/latest.crl",
        },
        _server=server,
        _thread=thread,
        hits=late.hits,
    )


# -- SoftHSM2 ---------------------------------------------------------------------

_SOFTHSM_CANDIDATES = (
    "/usr/lib/softhsm/libsofthsm2.so",
    "/usr/lib/x86_64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/lib/aarch64-linux-gnu/softhsm/libsofthsm2.so",
    "/usr/local/lib/softhsm/libsofthsm2.so",
)


def find_softhsm_module() -> str | None:
    for candidate in _SOFTHSM_CANDIDATES:
        if os.path.exists(candidate):
            return candidate
    return None


@dataclass
class SoftHSMToken:
    """A SoftHSM2 token. ``env`` must be in os.environ before the module is loaded."""

    module: str
    token_label: str
    pin: str
    so_pin: str
    conf_path: Path
    #: key label -> CKA_ID; each key has a certificate with the same label and id
    keys: dict[str, bytes]

    @property
    def env(self) -> dict[str, str]:
        return {"SOFTHSM2_CONF": str(self.conf_path)}


def _run(args, env=None) -> str:
    proc = subprocess.run(  # noqa: S603
        args,
        env={**os.environ, **(env or {})},
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise RuntimeError(f"{args[0]} failed: {proc.stdout}\n{proc.stderr}")
    return proc.stdout


def create_softhsm_token(
    workdir: Path,
    pki: RunningPKI,
    *,
    token_label: str = "docflow-test",  # noqa: S107 - test token
    pin: str = "123456",  # noqa: S107
    so_pin: str = "12345678",  # noqa: S107
) -> SoftHSMToken:
    """Create a token under ``workdir`` holding the leader and seal keys + certs."""
    module = find_softhsm_module()
    if module is None:
        raise RuntimeError("SoftHSM2 is not installed (libsofthsm2.so not found)")
    workdir = Path(workdir)
    token_dir = workdir / "tokens"
    token_dir.mkdir(parents=True, exist_ok=True)
    conf = workdir / "softhsm2.conf"
    conf.write_text(
        f"directories.tokendir = {token_dir}\n"
        "objectstore.backend = file\n"
        "log.level = ERROR\n"
        "slots.removable = false\n"
    )
    env = {"SOFTHSM2_CONF": str(conf)}
    _run(
        [
            "softhsm2-util", "--init-token", "--free", "--label", token_label,
            "--pin", pin, "--so-pin", so_pin,
        ],
        env,
    )  # fmt: skip
    for label, key_id in TOKEN_KEYS.items():
        _run(
            [
                "softhsm2-util", "--import", str(pki.key_path(label)),
                "--token", token_label, "--label", label, "--id", key_id.hex(),
                "--pin", pin,
            ],
            env,
        )  # fmt: skip
        _run(
            [
                "pkcs11-tool", "--module", module, "--token-label", token_label,
                "--login", "--pin", pin, "--write-object",
                str(pki.cert_dir / f"{label}.cert.der"), "--type", "cert",
                "--label", label, "--id", key_id.hex(),
            ],
            env,
        )  # fmt: skip
    return SoftHSMToken(
        module=module,
        token_label=token_label,
        pin=pin,
        so_pin=so_pin,
        conf_path=conf,
        keys=dict(TOKEN_KEYS),
    )


# -- PKCS#12, NSS, pdfsig ---------------------------------------------------------


def make_pkcs12(pki: RunningPKI, label: str, path: Path, passphrase: str) -> Path:
    """Write ``label``'s key, certificate and chain as a PKCS#12 file."""
    from cryptography import x509 as cx509
    from cryptography.hazmat.primitives.serialization import (
        BestAvailableEncryption,
        load_pem_private_key,
        pkcs12,
    )

    key = load_pem_private_key(pki.key_path(label).read_bytes(), password=None)
    cert = cx509.load_der_x509_certificate(pki.cert(label).dump())
    cas = [cx509.load_der_x509_certificate(c.dump()) for c in pki.chain]
    data = pkcs12.serialize_key_and_certificates(
        label.encode(), key, cert, cas, BestAvailableEncryption(passphrase.encode())
    )
    Path(path).write_bytes(data)
    return Path(path)


def make_nss_db(directory: Path, ca_pem: Path) -> str:
    """NSS database trusting ``ca_pem`` for S/MIME; returns the ``sql:`` spec."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    spec = f"sql:{directory}"
    _run(["certutil", "-N", "-d", spec, "--empty-password"])
    _run(["certutil", "-A", "-d", spec, "-n", "ca", "-t", "CT,C,C", "-i", str(ca_pem)])
    return spec


def pdfsig_available() -> bool:
    return shutil.which("pdfsig") is not None


_PDFSIG_FIELDS = {
    "Signer Certificate Common Name": "signer",
    "Signing Time": "signing_time",
    "Signature Type": "type",
    "Signature Validation": "validation",
    "Certificate Validation": "certificate",
    "Signature Field Name": "field",
    "Signed Ranges": "ranges",
    "Total document signed": "total",
}


def run_pdfsig(pdf: Path, nss_spec: str) -> list[dict[str, str]]:
    """Run poppler's pdfsig and parse one dict per signature.

    pdfsig exits 0 even on "Digest Mismatch", so callers must read the fields:
    ``validation`` ("Signature is Valid."), ``certificate``
    ("Certificate is Trusted."), ``signer``, ``field``, ``total``.
    """
    proc = subprocess.run(  # noqa: S603
        ["pdfsig", "-nssdir", nss_spec, str(pdf)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )
    sigs: list[dict[str, str]] = []
    for line in proc.stdout.splitlines():
        if re.match(r"^Signature #\d+:", line):
            sigs.append({})
            continue
        m = re.match(r"^\s+- ([^:]+): (.*)$", line)
        if m and sigs:
            key = _PDFSIG_FIELDS.get(m.group(1).strip(), m.group(1).strip())
            sigs[-1][key] = m.group(2).strip()
        elif line.strip() == "- Total document signed" and sigs:
            sigs[-1]["total"] = "yes"
    if not sigs and proc.returncode != 0:
        raise RuntimeError(f"pdfsig failed: {proc.stderr}")
    return sigs


# -- sample documents -------------------------------------------------------------

#: A one-page draft "Quyết định" laid out like NĐ 30/2020 Phụ lục I (A4, points).
#: (x, y, size, text); y is the baseline area's bottom, origin bottom-left.
DRAFT_LINES = [
    (50, 770, 12, "ỦY BAN NHÂN DÂN"),
    (50, 755, 12, "TỈNH THỬ NGHIỆM"),
    (300, 770, 12, "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"),
    (330, 755, 12, "Độc lập - Tự do - Hạnh phúc"),
    (50, 725, 12, "Số:"),
    (300, 725, 12, "Thử nghiệm,"),
    (250, 680, 13, "QUYẾT ĐỊNH"),
    (120, 662, 12, "Về việc thử nghiệm chữ ký số trên văn bản điện tử"),
    (130, 630, 12, "CHỦ TỊCH ỦY BAN NHÂN DÂN TỈNH THỬ NGHIỆM"),
    (60, 600, 11, "Căn cứ Nghị định số 30/2020/NĐ-CP ngày 05 tháng 3 năm 2020"),
    (60, 585, 11, "của Chính phủ về công tác văn thư;"),
    (60, 560, 11, "Điều 1. Áp dụng chữ ký số chuyên dùng cho văn bản điện tử."),
    (60, 545, 11, "Điều 2. Quyết định này có hiệu lực kể từ ngày ký."),
    (50, 330, 10, "Nơi nhận:"),
    (50, 318, 9, "- Như Điều 2;"),
    (50, 307, 9, "- Lưu: VT, VP."),
    (370, 330, 12, "KT. CHỦ TỊCH"),
    (370, 315, 12, "PHÓ CHỦ TỊCH"),
    (375, 210, 12, "Trần Thị Bình"),
]


def make_sample_pdf(lines=None, *, pages: int = 1) -> bytes:
    """A draft PDF with Vietnamese text (embedded font, extractable), normalised
    through pikepdf like any unsigned upload. ``lines`` as in ``DRAFT_LINES``;
    they go on the first page, further pages carry one line of body text."""
    import pikepdf
    from pyhanko.pdf_utils import generic
    from pyhanko.pdf_utils.font.opentype import GlyphAccumulatorFactory
    from pyhanko.pdf_utils.text import TextBoxStyle
    from pyhanko.pdf_utils.writer import PdfFileWriter
    from pyhanko.stamp import TextStamp, TextStampStyle

    from signing import fonts

    lines = DRAFT_LINES if lines is None else lines
    writer = PdfFileWriter()
    for _ in range(pages):
        page = generic.DictionaryObject(
            {
                generic.pdf_name("/Type"): generic.pdf_name("/Page"),
                generic.pdf_name("/MediaBox"): generic.ArrayObject(
                    map(generic.NumberObject, (0, 0, 595, 842))
                ),
                generic.pdf_name("/Resources"): generic.DictionaryObject(),
                generic.pdf_name("/Contents"): writer.add_object(
                    generic.StreamObject(stream_data=b"")
                ),
            }
        )
        writer.insert_page(page)
    font = GlyphAccumulatorFactory(str(fonts.SANS))

    def put(page_ix, x, y, size, text):
        style = TextStampStyle(
            stamp_text=text,
            border_width=0,
            text_box_style=TextBoxStyle(font=font, font_size=size),
        )
        # the text box adds a small padding: shift so x,y is the glyph origin area
        TextStamp(writer, style).apply(page_ix, x - 3, y - 3)

    for x, y, size, text in lines:
        put(0, x, y, size, text)
    for ix in range(1, pages):
        put(ix, 60, 760, 11, f"Trang {ix + 1}: nội dung tiếp theo của văn bản.")
    raw = io.BytesIO()
    writer.write(raw)
    out = io.BytesIO()
    with pikepdf.open(io.BytesIO(raw.getvalue())) as pdf:
        pdf.save(out)
    return out.getvalue()
