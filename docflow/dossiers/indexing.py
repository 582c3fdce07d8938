"""How a dossier becomes a search entry, and who may find it.

The entry holds the title, the number and notation (and FileCode), the heading, the
notes (as the entry's text, shown in snippets) and the numbers and subjects of the
documents inside. Access derives from ``access.visible_clause``: the agency
(records officers and leaders search it whole), the keeper in ``user_ids``, the
dossier's department in ``department_ids`` (its head's viewer carries it).

The documents inside keep their own rules, and the dossier page shows a viewer only the
ones they may see. So the subject of a document goes into the dossier's entry only when
*every* user who may see the dossier may also see that document; otherwise a search
for its words would reveal, through the dossier, a document the searcher cannot open.
When a document's rules change (a new assignment), the dossiers holding it are
re-indexed by the document's index job; ``docflow search check`` finds the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from sqlalchemy import select

from search.index import IndexDocument

from ..auth.models import User
from ..documents.indexing import entry_version
from ..extensions import db
from .access import can_view
from .kinds import get_kind
from .models import Dossier

KIND = "dossier"
PREFIX = "d"  #: entry ids are "d<id>"


def entry_id(dossier_id: int) -> str:
    return f"{PREFIX}{dossier_id}"


def dossier_viewers(
    dossier: Dossier, agency_users: dict[int, list[User]] | None = None
) -> list[User]:
    """Every user who may see ``dossier`` (``access.can_view`` over the agency's users).

    ``agency_users`` caches the users per agency across calls (batches).
    """
    cache = agency_users if agency_users is not None else {}
    if dossier.agency_id not in cache:
        cache[dossier.agency_id] = list(
            db.session.scalars(select(User).where(User.agency_id == dossier.agency_id))
        )
    return [u for u in cache[dossier.agency_id] if can_view(u, dossier)]


def _batch_rules(kind: str) -> tuple[Any, Callable[[User], Any]] | None:
    """(model, ``visible_clause``) of the kinds whose ``can_view`` is that clause.

    Lets one query per viewer answer for all the dossier's documents of the kind
    instead of one ``can_view`` per document and viewer (bench/search_dossiers.py).
    """
    if kind == "incoming":
        from ..documents.access import visible_clause
        from ..documents.models import IncomingDocument

        return IncomingDocument, visible_clause
    if kind == "outgoing":
        from ..outgoing.access import visible_clause
        from ..outgoing.models import OutgoingDocument

        return OutgoingDocument, visible_clause
    return None


def _shared_docs(kind: str, ids: list[int], viewers: list[User]) -> list[Any]:
    """The documents of ``kind`` among ``ids`` that every one of ``viewers`` may see."""
    handler = get_kind(kind)
    if handler is None:
        return []
    rules = _batch_rules(kind)
    if rules is None:
        docs = [d for d in (handler.load(i) for i in ids) if d is not None]
        return [d for d in docs if all(handler.can_view(u, d) for u in viewers)]
    model, visible_clause = rules
    wanted = set(ids)
    for user in viewers:
        if not wanted:
            break
        wanted &= set(
            db.session.scalars(
                select(model.id).where(model.id.in_(wanted), visible_clause(user))
            )
        )
    if not wanted:
        return []
    return list(db.session.scalars(select(model).where(model.id.in_(wanted))))


def shared_titles(dossier: Dossier, viewers: list[User]) -> list[str]:
    """Number and subject of each document every one of ``viewers`` may see."""
    by_kind: dict[str, list[int]] = {}
    for item in dossier.items:
        by_kind.setdefault(item.kind, []).append(item.document_id)
    infos = []
    for kind, ids in by_kind.items():
        handler = get_kind(kind)
        for doc in _shared_docs(kind, ids, viewers):
            if doc.agency_id == dossier.agency_id:
                infos.append(handler.describe(doc))
    infos.sort(key=lambda i: (i.date or date.min, i.kind, i.id))
    return [" ".join(p for p in (i.number_notation, i.subject) if p) for i in infos]


def to_index_document(
    dossier: Dossier, agency_users: dict[int, list[User]] | None = None
) -> IndexDocument:
    """The search entry of ``dossier``."""
    viewers = dossier_viewers(dossier, agency_users)
    fields = {
        "id": entry_id(dossier.id),
        "kind": KIND,
        "agency_id": str(dossier.agency_id),
        "subject": dossier.title or "",
        "content": dossier.description or "",
        "number": dossier.notation or "",
        "issuer": "",
        "doc_type": "",
        "signer": "",
        "issued_date": dossier.start_date,
        "status": dossier.status.value,
        "confidentiality": "",
        "extra_text": "\n".join(
            [dossier.file_code, dossier.section or "", *shared_titles(dossier, viewers)]
        ),
        "department_ids": ()
        if dossier.department_id is None
        else (str(dossier.department_id),),
        "user_ids": (str(dossier.creator_id),),
        "public_in_agency": False,
    }
    return IndexDocument(
        version=entry_version(fields), updated_at=dossier.updated_at, **fields
    )
