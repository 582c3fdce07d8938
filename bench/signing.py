"""docflow's signing path vs raw pyHanko: same PDF, same SoftHSM key, one run.

    .venv/bin/python bench/signing.py [--rounds N]

Starts its own test PKI (certomancer: TSA, CRLs) on 127.0.0.1 and a SoftHSM2 token
in a temporary folder, then signs the sample draft invisibly at B-B, B-T and B-LT
with ``signing.sign_pdf`` and with pyHanko called directly (a PKCS#11 session per
signature in both, as a job would). Runs alternate to share any drift. Prints JSON
lines: one per (level, implementation) and one ratio per level (goal <= 1.15).
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.signing import pki_support  # noqa: E402


def raw_pyhanko(pdf: bytes, token, pki, level: str) -> bytes:
    from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter
    from pyhanko.sign import fields, signers
    from pyhanko.sign.pkcs11 import PKCS11Signer, TokenCriteria, open_pkcs11_session
    from pyhanko.sign.timestamps import HTTPTimeStamper
    from pyhanko_certvalidator import ValidationContext

    with open_pkcs11_session(
        token.module, token_criteria=TokenCriteria(label=token.token_label),
        user_pin=token.pin,
    ) as session:  # fmt: skip
        signer = PKCS11Signer(
            session, key_label="leader-rsa", cert_label="leader-rsa", ca_chain=pki.chain
        )
        lt = level == "B-LT"
        meta = signers.PdfSignatureMetadata(
            field_name="Signature1",
            md_algorithm="sha256",
            subfilter=fields.SigSeedSubFilter.PADES,
            embed_validation_info=lt,
            validation_context=ValidationContext(
                trust_roots=[pki.cert("root")], other_certs=pki.chain,
                allow_fetching=True, revocation_mode="hard-fail",
            ) if lt else None,
        )  # fmt: skip
        timestamper = HTTPTimeStamper(pki.tsa_url) if level != "B-B" else None
        out = signers.PdfSigner(meta, signer, timestamper=timestamper).sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(pdf))
        )
        return out.getvalue()


def docflow(pdf: bytes, token, pki, level: str) -> bytes:
    from signing.keys import Pkcs11Key
    from signing.sign import sign_pdf

    key = Pkcs11Key(
        token.module, token.token_label, pin=token.pin, key_label="leader-rsa",
        chain=tuple(pki.chain),
    )  # fmt: skip
    out = io.BytesIO()
    sign_pdf(pdf, out, key, level=level, tsa_url=pki.tsa_url)
    return out.getvalue()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30)
    args = parser.parse_args()
    logging.basicConfig(level=logging.ERROR)
    with tempfile.TemporaryDirectory(prefix="bench-signing-") as tmp:
        pki = pki_support.start_pki(Path(tmp) / "pki")
        try:
            token = pki_support.create_softhsm_token(Path(tmp) / "hsm", pki)
            os.environ.update(token.env)  # before the PKCS#11 module is first loaded
            pdf = pki_support.make_sample_pdf()
            impls = {"docflow": docflow, "raw_pyhanko": raw_pyhanko}
            for level in ("B-B", "B-T", "B-LT"):
                rounds = args.rounds if level == "B-B" else max(args.rounds // 2, 5)
                times: dict[str, list[float]] = {name: [] for name in impls}
                for fn in impls.values():  # warm-up: imports, font, caches
                    fn(pdf, token, pki, level)
                for _ in range(rounds):
                    for name, fn in impls.items():
                        start = time.perf_counter()
                        fn(pdf, token, pki, level)
                        times[name].append((time.perf_counter() - start) * 1000)
                medians = {}
                for name, values in times.items():
                    medians[name] = statistics.median(values)
                    print(json.dumps({
                        "bench": "signing", "level": level, "impl": name, "n": rounds,
                        "median_ms": round(medians[name], 1),
                        "p90_ms": round(statistics.quantiles(values, n=10)[-1], 1),
                    }))  # fmt: skip
                print(json.dumps({
                    "bench": "signing", "level": level,
                    "ratio_docflow_vs_raw": round(
                        medians["docflow"] / medians["raw_pyhanko"], 3
                    ),
                    "goal": 1.15,
                }))  # fmt: skip
                sys.stdout.flush()
        finally:
            pki.stop()


if __name__ == "__main__":
    main()
