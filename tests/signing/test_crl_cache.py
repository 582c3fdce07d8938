"""Fetched CRLs are reused while current (signing/validation/crl_cache.py)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from asn1crypto import crl

from signing.validate import validate_pdf
from signing.validation.crl_cache import CrlCache, default_cache
from tests.signing.test_validate import _only, sign  # noqa: F401 - fixture

TOTAL_PASSED = "TOTAL-PASSED"


def _crl_hits(pki) -> int:
    return sum(n for path, n in pki.hits.items() if path.endswith(".crl"))


def _check(pki, data, **kw):
    return validate_pdf(data, trust_roots=[pki.root_path], isolate=False, **kw)


def test_a_crl_is_fetched_once_while_current(pki, sign, sample_pdf) -> None:  # noqa: F811
    data = sign(sample_pdf())
    default_cache.clear()
    before = _crl_hits(pki)
    first = _only(_check(pki, data))
    fetched = _crl_hits(pki) - before
    assert first.indication == TOTAL_PASSED and fetched >= 1
    second = _only(_check(pki, data))
    assert second.indication == TOTAL_PASSED
    assert _crl_hits(pki) - before == fetched  # served from the cache
    assert default_cache.hits >= fetched
    # Off: fetched again every time.
    _only(_check(pki, data, crl_cache_seconds=0))
    assert _crl_hits(pki) - before == 2 * fetched


def test_a_revoked_certificate_is_still_refused_from_the_cache(
    pki,
    sign,  # noqa: F811
    sample_pdf,
) -> None:
    default_cache.clear()
    good = sign(sample_pdf())
    revoked = sign(sample_pdf(), label="revoked")
    assert _only(_check(pki, good)).indication == TOTAL_PASSED
    before = _crl_hits(pki)
    sig = _only(_check(pki, revoked))  # same issuer: its CRL comes from the cache
    assert (sig.indication, sig.sub_indication) == ("TOTAL-FAILED", "REVOKED")
    assert _crl_hits(pki) == before


def _crl_with_next_update(pki, next_update: datetime | None) -> crl.CertificateList:
    """The test PKI's CRL with its nextUpdate replaced (the signature is not checked)."""
    import urllib.request

    with urllib.request.urlopen(pki.crl_urls["interm"]) as resp:  # noqa: S310 - loopback
        value = crl.CertificateList.load(resp.read())
    tbs = value["tbs_cert_list"]
    tbs["next_update"] = (
        None if next_update is None else crl.Time({"utc_time": next_update})
    )
    return value


def test_expiry_is_the_earlier_of_next_update_and_max_age(pki) -> None:
    cache = CrlCache()
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    soon = _crl_with_next_update(pki, now + timedelta(minutes=5))
    cache.put("u1", soon, max_age=3600, now=now)
    assert cache.get("u1", now + timedelta(minutes=4)) is soon
    assert cache.get("u1", now + timedelta(minutes=6)) is None  # past nextUpdate
    later = _crl_with_next_update(pki, now + timedelta(days=7))
    cache.put("u2", later, max_age=900, now=now)
    assert cache.get("u2", now + timedelta(minutes=14)) is later
    assert cache.get("u2", now + timedelta(minutes=16)) is None  # max age
    stale = _crl_with_next_update(pki, now - timedelta(minutes=1))
    cache.put("u3", stale, max_age=900, now=now)
    assert cache.get("u3", now) is None  # a stale CRL is never kept
    cache.put("u4", later, max_age=0, now=now)
    assert cache.get("u4", now) is None  # caching off


@pytest.mark.parametrize("entries", [3])
def test_the_cache_is_bounded(pki, entries) -> None:
    cache = CrlCache(max_entries=entries)
    now = datetime(2026, 11, 25, 8, 0, tzinfo=UTC)
    value = _crl_with_next_update(pki, now + timedelta(days=7))
    for n in range(entries + 2):
        cache.put(f"u{n}", value, max_age=60 + n, now=now)
    kept = [n for n in range(entries + 2) if cache.get(f"u{n}", now) is not None]
    assert kept == [2, 3, 4]  # the ones expiring first made room
