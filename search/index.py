"""The search interface: documents in, permission-filtered results out.

``docflow`` maps its records to :class:`IndexDocument` (in ``docflow/documents/
indexing.py``) and talks to a :class:`SearchIndex`; the Whoosh implementation lives in
``search/whoosh_index.py``. Nothing here imports Flask or docflow.
"""

from __future__ import annotations

import abc
import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Literal


class SearchError(Exception):
    """Any failure of the search backend (the only family callers need to catch)."""


class IndexBusy(SearchError):
    """Another writer held the index lock for longer than the lock timeout."""


class QueryError(SearchError):
    """The query cannot be run (no viewer, bad filter, bad page...)."""


def _check_token(kind: str, value: str) -> str:
    if not value or any(c.isspace() or c == "," for c in value):
        raise SearchError(
            f"{kind} {value!r} must be non-empty, without spaces or commas"
        )
    return value


@dataclasses.dataclass(frozen=True)
class IndexDocument:
    """One search entry. Text is NFC-normalised by the index; ids are opaque strings.

    Access: a viewer of the same agency sees the document if ``public_in_agency`` is
    true, or one of their departments is in ``department_ids``, or their user id is in
    ``user_ids`` (or they have the agency-wide right). Other agencies never see it.
    """

    id: str  #: stable document id (unique key of the index)
    version: str  #: revision or updated stamp, compared by drift checks
    agency_id: str  #: owning agency: the permission boundary
    subject: str = ""  #: trích yếu
    content: str = ""  #: extracted full text
    number: str = ""  #: số/ký hiệu, e.g. "15/QĐ-UBND"
    issuer: str = ""  #: issuing body, e.g. "UBND tỉnh Hà Nam" (facet)
    doc_type: str = ""  #: e.g. "Quyết định" (facet)
    signer: str = ""  #: người ký
    issued_date: dt.date | None = None  #: ngày ban hành (sort key, year facet)
    updated_at: dt.datetime | None = None  #: last change
    status: str = ""  #: workflow status (facet)
    confidentiality: str = ""  #: độ mật: "", "mat", "toi_mat", ...
    department_ids: Sequence[str] = ()  #: departments allowed to see it
    user_ids: Sequence[str] = ()  #: users allowed to see it
    public_in_agency: bool = False  #: visible to everyone in the agency
    #: What the entry is, in the application's own words (e.g. "incoming", "dossier"):
    #: a filter and facet, returned with each hit.
    kind: str = ""
    #: More metadata searched like the subject but never shown in snippets (e.g. the
    #: recipients of a letter, the titles of the documents in a folder).
    extra_text: str = ""

    def __post_init__(self) -> None:
        _check_token("id", self.id)
        _check_token("agency_id", self.agency_id)
        for d in self.department_ids:
            _check_token("department id", d)
        for u in self.user_ids:
            _check_token("user id", u)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> IndexDocument:
        """Build from a plain dict with the same keys (unknown keys are an error)."""
        return cls(**data)


@dataclasses.dataclass(frozen=True)
class Viewer:
    """Who is searching. ``all_in_agency`` is for roles that see the whole agency."""

    agency_id: str
    user_id: str
    department_ids: Sequence[str] = ()
    all_in_agency: bool = False


#: Facets computed by default: field name → label used in results.
FACETS = ("doc_type", "issuer", "year", "status")


@dataclasses.dataclass(frozen=True)
class SearchQuery:
    """A user search. ``text`` is what the user typed (diacritics optional, "quoted
    phrases" and notations like 15/QĐ-UBND accepted); empty text lists everything
    the viewer may see.

    ``viewer`` is required; ``unrestricted=True`` (no viewer) is for system jobs only.
    ``filters`` narrows by facet values, e.g.
    ``{"doc_type": ["Quyết định"], "year": [2024]}`` (values of one field are OR-ed,
    fields are AND-ed).
    """

    text: str = ""
    viewer: Viewer | None = None
    unrestricted: bool = False
    filters: Mapping[str, Sequence[str | int]] = dataclasses.field(default_factory=dict)
    issued_from: dt.date | None = None
    issued_to: dt.date | None = None
    sort: Literal["relevance", "date", "date_asc"] = "relevance"
    page: int = 1  #: 1-based
    per_page: int = 20
    facets: Sequence[str] = FACETS
    snippets: bool = True


@dataclasses.dataclass(frozen=True)
class SearchHit:
    id: str
    score: float
    subject: str
    number: str
    issuer: str
    doc_type: str
    issued_date: dt.date | None
    status: str
    snippet: str  #: HTML: escaped text with <mark>…</mark> around matches ("" if none)
    kind: str = ""  #: IndexDocument.kind


@dataclasses.dataclass(frozen=True)
class SearchResults:
    total: int  #: matches the viewer may see (never counts hidden documents)
    page: int
    per_page: int
    hits: list[SearchHit]
    facets: dict[str, list[tuple[str, int]]]  #: field → [(value, count)], by count

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


class SearchIndex(abc.ABC):
    """A full-text index of documents with permission-aware search.

    Contract every implementation keeps (tested in ``tests/search/``):

    - ``upsert`` replaces entries with the same id; text is NFC-normalised; accents,
      case and đ/d are folded for matching, typed diacritics rank exact matches first,
      adjacent syllables (words, phrases) rank above scattered syllables.
    - Permission filtering happens inside the query, so ``total``, facet counts and
      paging only ever reflect documents the viewer may see.
    - One writer at a time: a writer waits up to the lock timeout, then raises
      :class:`IndexBusy`. Reading never blocks on writers.
    - Backend errors surface as :class:`SearchError` subclasses.
    """

    @abc.abstractmethod
    def upsert(
        self,
        docs: Iterable[IndexDocument | Mapping[str, Any]],
        *,
        skip_unchanged: bool = False,
    ) -> int:
        """Add or replace documents; return how many were written.

        ``skip_unchanged``: leave out documents whose entry already has the same
        ``version`` (no write at all when none changed). Only for callers whose
        version covers everything they index.
        """

    @abc.abstractmethod
    def delete(self, ids: Iterable[str]) -> int:
        """Remove documents by id; return how many existed."""

    @abc.abstractmethod
    def search(self, query: SearchQuery) -> SearchResults:
        """Run a search for ``query.viewer`` (raises :class:`QueryError`)."""

    @abc.abstractmethod
    def count(self) -> int:
        """Number of documents in the index."""

    @abc.abstractmethod
    def ids_with_versions(self) -> dict[str, str]:
        """Every indexed id with its version, to find drift against the database."""

    @abc.abstractmethod
    def clear(self) -> None:
        """Remove every document (and recreate the schema)."""


def as_document(doc: IndexDocument | Mapping[str, Any]) -> IndexDocument:
    """Accept an :class:`IndexDocument` or a plain dict of its fields."""
    if isinstance(doc, IndexDocument):
        return doc
    try:
        return IndexDocument.from_mapping(doc)
    except TypeError as exc:
        raise SearchError(f"bad index document: {exc}") from exc
