"""The kinds of documents a dossier can hold, behind one small interface.

A dossier item is a reference (kind, document id). Each kind says how to load its
documents, who may see them and their content, and how to describe them with the
Phụ lục VI fields the dossier pages and the export need. Incoming documents are
registered here, and outgoing documents; another kind plugs in with ``register_kind``.
"""

from __future__ import annotations

import abc
from dataclasses import dataclass
from datetime import date
from typing import Any

from flask import url_for
from sqlalchemy import or_, select

from ..auth.models import User
from ..extensions import db
from ..files.models import StoredFile


@dataclass(frozen=True)
class DocumentInfo:
    """What a dossier shows and exports about one document (Phụ lục VI names in comments)."""

    kind: str
    id: int
    agency_id: int
    number: str  #: CodeNumber
    notation: str  #: CodeNotation
    date: date | None  #: IssuedDate (the date the order in the dossier follows)
    type_name: str  #: TypeName
    organ_name: str  #: OrganName (issuing agency)
    subject: str  #: Subject
    page_amount: int | None  #: PageAmount
    secret: bool
    main_file: StoredFile | None
    #: Endpoint and arguments of the document's page (built only inside a request).
    endpoint: str
    endpoint_args: dict[str, Any]

    @property
    def url(self) -> str:
        return url_for(self.endpoint, **self.endpoint_args)

    @property
    def number_notation(self) -> str:
        if self.number and self.notation:
            return f"{self.number}/{self.notation}"
        return self.number or self.notation


class DocumentKind(abc.ABC):
    """A kind of document (incoming, outgoing ...) that dossiers can reference.

    ``load`` returns the document or None; ``can_view`` and ``can_view_content`` apply the
    kind's own access rules (metadata, then files); ``describe`` maps the document to a
    ``DocumentInfo``; ``search`` lists documents ``user`` may see whose number, notation
    or subject contains ``text``.
    """

    #: gettext msgid of the kind, shown in lists.
    label: str = ""

    @abc.abstractmethod
    def load(self, document_id: int) -> Any | None: ...
    @abc.abstractmethod
    def can_view(self, user: User, doc: Any) -> bool: ...
    @abc.abstractmethod
    def can_view_content(self, user: User, doc: Any) -> bool: ...
    @abc.abstractmethod
    def describe(self, doc: Any) -> DocumentInfo: ...
    @abc.abstractmethod
    def search(self, user: User, text: str, limit: int = 20) -> list[Any]: ...


class IncomingKind(DocumentKind):
    label = "Incoming"

    def load(self, document_id: int) -> Any | None:
        from ..documents.models import IncomingDocument

        return db.session.get(IncomingDocument, document_id)

    def can_view(self, user: User, doc: Any) -> bool:
        from ..documents.access import can_view

        return can_view(user, doc)

    def can_view_content(self, user: User, doc: Any) -> bool:
        from ..documents.access import can_view_content

        return can_view_content(user, doc)

    def describe(self, doc: Any) -> DocumentInfo:
        return DocumentInfo(
            kind="incoming",
            id=doc.id,
            agency_id=doc.agency_id,
            number=doc.code_number or "",
            notation=doc.code_notation or "",
            date=doc.issued_date or (doc.arrival_date or doc.received_at).date(),
            type_name=doc.doc_type or "",
            organ_name=doc.issuer_name or "",
            subject=doc.subject or "",
            page_amount=doc.page_count,
            secret=doc.is_secret,
            main_file=doc.main_file,
            endpoint="incoming.show",
            endpoint_args={"doc_id": doc.id},
        )

    def search(self, user: User, text: str, limit: int = 20) -> list[Any]:
        from ..documents.access import visible_clause
        from ..documents.models import IncomingDocument, IncomingStatus

        query = select(IncomingDocument).where(
            visible_clause(user), IncomingDocument.status != IncomingStatus.RETURNED
        )
        text = text.strip()
        if text:
            number, _sep, notation = text.partition("/")
            pattern = f"%{text}%"
            conditions = [
                IncomingDocument.subject.ilike(pattern),
                IncomingDocument.code_notation.ilike(pattern),
            ]
            if notation:
                conditions.append(
                    (IncomingDocument.code_number == number.strip())
                    & IncomingDocument.code_notation.ilike(f"{notation.strip()}%")
                )
            else:
                conditions.append(IncomingDocument.code_number == text)
            if text.isdigit():
                conditions.append(IncomingDocument.arrival_number == int(text))
            query = query.where(or_(*conditions))
        query = query.order_by(IncomingDocument.received_at.desc()).limit(limit)
        return list(db.session.scalars(query))


class OutgoingKind(DocumentKind):
    """Outgoing documents (docflow.outgoing): drafts and issued documents alike (Art. 29.3)."""

    label = "Outgoing"

    def load(self, document_id: int) -> Any | None:
        from ..outgoing.models import OutgoingDocument

        return db.session.get(OutgoingDocument, document_id)

    def can_view(self, user: User, doc: Any) -> bool:
        from ..outgoing.access import can_view

        return can_view(user, doc)

    def can_view_content(self, user: User, doc: Any) -> bool:
        from ..outgoing.access import can_view_content

        return can_view_content(user, doc)

    def describe(self, doc: Any) -> DocumentInfo:
        from ..timeutil import to_local

        version = doc.current_version
        # The issued file (numbered and sealed), else the signed one, else the current draft.
        main = doc.issued_file or doc.signed_file or (version.file if version else None)
        return DocumentInfo(
            kind="outgoing",
            id=doc.id,
            agency_id=doc.agency_id,
            number=f"{doc.number:02d}" if doc.number is not None else "",
            notation=doc.notation or "",
            date=to_local(doc.issued_at or doc.created_at).date(),
            type_name=doc.doc_type or "",
            organ_name=doc.agency.name,
            subject=doc.subject or "",
            page_amount=None,
            secret=doc.is_secret,
            main_file=main,
            endpoint="outgoing.show",
            endpoint_args={"doc_id": doc.id},
        )

    def search(self, user: User, text: str, limit: int = 20) -> list[Any]:
        from ..outgoing.access import visible_clause
        from ..outgoing.models import OutgoingDocument

        query = select(OutgoingDocument).where(visible_clause(user))
        text = text.strip()
        if text:
            number, _sep, notation = text.partition("/")
            conditions = [
                OutgoingDocument.subject.ilike(f"%{text}%"),
                OutgoingDocument.notation.ilike(f"%{text}%"),
            ]
            if number.strip().isdigit():
                by_number = OutgoingDocument.number == int(number.strip())
                if notation:
                    by_number = by_number & OutgoingDocument.notation.ilike(
                        f"{notation.strip()}%"
                    )
                conditions.append(by_number)
            query = query.where(or_(*conditions))
        query = query.order_by(OutgoingDocument.created_at.desc()).limit(limit)
        return list(db.session.scalars(query))


#: kind name -> implementation. Names are stored in dossier_item.kind.
KINDS: dict[str, DocumentKind] = {
    "incoming": IncomingKind(),
    "outgoing": OutgoingKind(),
}


def register_kind(name: str, kind: DocumentKind) -> None:
    if len(name) > 16:
        raise ValueError("kind names are at most 16 characters (dossier_item.kind)")
    KINDS[name] = kind


def get_kind(name: str) -> DocumentKind | None:
    return KINDS.get(name)
