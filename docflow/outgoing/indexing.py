"""How an issued outgoing document becomes a search entry, and who may find it.

Only documents that were issued (numbered, sealed: ``issued_at`` set) are indexed: the
archive records officers search is what the agency issued. Drafts stay out on purpose:
they live in their own lists (mine, to review, to sign), their text changes with every
version (extracting each one would cost OCR time for a text nobody searches), and a
draft that never leaves the review chain has nothing to find later. A document that is
revoked or replaced after issue keeps its entry, with its new status.

The entry's access fields derive from ``access.visible_clause``, in the index's terms:

- ``agency_id``: the issuing agency (records officers and leaders search it whole
  with an ``all_in_agency`` viewer, see ``documents/indexing.viewer_for``);
- ``user_ids``: the drafter, the signer and every reviewer of the chain;
- ``department_ids``: the drafting unit, whose head's viewer carries it.

Secret documents: as on the incoming side, their content is never indexed, only their
metadata (which follows the rules above, as on the document page).
``tests/docflow/outgoing/test_search_outgoing.py`` checks that the index and
``access.can_view`` agree user by user.
"""

from __future__ import annotations

from search.index import IndexDocument

from ..documents.indexing import entry_version
from ..timeutil import to_local
from .models import OutgoingDocument

KIND = "outgoing"
REVOKED = "revoked"  #: entry status of a revoked document (not an OutgoingStatus)
PREFIX = "o"  #: entry ids are "o<id>" (incoming documents keep their bare ids)


def entry_id(document_id: int) -> str:
    return f"{PREFIX}{document_id}"


def is_indexed(doc: OutgoingDocument) -> bool:
    """True for documents that belong in the index (issued ones)."""
    return doc.issued_at is not None


def _permissions(doc: OutgoingDocument) -> tuple[tuple[str, ...], tuple[str, ...]]:
    users = {doc.drafted_by_id, doc.signer_id} | {r.reviewer_id for r in doc.reviews}
    users.discard(None)
    departments = () if doc.department_id is None else (str(doc.department_id),)
    return tuple(str(u) for u in sorted(users)), departments


def to_index_document(doc: OutgoingDocument, content: str = "") -> IndexDocument:
    """The search entry of an issued ``doc``; ``content`` is the issued PDF's text."""
    user_ids, department_ids = _permissions(doc)
    issued = to_local(doc.issued_at)
    fields = {
        "id": entry_id(doc.id),
        "kind": KIND,
        "agency_id": str(doc.agency_id),
        "subject": doc.subject or "",
        "content": "" if doc.is_secret else (content or ""),
        "number": doc.number_notation,
        "issuer": doc.agency.name if doc.agency else "",
        "doc_type": doc.doc_type or "",
        "signer": doc.published_signer_name,
        "issued_date": issued.date() if issued else None,
        "status": REVOKED if doc.is_revoked else doc.status.value,
        "confidentiality": "" if not doc.is_secret else doc.secrecy.value,
        # Nơi nhận, and the number of the document it replaces.
        "extra_text": "\n".join(
            [r.name for r in doc.recipients if r.name]
            + ([doc.replaces.number_notation] if doc.replaces else [])
        ),
        "department_ids": department_ids,
        "user_ids": user_ids,
        "public_in_agency": False,
    }
    return IndexDocument(
        version=entry_version(fields), updated_at=doc.updated_at, **fields
    )
