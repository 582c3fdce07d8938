"""``docflow-agent``: run the signing agent on the leader's PC.

    docflow-agent --server https://docflow.example.gov.vn \\
        --module /usr/lib/softhsm/libsofthsm2.so --token "VGCA Token" \\
        [--key-label leader] [--chain interm.pem] [--port 8987] \\
        [--tls-cert localhost.pem --tls-key localhost.key]

Without ``--tls-cert`` the agent speaks plain ``ws://`` (tests, pages served over plain
HTTP on the loopback). Pages served over HTTPS need ``wss://``: make a self-signed
certificate for 127.0.0.1 once and let the browser trust it (as VGCA Sign Service
does), e.g. ``openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj /CN=127.0.0.1
-addext subjectAltName=IP:127.0.0.1,DNS:localhost -keyout localhost.key -out localhost.pem``.
The PIN is asked on this terminal for every request (one prompt per batch).
"""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import sys

from ..keys import load_certificates
from .server import AgentConfig, PinPrompt, serve


def ask_pin(prompt: PinPrompt) -> str | None:
    docs = ", ".join(prompt.documents[:5]) + (
        " ..." if len(prompt.documents) > 5 else ""
    )
    print(
        f"\nKý {len(prompt.documents)} văn bản ({docs})\nbằng chứng thư: {prompt.signer}",
        file=sys.stderr,
    )
    try:
        return (
            getpass.getpass(
                f"Mã PIN của token '{prompt.token_label}' (Ctrl+C để hủy): "
            )
            or None
        )
    except (EOFError, KeyboardInterrupt):
        return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="docflow-agent", description=__doc__.split("\n")[0]
    )
    parser.add_argument(
        "--server",
        required=True,
        help="the docflow server (only its pages may call the agent)",
    )
    parser.add_argument(
        "--module", required=True, help="PKCS#11 module (driver) of the USB token"
    )
    parser.add_argument("--token", required=True, help="token label")
    parser.add_argument(
        "--key-label", help="key/certificate label when the token holds several"
    )
    parser.add_argument(
        "--chain",
        action="append",
        default=[],
        help="intermediate certificate (PEM), repeatable",
    )
    parser.add_argument(
        "--host", default="127.0.0.1", help="loopback address only (default 127.0.0.1)"
    )
    parser.add_argument("--port", type=int, default=8987)
    parser.add_argument("--tls-cert", help="certificate (PEM) for wss://")
    parser.add_argument("--tls-key", help="its private key (PEM)")
    parser.add_argument("--tsa", help="RFC 3161 time-stamping URL (PAdES B-T)")
    parser.add_argument(
        "--trust-root",
        action="append",
        default=[],
        help="root certificate (PEM/DER) the signer certificate must chain to before "
        "the PIN is asked, repeatable (e.g. the Ban Cơ yếu root)",
    )
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(message)s"
    )
    try:
        config = AgentConfig(
            server=args.server,
            module=args.module,
            token_label=args.token,
            pin_provider=ask_pin,
            key_label=args.key_label,
            chain=tuple(load_certificates(args.chain)),
            host=args.host,
            port=args.port,
            tls_cert=args.tls_cert,
            tls_key=args.tls_key,
            tsa_url=args.tsa,
            trust_roots=tuple(load_certificates(args.trust_root)),
        )
    except Exception as exc:  # configuration problems: one line, exit 2
        print(f"docflow-agent: {exc}", file=sys.stderr)
        return 2
    try:
        asyncio.run(serve(config))
    except KeyboardInterrupt:
        return 0
    except OSError as exc:
        print(
            f"docflow-agent: cannot listen on {args.host}:{args.port}: {exc}",
            file=sys.stderr,
        )
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
