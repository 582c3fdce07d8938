"""What the index holds, kind by kind: incoming documents, issued outgoing documents,
dossiers. Each source says how its entry ids look, where a hit leads, and how to turn
its database rows into entries in batches (for ``reindex``, ``check`` and ``repair``).

Entry ids: incoming documents keep their bare ids ("42", as before outgoing documents
and dossiers were indexed), outgoing documents are "o42", dossiers "d42".
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from search.index import IndexDocument

from ..documents import indexing as incoming_indexing
from ..documents.models import Assignment, IncomingDocument
from ..dossiers import indexing as dossier_indexing
from ..dossiers.models import Dossier
from ..extensions import db
from ..i18n import N_
from ..outgoing import indexing as outgoing_indexing
from ..outgoing.models import OutgoingDocument
from .jobs import current_outgoing_text, current_text
from .models import DocumentText, OutgoingText


@dataclasses.dataclass(frozen=True)
class Source:
    kind: str  #: IndexDocument.kind, the ``kind`` filter of the search page
    prefix: str  #: entry id = prefix + database id
    label: str  #: msgid of the kind, shown on hits and in the filter
    endpoint: str  #: page of one entry, with ``arg`` = the database id
    arg: str
    model: Any
    #: Select options preloading what ``entries`` reads.
    options: Callable[[], list[Any]]
    #: Database rows -> the entries of those that belong in the index.
    entries: Callable[[list[Any]], list[IndexDocument]]
    #: Restricts the rows that have entries (None: every row).
    where: Callable[[], Any] | None = None

    def entry_id(self, db_id: int) -> str:
        return f"{self.prefix}{db_id}"

    def batches(self, batch_size: int = 200) -> Iterator[list[Any]]:
        """Every row with an entry, by id, in batches."""
        last = 0
        while True:
            query = select(self.model).where(self.model.id > last)
            if self.where is not None:
                query = query.where(self.where())
            rows = list(
                db.session.scalars(
                    query.order_by(self.model.id)
                    .limit(batch_size)
                    .options(*self.options())
                )
            )
            if not rows:
                return
            yield rows
            last = rows[-1].id

    def load(self, ids: list[int]) -> list[Any]:
        return list(
            db.session.scalars(
                select(self.model)
                .where(self.model.id.in_(ids))
                .options(*self.options())
            )
        )

    def count(self) -> int:
        query = select(func.count(self.model.id))
        if self.where is not None:
            query = query.where(self.where())
        return db.session.scalar(query) or 0


def _texts(model: Any, ids: list[int]) -> dict[int, Any]:
    # Plain rows, not entities: the texts do not stay in the session's identity map.
    rows = db.session.execute(
        select(model.document_id, model.source_sha256, model.text).where(
            model.document_id.in_(ids)
        )
    )
    return {r.document_id: r for r in rows}


def incoming_entries(docs: list[IncomingDocument]) -> list[IndexDocument]:
    texts = _texts(DocumentText, [d.id for d in docs])
    return [
        incoming_indexing.to_index_document(d, current_text(d, texts.get(d.id)))
        for d in docs
    ]


def outgoing_entries(docs: list[OutgoingDocument]) -> list[IndexDocument]:
    texts = _texts(OutgoingText, [d.id for d in docs])
    return [
        outgoing_indexing.to_index_document(
            d, current_outgoing_text(d, texts.get(d.id))
        )
        for d in docs
        if outgoing_indexing.is_indexed(d)
    ]


def dossier_entries(dossiers: list[Dossier]) -> list[IndexDocument]:
    cache: dict = {}
    return [dossier_indexing.to_index_document(d, cache) for d in dossiers]


INCOMING = Source(
    kind=incoming_indexing.KIND,
    prefix="",
    label=N_("Incoming document"),
    endpoint="incoming.show",
    arg="doc_id",
    model=IncomingDocument,
    options=lambda: [
        selectinload(IncomingDocument.assignments).selectinload(Assignment.user),
        selectinload(IncomingDocument.main_file),
    ],
    entries=incoming_entries,
)
OUTGOING = Source(
    kind=outgoing_indexing.KIND,
    prefix=outgoing_indexing.PREFIX,
    label=N_("Outgoing document"),
    endpoint="outgoing.show",
    arg="doc_id",
    model=OutgoingDocument,
    options=lambda: [
        selectinload(OutgoingDocument.reviews),
        selectinload(OutgoingDocument.recipients),
        selectinload(OutgoingDocument.issued_file),
        selectinload(OutgoingDocument.signer),
        selectinload(OutgoingDocument.agency),
    ],
    entries=outgoing_entries,
    where=lambda: OutgoingDocument.issued_at.is_not(None),
)
DOSSIER = Source(
    kind=dossier_indexing.KIND,
    prefix=dossier_indexing.PREFIX,
    label=N_("Dossier"),
    endpoint="dossiers.show",
    arg="dossier_id",
    model=Dossier,
    options=lambda: [selectinload(Dossier.items), selectinload(Dossier.agency)],
    entries=dossier_entries,
)

#: kind -> source, in the order of the search page's filter.
SOURCES: dict[str, Source] = {s.kind: s for s in (INCOMING, OUTGOING, DOSSIER)}


def parse_entry_id(entry_id: str) -> tuple[Source, int] | None:
    """The source and database id of an entry id (None if it matches no source)."""
    for source in SOURCES.values():
        rest = entry_id[len(source.prefix) :]
        if entry_id.startswith(source.prefix) and rest.isdigit():
            return source, int(rest)
    return None
