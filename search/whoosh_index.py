"""Whoosh implementation of :class:`search.index.SearchIndex` (one folder per index)."""

from __future__ import annotations

import datetime as dt
import logging
import os
import threading
from collections.abc import Iterable, Mapping
from typing import Any

from whoosh import fields, index, sorting, writing
from whoosh import query as wq
from whoosh.index import LockError

from search import analysis, snippets
from search.index import (
    IndexBusy,
    IndexDocument,
    QueryError,
    SearchError,
    SearchHit,
    SearchIndex,
    SearchQuery,
    SearchResults,
    Viewer,
    as_document,
)
from search.query import MAX_REQUIRED_WORDS, ParsedQuery, parse

logger = logging.getLogger(__name__)

#: Stored text per document for snippets; matches further in are found, not shown.
MAX_STORED_CHARS = 50_000
#: Query-time boosts (relative to a folded syllable match, 1.0).
BOOST_EXACT = 1.0  #: the syllable with the diacritics as typed
BOOST_BIGRAM = 2.0  #: two adjacent syllables (a word) as typed, folded
BOOST_SUBJECT = 1.5  #: the syllable in the subject (trích yếu)
BOOST_OWN_NUMBER = 20.0  #: the document's own notation, above mere references
FILTER_FIELDS = ("doc_type", "issuer", "year", "status", "confidentiality", "kind")
MAX_FACET_VALUES = 30


def make_schema() -> fields.Schema:
    """The index schema; field names are part of the on-disk format."""
    folded = analysis.folded_analyzer()
    return fields.Schema(
        id=fields.ID(stored=True, unique=True),
        version=fields.STORED(),
        # permission fields
        agency=fields.ID(),
        depts=fields.KEYWORD(commas=True),
        users=fields.KEYWORD(commas=True),
        public=fields.ID(),
        # metadata
        number=fields.KEYWORD(commas=True),  # normalised own notation
        number_display=fields.STORED(),
        refs=fields.KEYWORD(commas=True),  # normalised notations mentioned
        subject=fields.TEXT(analyzer=folded, stored=True, phrase=False),
        issuer=fields.ID(stored=True, sortable=True),
        doc_type=fields.ID(stored=True, sortable=True),
        status=fields.ID(stored=True, sortable=True),
        confidentiality=fields.ID(stored=True, sortable=True),
        kind=fields.ID(stored=True, sortable=True),
        year=fields.ID(sortable=True),
        issued=fields.NUMERIC(stored=True, sortable=True, bits=32, signed=False),
        updated=fields.STORED(),
        # full text: folded (with positions for phrases), exact, bigrams
        text=fields.TEXT(analyzer=folded, phrase=True),
        text_exact=fields.TEXT(analyzer=analysis.exact_analyzer(), phrase=False),
        text_bi=fields.TEXT(analyzer=analysis.bigram_analyzer(), phrase=False),
        body=fields.STORED(),
    )


def _date_int(day: dt.date | None) -> int:
    return day.year * 10000 + day.month * 100 + day.day if day else 0


