"""One Whoosh index per agency, behind the same :class:`SearchIndex` interface.

The agency is the permission boundary, so a viewer's search only ever opens their
agency's index: each index stays small, and pure-Python Whoosh stays fast on common
words. Unrestricted (system) searches merge the shards. A document's ``agency_id``
must not change (re-index it under a new id if ownership ever moves).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import os
import re
import threading
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from search.index import (
    IndexDocument,
    QueryError,
    SearchIndex,
    SearchQuery,
    SearchResults,
    as_document,
)
from search.whoosh_index import MAX_FACET_VALUES, WhooshIndex

_SAFE = re.compile(r"[^A-Za-z0-9_.-]")


class AgencyShardedIndex(SearchIndex):
    """Folder of ``<agency_id>/`` Whoosh indexes; arguments as :class:`WhooshIndex`."""

    def __init__(self, path: str | os.PathLike, **kwargs: Any) -> None:
        self.path = Path(path)
        self.path.mkdir(parents=True, exist_ok=True)
        self._kwargs = kwargs
        self._shards: dict[str, WhooshIndex] = {}
        self._lock = threading.Lock()

    def _folder(self, agency_id: str) -> str:
        # Agency ids are opaque: keep folder names safe and distinct.
        return _SAFE.sub(lambda m: f"%{ord(m.group()):04x}", agency_id)

    def shard(self, agency_id: str) -> WhooshIndex:
        """The index of one agency (created on first use)."""
        with self._lock:
            if agency_id not in self._shards:
                self._shards[agency_id] = WhooshIndex(
                    self.path / self._folder(agency_id), **self._kwargs
                )
            return self._shards[agency_id]

    def _all(self) -> list[WhooshIndex]:
        for entry in sorted(self.path.iterdir()):
            if entry.is_dir():
                self.shard(
                    re.sub(
                        r"%([0-9a-f]{4})",
                        lambda m: chr(int(m.group(1), 16)),
                        entry.name,
                    )
                )
        with self._lock:
            return list(self._shards.values())

    def upsert(
        self,
        docs: Iterable[IndexDocument | Mapping[str, Any]],
        *,
        skip_unchanged: bool = False,
    ) -> int:
        groups: dict[str, list[IndexDocument]] = defaultdict(list)
        for doc in docs:
            doc = as_document(doc)
            groups[doc.agency_id].append(doc)
        return sum(
            self.shard(a).upsert(batch, skip_unchanged=skip_unchanged)
            for a, batch in groups.items()
        )

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(ids)
        return sum(shard.delete(ids) for shard in self._all()) if ids else 0

    def count(self) -> int:
        return sum(shard.count() for shard in self._all())

    def ids_with_versions(self) -> dict[str, str]:
        merged: dict[str, str] = {}
        for shard in self._all():
            merged.update(shard.ids_with_versions())
        return merged

    def clear(self) -> None:
        for shard in self._all():
            shard.clear()

    def optimize(self) -> None:
        for shard in self._all():
            shard.optimize()

    def search(self, query: SearchQuery) -> SearchResults:
        if query.viewer is not None:
            if not (self.path / self._folder(query.viewer.agency_id)).is_dir():
                return SearchResults(
                    0, query.page, query.per_page, [], {f: [] for f in query.facets}
                )
            return self.shard(query.viewer.agency_id).search(query)
        if not query.unrestricted:
            raise QueryError("a search needs a viewer (or unrestricted=True)")
        # System search: top page*per_page of every shard, merged.
        wide = dataclasses.replace(query, page=1, per_page=query.page * query.per_page)
        if wide.per_page > 200:
            raise QueryError("unrestricted search is limited to the first 200 results")
        parts = [shard.search(wide) for shard in self._all()]
        hits = [h for part in parts for h in part.hits]
        if query.sort == "relevance" and query.text.strip():
            hits.sort(key=lambda h: -h.score)
        else:
            # Undated documents sort as the oldest, as in WhooshIndex.
            hits.sort(
                key=lambda h: h.issued_date or dt.date.min,
                reverse=query.sort != "date_asc",
            )
        start = (query.page - 1) * query.per_page
        facets = {}
        for name in query.facets:
            counts: Counter[str] = Counter()
            for part in parts:
                counts.update(dict(part.facets.get(name, [])))
            facets[name] = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[
                :MAX_FACET_VALUES
            ]
        return SearchResults(
            total=sum(p.total for p in parts),
            page=query.page,
            per_page=query.per_page,
            hits=hits[start : start + query.per_page],
            facets=facets,
        )
