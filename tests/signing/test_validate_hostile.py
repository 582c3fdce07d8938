"""Hostile input: validation never raises, never hangs, and stays within memory.

Runs every file of /work/shared/corpora/pdf-malformed (qpdf's test and fuzz files)
and mutated signed PDFs through the sandboxed validator (the production path).
"""

from __future__ import annotations

import io
import os
import random
import re
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from signing.keys import Pkcs12Key
from signing.sign import sign_pdf
from signing.validate import INDETERMINATE, ValidatorPool, validate_pdf
from signing.validation import ValidationOptions, ValidatorProcess

CORPUS = Path(
    os.environ.get("DOCFLOW_PDF_CORPUS", "/work/shared/corpora/pdf-malformed")
)
#: generous: the whole corpus takes about 2 s on a 2-core machine
CORPUS_BUDGET_S = 180
PER_FILE_TIMEOUT_S = 30


@pytest.fixture(scope="module")
def pool():
    p = ValidatorPool(size=2)
    yield p
    p.close()


@pytest.fixture(scope="module")
def signed_lta(pki, pkcs12_factory):
    from tests.signing import pki_support

    p12 = pkcs12_factory("leader-rsa")
    out = io.BytesIO()
    sign_pdf(
        pki_support.make_sample_pdf(),
        out,
        Pkcs12Key(p12.path, p12.passphrase),
        level="B-LTA",
        tsa_url=pki.tsa_url,
    )
    return out.getvalue()


@pytest.mark.skipif(not CORPUS.is_dir(), reason="malformed-PDF corpus not present")
def test_malformed_corpus_never_raises_or_hangs(pool, pki):
    files = sorted(p for p in CORPUS.rglob("*") if p.is_file())
    assert len(files) > 100

    def one(path):
        start = time.monotonic()
        report = validate_pdf(
            path,
            trust_roots=[pki.root_path],
            allow_fetching=False,
            timeout=PER_FILE_TIMEOUT_S,
            pool=pool,
        )
        return path, report, time.monotonic() - start

    start = time.monotonic()
    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(one, files))
    total = time.monotonic() - start
    assert total < CORPUS_BUDGET_S, total
    for path, report, _elapsed in results:
        assert report.indication == INDETERMINATE, path
        assert report.exit_code == 2, path
        # a crash of the child would show as INTERNAL_ERROR
        assert report.reason != "INTERNAL_ERROR", (path, report.reason_details)
        assert report.message_vi and report.message_en
        for sig in report.signatures:
            assert sig.indication == INDETERMINATE, (path, sig)
    reasons = {r.reason for _, r, _ in results}
    assert {"NO_SIGNATURE", "MALFORMED", "ENCRYPTED", "NOT_PDF"} <= reasons


def _signed_ranges(data: bytes) -> list[tuple[int, int]]:
    ranges = []
    for m in re.finditer(rb"/ByteRange\s*\[\s*(\d+)\s+(\d+)\s+(\d+)\s+(\d+)", data):
        a, b, c, d = map(int, m.groups())
        ranges += [(a, a + b), (c, c + d)]
    return ranges


def test_mutated_signed_pdf(signed_lta, pool, pki):
    rng = random.Random(20261125)  # noqa: S311 - fixed seed: reproducible on CI
    ranges = _signed_ranges(signed_lta)
    cases = []
    for cut in sorted(rng.sample(range(1, len(signed_lta)), 12)):
        cases.append(("truncated", cut, signed_lta[:cut]))
    for pos in rng.sample(range(len(signed_lta)), 24):
        flipped = bytearray(signed_lta)
        flipped[pos] ^= 1 << rng.randrange(8)
        cases.append(("flip", pos, bytes(flipped)))
    cases.append(("garbage", 0, signed_lta + os.urandom(4096)))
    cases.append(("duplicated", 0, signed_lta + signed_lta))

    def one(case):
        kind, pos, data = case
        return case, validate_pdf(
            data, trust_roots=[pki.root_path], allow_fetching=False, pool=pool
        )

    with ThreadPoolExecutor(2) as ex:
        results = list(ex.map(one, cases))
    for (kind, pos, _), report in results:
        assert report.reason not in ("INTERNAL_ERROR", "TIMEOUT"), (kind, pos)
        if kind == "truncated" or (
            kind == "flip" and any(a <= pos < b for a, b in ranges)
        ):
            # the file as signed is gone: never reported as valid
            assert report.exit_code != 0, (kind, pos, report.to_dict())


def test_timeout_kills_and_recovers(signed_lta, pki):
    proc = ValidatorProcess()
    options = ValidationOptions(trust_roots=(pki.cert("root").dump(),))
    try:
        # the child needs far more than 1 ms just to start
        report = proc.validate(signed_lta, options, timeout=0.001)
        assert report.reason == "TIMEOUT" and report.exit_code == 2
        report = proc.validate(signed_lta, options, timeout=PER_FILE_TIMEOUT_S)
        assert report.exit_code == 0, report.to_dict()
    finally:
        proc.close()


def test_memory_limit_failure_is_a_report(signed_lta, pki):
    # 64 MB of address space: too little to import pyHanko or to validate
    proc = ValidatorProcess(memory_limit=64 * 1024 * 1024)
    options = ValidationOptions(trust_roots=(pki.cert("root").dump(),))
    try:
        report = proc.validate(signed_lta, options, timeout=PER_FILE_TIMEOUT_S)
        # where the limit bites varies (import, parsing, crypto): any of them
        # must end as a report that does not pass
        assert report.indication == INDETERMINATE and report.exit_code == 2
    finally:
        proc.close()


def test_size_limit_and_bad_sources(pki):
    assert validate_pdf(b"%PDF-1.7" + b"0" * 100, max_size=50).reason == "TOO_LARGE"
    assert validate_pdf("/nonexistent/file.pdf").reason == "UNREADABLE"
    assert validate_pdf(b"").reason == "NOT_PDF"
    report = validate_pdf(b"%PDF-1.7\n", trust_roots=["/nonexistent/root.pem"])
    assert report.reason == "CONFIG_ERROR" and report.exit_code == 2


def test_validator_after_fork_starts_its_own_child(signed_lta, pki):
    # gunicorn --preload forks workers after the app (and maybe the validator)
    # exists; a forked process must not share the parent's child and pipes.
    # Simulated (no real fork in a threaded test process): the owner pid differs.
    proc = ValidatorProcess()
    options = ValidationOptions(trust_roots=(pki.cert("root").dump(),))
    assert proc.validate(signed_lta, options, PER_FILE_TIMEOUT_S).exit_code == 0
    parents_child = proc._proc
    try:
        proc._owner = -1  # as seen from a forked process
        assert proc.validate(signed_lta, options, PER_FILE_TIMEOUT_S).exit_code == 0
        assert proc._proc is not parents_child
        assert parents_child.poll() is None  # the parent's child was left alone
    finally:
        proc.close()
        parents_child.kill()
        parents_child.wait()
        parents_child.stdout.close()
        parents_child.stdin.close()