def _int_date(value: int | None) -> dt.date | None:
    if not value:
        return None
    return dt.date(value // 10000, value // 100 % 100, value % 100)


def to_fields(doc: IndexDocument) -> dict[str, Any]:
    """Whoosh field values for one document (all text NFC)."""
    nfc = analysis.nfc
    subject, content = nfc(doc.subject), nfc(doc.content)
    extra = nfc(doc.extra_text)
    number = nfc(doc.number).strip()
    # Everything a user might type goes into the searchable text.
    parts = (subject, number, nfc(doc.issuer), nfc(doc.signer), extra, content)
    text = "\n".join(p for p in parts if p)
    own = analysis.normalize_number(number) if number else ""
    refs = analysis.find_numbers(text)
    return {
        "id": doc.id,
        "version": str(doc.version),
        "agency": doc.agency_id,
        "depts": ",".join(doc.department_ids),
        "users": ",".join(doc.user_ids),
        "public": "1" if doc.public_in_agency else "0",
        "number": own,
        "number_display": number,
        "refs": ",".join(sorted(refs)),
        "subject": subject,
        "issuer": nfc(doc.issuer),
        "doc_type": nfc(doc.doc_type),
        "status": doc.status,
        "confidentiality": doc.confidentiality,
        "kind": doc.kind,
        "year": str(doc.issued_date.year) if doc.issued_date else "",
        "issued": _date_int(doc.issued_date),
        "updated": doc.updated_at.isoformat() if doc.updated_at else "",
        "text": text,
        "text_exact": text,
        "text_bi": text,
        "body": content[:MAX_STORED_CHARS],
    }


def permission_query(viewer: Viewer) -> wq.Query:
    """What ``viewer`` may see: their agency, and public/department/own documents."""
    agency = wq.Term("agency", viewer.agency_id)
    if viewer.all_in_agency:
        return agency
    allowed: list[wq.Query] = [wq.Term("public", "1"), wq.Term("users", viewer.user_id)]
    allowed += [wq.Term("depts", d) for d in viewer.department_ids]
    return wq.And([agency, wq.Or(allowed)])


def text_query(parsed: ParsedQuery, *, loose: bool = False) -> wq.Query | None:
    """Scored query for parsed user text; None when there is no text.

    Every syllable is required (folded), unless ``loose``; the exact syllables,
    adjacent pairs and subject matches only add score.
    """
    fold = analysis.fold
    required: list[wq.Query] = []
    should: list[wq.Query] = []
    for chunk in parsed.chunks:
        for word in chunk:
            required.append(wq.Term("text", fold(word)))
            if word != fold(word):
                # Only typed diacritics say which word is meant: an unaccented
                # "ban" is usually bán/bản/bàn typed without accents, not "ban".
                should.append(wq.Term("text_exact", word, boost=BOOST_EXACT))
            should.append(wq.Term("subject", fold(word), boost=BOOST_SUBJECT))
        for pair in analysis.bigrams([fold(w) for w in chunk]):
            should.append(wq.Term("text_bi", pair, boost=BOOST_BIGRAM))
    for phrase in parsed.phrases:
        required.append(wq.Phrase("text", [fold(w) for w in phrase]))
        for pair in analysis.bigrams([fold(w) for w in phrase]):
            should.append(wq.Term("text_bi", pair, boost=BOOST_BIGRAM))
    for number in parsed.numbers:
        required.append(
            wq.Or(
                [
                    wq.Term("number", number, boost=BOOST_OWN_NUMBER),
                    wq.Term("refs", number),
                ]
            )
        )
    if not required:
        return None
    if loose:
        return wq.Or(required + should)
    main = required[0] if len(required) == 1 else wq.And(required)
    return wq.AndMaybe(main, wq.Or(should)) if should else main


def _filter_query(q: SearchQuery) -> list[wq.Query]:
    clauses: list[wq.Query] = []
    for name, values in q.filters.items():
        if name not in FILTER_FIELDS:
            raise QueryError(f"cannot filter on {name!r}; use one of {FILTER_FIELDS}")
        if isinstance(values, str | int):
            values = [values]
        terms = [wq.Term(name, analysis.nfc(str(v))) for v in values]
        if terms:
            clauses.append(wq.Or(terms))
    if q.issued_from or q.issued_to:
        clauses.append(
            wq.NumericRange(
                "issued",
                _date_int(q.issued_from) if q.issued_from else 1,
                _date_int(q.issued_to) if q.issued_to else None,
            )
        )
    return clauses


class WhooshIndex(SearchIndex):
    """An index in a folder (created on first use). Safe for threads and processes.

    ``lock_timeout``: how long a writer waits for another writer; ``procs`` > 1 uses
    Whoosh's multiprocess writer (for bulk loads).
    """

    def __init__(
        self, path: str | os.PathLike, *, lock_timeout: float = 10.0, procs: int = 1
    ) -> None:
        self.path = os.fspath(path)
        self.lock_timeout = lock_timeout
        self.procs = procs
        self._local = threading.local()
        schema = make_schema()
        try:
            os.makedirs(self.path, exist_ok=True)
            if index.exists_in(self.path):
                self._ix = index.open_dir(self.path)
                have, want = set(self._ix.schema.names()), set(schema.names())
                if have - want:
                    raise SearchError(
                        f"index at {self.path} has an older schema: rebuild it "
                        "(delete the folder and re-index)"
                    )
                if want - have:
                    self._add_fields(schema, sorted(want - have))
            else:
                self._ix = index.create_in(self.path, schema)
        except (OSError, index.IndexError) as exc:
            raise SearchError(f"cannot open index at {self.path}: {exc}") from exc

    def _add_fields(self, schema: fields.Schema, names: list[str]) -> None:
        """Add fields a newer version introduced; existing entries have them empty."""
        w = self._writer()
        try:
            for name in names:
                w.add_field(name, schema[name])
        except BaseException:
            w.cancel()
            raise
        w.commit()
        self._ix = index.open_dir(self.path)
        logger.info("search index %s: added fields %s", self.path, ", ".join(names))

    # -- writing -------------------------------------------------------------

    def _writer(self):
        try:
            if self.procs > 1:
                return self._ix.writer(
                    procs=self.procs,
                    multisegment=True,
                    timeout=self.lock_timeout,
                    delay=0.05,
                )
            return self._ix.writer(timeout=self.lock_timeout, delay=0.05)
        except LockError as exc:
            raise IndexBusy(
                f"index {self.path} is locked by another writer "
                f"(waited {self.lock_timeout:g} s)"
            ) from exc

    def _write(self, work, **commit_args) -> int:
        w = self._writer()
        try:
            n = work(w)
        except BaseException:
            w.cancel()
            raise
        try:
            w.commit(**commit_args)
        except Exception as exc:
            raise SearchError(f"commit failed: {exc}") from exc
        return n

    def upsert(
        self,
        docs: Iterable[IndexDocument | Mapping[str, Any]],
        *,
        skip_unchanged: bool = False,
    ) -> int:
        # Convert first: a bad document fails before the lock is taken.
        prepared = [to_fields(as_document(d)) for d in docs]
        prepared = list({f["id"]: f for f in prepared}.values())  # last one wins
        if skip_unchanged:
            # A commit costs tens of ms (segment flush and merge); an entry that is
            # already there with this version needs neither the lock nor a commit.
            prepared = self._changed(prepared)
        if not prepared:
            return 0

        def work(w) -> int:
            # An empty index (first load, rebuild) has nothing to replace: adding
            # skips a delete lookup per document.
            add = w.add_document if w.reader().doc_count_all() == 0 else None
            for values in prepared:
                (add or w.update_document)(**values)
            return len(prepared)

        n = self._write(work)
        logger.info("search index %s: upserted %d documents", self.path, n)
        return n

    def _changed(self, prepared: list[dict[str, Any]]) -> list[dict[str, Any]]:
        searcher = self._searcher()
        changed = []
        for values in prepared:
            stored = searcher.document(id=values["id"])
            if stored is None or stored.get("version") != values["version"]:
                changed.append(values)
        return changed

    def delete(self, ids: Iterable[str]) -> int:
        ids = list(ids)
        if not ids:
            return 0
        n = self._write(lambda w: sum(w.delete_by_term("id", i) for i in ids))
        logger.info("search index %s: deleted %d documents", self.path, n)
        return n

    def clear(self) -> None:
        self._write(lambda w: 0, mergetype=writing.CLEAR)

    def optimize(self) -> None:
        """Merge all segments into one (faster queries after a bulk load)."""
        self._write(lambda w: 0, optimize=True)

    # -- reading -------------------------------------------------------------

    def _searcher(self):
        # Not Searcher.refresh(): with reuse, Whoosh 2.7 resurrects dropped segments.
        s = getattr(self._local, "searcher", None)
        if s is None or not s.up_to_date():
            if s is not None:
                s.close()
            s = self._local.searcher = self._ix.searcher()
        return s

    def count(self) -> int:
        return self._searcher().doc_count()

    def ids_with_versions(self) -> dict[str, str]:
        return {f["id"]: f["version"] for f in self._searcher().all_stored_fields()}

    def search(self, query: SearchQuery) -> SearchResults:
        if query.page < 1 or not 1 <= query.per_page <= 200:
            raise QueryError("page must be >= 1 and per_page within 1..200")
        if query.viewer is None and not query.unrestricted:
            raise QueryError("a search needs a viewer (or unrestricted=True)")
        for name in query.facets:
            if name not in FILTER_FIELDS:
                raise QueryError(f"no facet {name!r}")
        parsed = parse(query.text)
        words = len(parsed.words)
        loose = words > MAX_REQUIRED_WORDS
        results = self._run(query, parsed, loose=loose)
        if results.total == 0 and words >= 3 and not loose:
            # Nothing has every word: fall back to ranking by the words present.
            results = self._run(query, parsed, loose=True)
        return results

    def _run(
        self, q: SearchQuery, parsed: ParsedQuery, *, loose: bool
    ) -> SearchResults:
        clauses: list[wq.Query] = []
        main = text_query(parsed, loose=loose)
        if main is not None:
            clauses.append(main)
        if q.viewer is not None:
            # Inside the query (not a post-filter), so counts never include hidden docs.
            clauses.append(wq.ConstantScoreQuery(permission_query(q.viewer), 0.0))
        clauses += _filter_query(q)
        if not clauses:
            clauses.append(wq.Every())
        wquery = clauses[0] if len(clauses) == 1 else wq.And(clauses)

        sortedby = None
        if q.sort in ("date", "date_asc") or main is None:
            sortedby = sorting.FieldFacet("issued", reverse=q.sort != "date_asc")
        elif q.sort != "relevance":
            raise QueryError(f"unknown sort {q.sort!r}")
        groupedby = {
            name: sorting.FieldFacet(name, maptype=sorting.Count) for name in q.facets
        }
        searcher = self._searcher()
        try:
            page = searcher.search_page(
                wquery,
                q.page,
                pagelen=q.per_page,
                sortedby=sortedby,
                groupedby=groupedby or None,
            )
        except ValueError as exc:  # page past the end
            raise QueryError(str(exc)) from exc
        except Exception as exc:
            raise SearchError(f"search failed: {exc}") from exc
        marked = parsed.words + [w for phrase in parsed.phrases for w in phrase]
        hits = []
        by_relevance = sortedby is None
        for hit in page:
            snippet = ""
            if q.snippets:
                snippet = snippets.snippet(hit.get("body", ""), marked)
            hits.append(
                SearchHit(
                    id=hit["id"],
                    score=float(hit.score or 0.0) if by_relevance else 0.0,
                    subject=hit.get("subject", ""),
                    number=hit.get("number_display", ""),
                    issuer=hit.get("issuer", ""),
                    doc_type=hit.get("doc_type", ""),
                    issued_date=_int_date(hit.get("issued")),
                    status=hit.get("status", ""),
                    snippet=snippet,
                    kind=hit.get("kind", ""),
                )
            )
        facets = {}
        for name in q.facets:
            counts = page.results.groups(name)
            ordered = sorted(
                ((k, v) for k, v in counts.items() if k not in ("", None)),
                key=lambda kv: (-kv[1], kv[0]),
            )
            facets[name] = ordered[:MAX_FACET_VALUES]
        return SearchResults(
            total=page.total,
            page=page.pagenum,
            per_page=q.per_page,
            hits=hits,
            facets=facets,
        )
