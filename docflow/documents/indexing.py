"""How an incoming document becomes a search entry, and who may find it.

The index applies the same rule as ``access.py``, expressed in its own terms:

- The agency is the boundary: ``agency_id`` on the entry, the viewer's agency on the query.
- Records officers and leaders see the whole agency: they search with an
  ``all_in_agency`` viewer, so nothing about them is stored on the entries.
- Everybody else finds the documents assigned to them: ``user_ids`` holds the active
  assignees. Department heads also find what is assigned to their department or to its
  people: ``department_ids`` holds the assigned departments and the departments of the
  assigned people, and only a department head's viewer carries a department.
- ``public_in_agency`` is always false.
- Secret documents (Mật, Tối mật, Tuyệt mật): their content is NEVER indexed, only
  their metadata. The metadata follows the rules above, as on the document pages; the
  content stays behind ``can_view_content`` on the document page.

A user who moves to another department changes what a head may see without touching
the documents: ``docflow search check --repair`` finds such entries, because the
entry's version is a hash of everything written to it.
"""

from __future__ import annotations

import hashlib
import json

from search.index import IndexDocument, Viewer

from ..auth.models import Role, User
from .access import AGENCY_WIDE_ROLES
from .models import IncomingDocument

KIND = "incoming"  #: entry ids are the bare document ids


def viewer_for(user: User) -> Viewer:
    """The search viewer matching ``access.visible_clause`` for ``user``.

    The same viewer searches outgoing documents and dossiers: their rules have the same
    shape (agency-wide roles, the user's own id, a head's department), and their entries
    are written in these terms (``outgoing/indexing.py``, ``dossiers/indexing.py``).
    """
    departments: tuple[str, ...] = ()
    if user.role == Role.DEPARTMENT_HEAD and user.department_id is not None:
        departments = (str(user.department_id),)
    return Viewer(
        agency_id=str(user.agency_id),
        user_id=str(user.id),
        department_ids=departments,
        all_in_agency=user.role in AGENCY_WIDE_ROLES,
    )


def _permissions(doc: IncomingDocument) -> tuple[tuple[str, ...], tuple[str, ...]]:
    users: set[int] = set()
    departments: set[int] = set()
    for a in doc.assignments:
        if not a.active:
            continue
        if a.user_id is not None:
            users.add(a.user_id)
            if a.user is not None and a.user.department_id is not None:
                departments.add(
                    a.user.department_id
                )  # seen by the head of that person's department
        if a.department_id is not None:
            departments.add(a.department_id)
    return tuple(str(u) for u in sorted(users)), tuple(
        str(d) for d in sorted(departments)
    )


def to_index_document(doc: IncomingDocument, content: str = "") -> IndexDocument:
    """The search entry of ``doc``; ``content`` is its extracted text (dropped if secret)."""
    user_ids, department_ids = _permissions(doc)
    fields = {
        "id": str(doc.id),
        "kind": KIND,
        "agency_id": str(doc.agency_id),
        "subject": doc.subject or "",
        "content": "" if doc.is_secret else (content or ""),
        "number": doc.number_notation,
        "issuer": doc.issuer_name or "",
        "doc_type": doc.doc_type or "",
        "signer": doc.signer_name or "",
        "issued_date": doc.issued_date,
        "status": doc.status.value,
        "confidentiality": "" if not doc.is_secret else doc.secrecy.value,
        "department_ids": department_ids,
        "user_ids": user_ids,
        "public_in_agency": False,
    }
    return IndexDocument(
        version=entry_version(fields), updated_at=doc.updated_at, **fields
    )


def entry_version(fields: dict) -> str:
    """A hash of everything the entry holds: any change (metadata, text, access) shows as drift."""
    payload = json.dumps(
        fields, sort_keys=True, default=str, ensure_ascii=False
    ).encode()
    return hashlib.sha256(payload).hexdigest()[:20]
