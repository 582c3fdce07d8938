"""A process-wide cache of fetched CRLs, kept until their nextUpdate and at most
``max_age`` seconds.

pyHanko fetches every CRL again for each validation (its fetchers live as long as one
validation context). Fetching two CRLs was ~60 of ~95 ms per validation measured on the
interchange path (docs/interchange-bench.md). RFC 5280 §5.1.2.5: a CRL is current until
its ``nextUpdate``; ``max_age`` bounds how late a revocation the CA publishes before
then is seen (default 15 minutes). CRLs past their nextUpdate are never served from the
cache. OCSP answers are per certificate and are not cached.

The validator child processes (``sandbox.py``) are long-lived, so the cache pays off
there as in the host process.
"""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

from asn1crypto import crl
from pyhanko_certvalidator.fetchers.aiohttp_fetchers import AIOHttpFetcherBackend
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.cert_fetch_client import (
    AIOHttpCertificateFetcher,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.crl_client import (
    AIOHttpCRLFetcher,
)
from pyhanko_certvalidator.fetchers.aiohttp_fetchers.ocsp_client import (
    AIOHttpOCSPFetcher,
)
from pyhanko_certvalidator.fetchers.api import Fetchers
from pyhanko_certvalidator.fetchers.common_utils import FetchBudget

__all__ = ["CachingFetcherBackend", "CrlCache", "default_cache"]

DEFAULT_MAX_AGE = 900.0
MAX_ENTRIES = 256


class CrlCache:
    """url -> (CRL, expiry); thread-safe, bounded."""

    def __init__(self, max_entries: int = MAX_ENTRIES) -> None:
        self._entries: dict[str, tuple[crl.CertificateList, datetime]] = {}
        self._lock = threading.Lock()
        self.max_entries = max_entries
        self.hits = self.misses = 0

    def get(self, url: str, now: datetime | None = None) -> crl.CertificateList | None:
        now = now or datetime.now(UTC)
        with self._lock:
            entry = self._entries.get(url)
            if entry is None or entry[1] <= now:
                self._entries.pop(url, None)
                self.misses += 1
                return None
            self.hits += 1
            return entry[0]

    def put(
        self,
        url: str,
        value: crl.CertificateList,
        max_age: float,
        now: datetime | None = None,
    ) -> None:
        """Keep ``value`` until its nextUpdate, at most ``max_age`` seconds."""
        now = now or datetime.now(UTC)
        expires = now + timedelta(seconds=max_age)
        try:
            next_update = value["tbs_cert_list"]["next_update"].native
        except (KeyError, ValueError):
            next_update = None
        if next_update is not None:
            expires = min(expires, next_update)
        if expires <= now:
            return  # already stale (or caching is off): never served from here
        with self._lock:
            if url not in self._entries and len(self._entries) >= self.max_entries:
                self._entries.pop(min(self._entries, key=lambda k: self._entries[k][1]))
            self._entries[url] = (value, expires)

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()
            self.hits = self.misses = 0


default_cache = CrlCache()


class _CachingCRLFetcher(AIOHttpCRLFetcher):
    def __init__(self, *args, cache: CrlCache, max_age: float, **kwargs) -> None:  # type: ignore[no-untyped-def]
        super().__init__(*args, **kwargs)
        self._cache, self._max_age = cache, max_age

    async def _single_fetch(self, url):  # type: ignore[no-untyped-def]
        if self._max_age <= 0:  # caching off: neither read nor write
            return await super()._single_fetch(url)
        cached = self._cache.get(url)
        if cached is not None:

            async def task():  # type: ignore[no-untyped-def]
                return cached

            # Recorded like a fetch, so pyHanko's bookkeeping of results holds.
            return await self._post_fetch_task(url, task)
        result = await super()._single_fetch(url)
        if isinstance(result, crl.CertificateList):
            self._cache.put(url, result, self._max_age)
        return result


class CachingFetcherBackend(AIOHttpFetcherBackend):
    """pyHanko's aiohttp fetchers, with CRLs served from ``cache`` while current."""

    def __init__(  # type: ignore[no-untyped-def]
        self,
        *args,
        cache: CrlCache = default_cache,
        max_age: float = DEFAULT_MAX_AGE,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.cache, self.max_age = cache, max_age

    def get_fetchers(self) -> Fetchers:
        session, timeout = self.session, self.per_request_timeout
        budget = FetchBudget(self.limits)
        return Fetchers(
            ocsp_fetcher=AIOHttpOCSPFetcher(
                session, per_request_timeout=timeout, budget=budget
            ),
            crl_fetcher=_CachingCRLFetcher(
                session,
                per_request_timeout=timeout,
                budget=budget,
                cache=self.cache,
                max_age=self.max_age,
            ),
            cert_fetcher=AIOHttpCertificateFetcher(
                session, per_request_timeout=timeout, budget=budget
            ),
        )
