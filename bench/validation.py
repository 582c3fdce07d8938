"""Validation time per document with 1 and 2 signatures (prints JSON lines).

    .venv/bin/python bench/validation.py [--rounds N]

Starts the test PKI (certomancer: TSA, CRLs) on 127.0.0.1, signs the sample draft
with a PKCS#12 key (leader, then agency seal for the 2-signature case) at B-B, B-T
and B-LTA, then times ``signing.validate.validate_pdf``:

- ``inprocess``: pyHanko in this process (``isolate=False``);
- ``sandboxed``: through a warm ValidatorProcess child (the default path), which
  adds the JSON round trip and the copy of the file.

Revocation data comes from the local CRL server (``fetch``) or, for B-LTA, from the
file only (``offline``). One line per (level, signatures, mode, fetch) with the
median and p95 in milliseconds, and the median per signature.
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from tests.signing import pki_support  # noqa: E402


def _signed_documents(pki, p12_path: Path) -> dict[tuple[str, int], bytes]:
    from signing.keys import Pkcs12Key
    from signing.sign import sign_pdf

    draft = pki_support.make_sample_pdf()
    docs = {}
    for level in ("B-B", "B-T", "B-LTA"):
        one = io.BytesIO()
        sign_pdf(
            draft, one, Pkcs12Key(p12_path, "bench"), level=level,
            tsa_url=pki.tsa_url, field_name="lanh_dao",
        )  # fmt: skip
        two = io.BytesIO()
        sign_pdf(
            one.getvalue(), two, Pkcs12Key(p12_path, "bench"), level=level,
            tsa_url=pki.tsa_url, field_name="con_dau",
        )  # fmt: skip
        docs[level, 1] = one.getvalue()
        docs[level, 2] = two.getvalue()
    return docs


def _time(fn, rounds: int) -> list[float]:
    fn()  # warm-up: imports, first CRL fetch, child start
    samples = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def bench_validation(rounds: int = 20) -> list[dict]:
    """Run the measurement; print and return one dict per configuration."""
    from signing.validate import validate_pdf
    from signing.validation import ValidatorPool

    logging.basicConfig(level=logging.CRITICAL)
    results = []
    with tempfile.TemporaryDirectory() as tmp:
        pki = pki_support.start_pki(Path(tmp))
        pool = ValidatorPool(size=1)
        try:
            p12 = pki_support.make_pkcs12(
                pki, "leader-rsa", Path(tmp) / "k.p12", "bench"
            )
            docs = _signed_documents(pki, p12)
            for (level, count), data in docs.items():
                fetch_modes = (True, False) if level == "B-LTA" else (True,)
                for mode in ("inprocess", "sandboxed"):
                    for fetch in fetch_modes:

                        def run(data=data, mode=mode, fetch=fetch):
                            report = validate_pdf(
                                data, trust_roots=[pki.root_path],
                                allow_fetching=fetch, isolate=mode == "sandboxed",
                                pool=pool,
                            )  # fmt: skip
                            assert report.exit_code == 0, report.to_dict()

                        samples = _time(run, rounds)
                        median = statistics.median(samples)
                        row = {
                            "bench": "validation",
                            "level": level,
                            "signatures": count,
                            "mode": mode,
                            "fetch": "fetch" if fetch else "offline",
                            "rounds": rounds,
                            "median_ms": round(median, 1),
                            "p95_ms": round(statistics.quantiles(samples, n=20)[-1], 1),
                            "median_ms_per_signature": round(median / count, 1),
                        }
                        print(json.dumps(row), flush=True)
                        results.append(row)
        finally:
            pool.close()
            pki.stop()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=20)
    bench_validation(parser.parse_args().rounds)


if __name__ == "__main__":
    main()
