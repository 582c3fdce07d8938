"""Signing works when the caller already runs an asyncio event loop (e.g. the signing agent)."""

from __future__ import annotations

import asyncio
import io

from signing.keys import Pkcs12Key
from signing.sign import sign_pdf


def test_sign_from_inside_a_running_event_loop(pkcs12_file, sample_pdf) -> None:
    path, passphrase = pkcs12_file.path, pkcs12_file.passphrase

    async def main() -> bytes:
        out = io.BytesIO()
        sign_pdf(sample_pdf(), out, Pkcs12Key(path, passphrase))
        return out.getvalue()

    signed = asyncio.run(main())
    assert signed.startswith(b"%PDF") and b"/ByteRange" in signed
