"""What people do with dossiers. The only module here that commits.

Every change checks the rules (agency, role, status), writes an audit entry in the same
transaction, then commits.
"""

from __future__ import annotations

import calendar
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..audit.services import record
from ..auth.models import Role, User
from ..extensions import db
from ..timeutil import to_local, utcnow
from . import access
from .kinds import DocumentInfo, get_kind
from .models import Dossier, DossierCatalog, DossierItem, DossierStatus

logger = logging.getLogger(__name__)

#: Số và ký hiệu hồ sơ: letters and digits in groups joined by "." or "-", e.g. "05.TH", "01.TCCB".
NOTATION_RE = re.compile(r"^[^\W_]+(?:[.\-][^\W_]+)*$")
#: NĐ 30/2020 Art. 31.3.c: only dossiers kept 5 years or more must go to the archive.
MIN_RETENTION_FOR_ARCHIVE = 5
#: NĐ 30/2020 Art. 30.2.b: other dossiers within 1 year from the day the work ended.
ARCHIVE_AFTER_YEARS = 1
#: NĐ 30/2020 Art. 30.2.a: basic-construction dossiers within 3 months from the settlement.
CONSTRUCTION_ARCHIVE_AFTER_MONTHS = 3
#: Art. 31: a dossier may be kept back past its deadline, with approval, at most 2 years.
MAX_HOLD_YEARS = 2
#: PL VI §III: notify 30 days before a dossier is due for the archive.
REMIND_DAYS_BEFORE = 30

_UNCHANGED: Any = object()


class ActionRefused(Exception):
    """The action is not allowed now; ``message`` is a gettext msgid, ``params`` its values."""

    def __init__(self, message: str, **params: Any) -> None:
        super().__init__(message % params if params else message)
        self.message, self.params = message, params


def _require(condition: bool, message: str, **params: Any) -> None:
    if not condition:
        raise ActionRefused(message, **params)


def _require_manager(actor: User, dossier: Dossier) -> None:
    _require(
        access.is_manager(actor, dossier),
        "Only the dossier's keeper, their department head or a "
        "records officer can change the dossier.",
    )


def _audit(action: str, dossier: Dossier, actor: User | None, **details: Any) -> None:
    record(action, actor=actor, agency_id=dossier.agency_id, obj=dossier, **details)


def today() -> date:
    """Today in Vietnam."""
    return to_local(utcnow()).date()


# ------------------------------------------------------------------ archive due date
def add_months(day: date, months: int) -> date:
    """``day`` plus whole months; the 31st becomes the month's last day when needed."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def compute_archive_due(
    end_date: date | None,
    retention_years: int | None,
    *,
    is_construction: bool = False,
    settled_date: date | None = None,
) -> date | None:
    """The transfer-to-archive deadline (hạn nộp lưu) of NĐ 30/2020 Art. 30.2 and 31.3.c.

    - Retention under 5 years: not transferred (Art. 31.3.c), no deadline.
    - Basic-construction dossiers: 3 months from the settlement of the project (Art. 30.2.a);
      unknown until the settlement date is recorded.
    - Other dossiers: 1 year from the day the work ended (Art. 30.2.b).
    ``retention_years`` None means permanent.
    """
    if retention_years is not None and retention_years < MIN_RETENTION_FOR_ARCHIVE:
        return None
    if is_construction:
        return (
            add_months(settled_date, CONSTRUCTION_ARCHIVE_AFTER_MONTHS)
            if settled_date
            else None
        )
    if end_date is None:
        return None
    return add_months(end_date, 12 * ARCHIVE_AFTER_YEARS)


def archive_due_for(dossier: Dossier) -> date | None:
    if dossier.status == DossierStatus.OPEN:
        return None
    return compute_archive_due(
        dossier.end_date,
        dossier.retention_years,
        is_construction=dossier.is_construction,
        settled_date=dossier.settled_date,
    )


# ------------------------------------------------------------------ dossier list and dossiers
def catalog_for(agency_id: int, year: int) -> DossierCatalog:
    """The agency's dossier list of ``year``, created on first use."""
    catalog = db.session.scalar(
        select(DossierCatalog).where(
            DossierCatalog.agency_id == agency_id, DossierCatalog.year == year
        )
    )
    if catalog is None:
        catalog = DossierCatalog(
            agency_id=agency_id, year=year, title=f"Danh mục hồ sơ năm {year}"
        )
        db.session.add(catalog)
        db.session.flush()
    return catalog


def _nfc(value: Any) -> Any:
    return (
        unicodedata.normalize("NFC", value).strip() if isinstance(value, str) else value
    )


def create_dossier(
    actor: User,
    *,
    notation: str,
    title: str,
    year: int | None = None,
    retention_years: int | None = None,
    rights: str = "Công khai",
    section: str = "",
    language: str = "Tiếng Việt",
    description: str = "",
    department_id: int | None = None,
    start_date: date | None = None,
    is_construction: bool = False,
) -> Dossier:
    """Open a dossier (mở hồ sơ, Art. 29.2) in the agency's list of ``year``; ``actor`` keeps it."""
    _require(access.can_create(actor), "Your role does not keep dossiers.")
    notation, title = _nfc(notation or ""), _nfc(title or "")
    _require(
        bool(NOTATION_RE.match(notation)) and len(notation) <= 20,
        "The dossier number must be letters and digits joined by dots or dashes, e.g. 05.TH.",
    )
    _require(bool(title), "The dossier title is required.")
    _require(
        retention_years is None or 1 <= retention_years <= 100,
        "The retention period is not valid.",
    )
    start = start_date or today()
    year = year or start.year
    _require(2000 <= year <= today().year + 1, "The year is not valid.")
    if department_id is not None:
        from ..agencies.models import Department

        dept = db.session.get(Department, department_id)
        _require(
            dept is not None and dept.agency_id == actor.agency_id,
            "Choose a department of your agency.",
        )
    elif actor.department_id is not None:
        department_id = actor.department_id
    taken = db.session.scalar(
        select(Dossier.id).where(
            Dossier.agency_id == actor.agency_id,
            Dossier.year == year,
            Dossier.notation == notation,
        )
    )
    _require(
        taken is None,
        "The dossier number %(notation)s is already used in %(year)d.",
        notation=notation,
        year=year,
    )
    dossier = Dossier(
        agency_id=actor.agency_id,
        catalog_id=catalog_for(actor.agency_id, year).id,
        year=year,
        notation=notation,
        title=title[:500],
        retention_years=retention_years,
        rights=_nfc(rights)[:30] or "Công khai",
        section=_nfc(section or "")[:200],
        language=_nfc(language)[:50] or "Tiếng Việt",
        description=_nfc(description or "")[:500],
        creator_id=actor.id,
        department_id=department_id,
        start_date=start,
        is_construction=is_construction,
    )
    db.session.add(dossier)
    try:
        db.session.flush()
    except IntegrityError:  # a concurrent request took the number
        db.session.rollback()
        raise ActionRefused(
            "The dossier number %(notation)s is already used in %(year)d.",
            notation=notation,
            year=year,
        ) from None
    _audit(
        "dossier.create",
        dossier,
        actor,
        notation=notation,
        year=year,
        retention=retention_years,
    )
    db.session.commit()
    logger.info("dossier %s (%s/%s) opened by %s", dossier.id, year, notation, actor.id)
    return dossier


def add_document(
    actor: User, dossier: Dossier, kind: str, document_id: int
) -> DossierItem:
    """Put a document the actor can see into an open dossier (a reference, never a copy)."""
    _require_manager(actor, dossier)
    _require(
        dossier.status == DossierStatus.OPEN,
        "The dossier is closed: documents cannot be added.",
    )
    handler = get_kind(kind)
    doc = handler.load(document_id) if handler else None
    # A document the actor may not see is refused as if it did not exist.
    _require(
        doc is not None
        and handler.can_view(actor, doc)
        and handler.describe(doc).agency_id == dossier.agency_id,
        "Document not found.",
    )
    present = db.session.scalar(
        select(DossierItem.id).where(
            DossierItem.dossier_id == dossier.id,
            DossierItem.kind == kind,
            DossierItem.document_id == document_id,
        )
    )
    _require(present is None, "The document is already in this dossier.")
    item = DossierItem(
        dossier_id=dossier.id, kind=kind, document_id=document_id, added_by_id=actor.id
    )
    db.session.add(item)
    try:
        db.session.flush()
    except IntegrityError:  # added by a concurrent request
        db.session.rollback()
        raise ActionRefused("The document is already in this dossier.") from None
    _audit("dossier.add_document", dossier, actor, kind=kind, document=document_id)
    db.session.commit()
    return item


def remove_document(actor: User, dossier: Dossier, item: DossierItem) -> None:
    """Take a document out of an open dossier (removing duplicates and drafts, Art. 29.4.b)."""
    _require(item.dossier_id == dossier.id, "Document not found.")
    _require_manager(actor, dossier)
    _require(
        dossier.status == DossierStatus.OPEN,
        "The dossier is closed: documents cannot be removed.",
    )
    kind, document_id = item.kind, item.document_id
    db.session.delete(item)
    _audit("dossier.remove_document", dossier, actor, kind=kind, document=document_id)
    db.session.commit()


def close(
    actor: User,
    dossier: Dossier,
    *,
    end_date: date | None = None,
    retention_years: Any = _UNCHANGED,
    settled_date: date | None = None,
) -> Dossier:
    """End the dossier (kết thúc hồ sơ, Art. 29.4): no more changes; the archive deadline is set."""
    _require(
        access.is_manager(actor, dossier),
        "Only the dossier's keeper, their department head or a "
        "records officer can close the dossier.",
    )
    _require(dossier.status == DossierStatus.OPEN, "The dossier is already closed.")
    end = end_date or today()
    _require(
        dossier.start_date <= end <= today(),
        "The end date must be between the start date and today.",
    )
    if (
        retention_years is not _UNCHANGED
    ):  # Art. 29.4.b: the retention is reviewed when closing
        _require(
            retention_years is None or 1 <= retention_years <= 100,
            "The retention period is not valid.",
        )
        dossier.retention_years = retention_years
    if settled_date is not None:
        _require(
            dossier.is_construction,
            "Only basic-construction dossiers have a settlement date.",
        )
        dossier.settled_date = settled_date
    dossier.status, dossier.end_date = DossierStatus.CLOSED, end
    dossier.closed_at, dossier.closed_by_id = utcnow(), actor.id
    dossier.archive_due = archive_due_for(dossier)
    dossier.held_until = dossier.hold_approval = None
    _audit(
        "dossier.close",
        dossier,
        actor,
        end_date=end.isoformat(),
        retention=dossier.retention_years,
        archive_due=dossier.archive_due.isoformat() if dossier.archive_due else None,
    )
    db.session.commit()
    logger.info(
        "dossier %s closed by %s, archive due %s",
        dossier.id,
        actor.id,
        dossier.archive_due,
    )
    return dossier


def reopen(actor: User, dossier: Dossier, reason: str = "") -> Dossier:
    """A records officer reopens a closed dossier (e.g. a document was forgotten)."""
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == dossier.agency_id,
        "Only the agency's records officers reopen dossiers.",
    )
    _require(
        dossier.status == DossierStatus.CLOSED,
        "Only closed dossiers that are not archived can be reopened.",
    )
    dossier.status = DossierStatus.OPEN
    dossier.end_date = dossier.closed_at = dossier.closed_by_id = (
        dossier.archive_due
    ) = None
    dossier.held_until = dossier.hold_approval = None
    _audit("dossier.reopen", dossier, actor, reason=_nfc(reason or "")[:500])
    db.session.commit()
    return dossier


#: What ``update`` may change; the year and notation make the file code and stay.
EDITABLE = ("title", "section", "description", "retention_years", "rights")


def update(actor: User, dossier: Dossier, **values: Any) -> list[str]:
    """Correct an open dossier's information (Art. 29.3: kept up to date while open).

    Only fields of :data:`EDITABLE` are accepted; returns the names of the fields that
    changed (audited with their old and new values). A closed dossier is reopened by a
    records officer first, so that nothing changes behind the archive deadline.
    """
    _require_manager(actor, dossier)
    _require(
        dossier.status == DossierStatus.OPEN,
        "Only open dossiers can be changed; a records officer reopens a closed one.",
    )
    unknown = set(values) - set(EDITABLE)
    if unknown:
        raise ValueError(f"not editable: {', '.join(sorted(unknown))}")
    values = {k: _nfc(v) for k, v in values.items()}
    if "title" in values:
        _require(
            bool(values["title"]) and len(values["title"]) <= 500,
            "The dossier title is required (at most 500 characters).",
        )
    if "retention_years" in values:
        years = values["retention_years"]
        _require(
            years is None or 1 <= years <= 100, "The retention period is not valid."
        )
    changes = {}
    for key, value in values.items():
        old = getattr(dossier, key)
        if value != old:
            changes[key] = {"old": old, "new": value}
            setattr(dossier, key, value)
    if changes:
        _audit("dossier.update", dossier, actor, changes=changes)
    db.session.commit()
    return sorted(changes)


def hold(actor: User, dossier: Dossier, until: date, approval: str) -> Dossier:
    """Keep a closed dossier back past its transfer deadline (Art. 31), with approval.

    ``approval`` names the written approval (số, ký hiệu, ngày of the decision). The new
    deadline must be later than the normal one and at most 2 years after it; the
    30-day reminder follows the new deadline. Only records officers record it.
    """
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == dossier.agency_id,
        "Only the agency's records officers record that a dossier is kept back.",
    )
    _require(
        dossier.status == DossierStatus.CLOSED,
        "Only closed dossiers that are not archived can be kept back.",
    )
    normal = archive_due_for(dossier)
    _require(
        normal is not None,
        "This dossier has no transfer deadline, so it cannot be kept back.",
    )
    approval = (_nfc(approval) or "")[:300]
    _require(
        bool(approval),
        "Give the written approval for keeping the dossier back (number, notation, date).",
    )
    latest = add_months(normal, 12 * MAX_HOLD_YEARS)
    _require(
        normal < until <= latest,
        "The new deadline must be after %(normal)s and at most 2 years later (%(latest)s).",
        normal=f"{normal:%d/%m/%Y}",
        latest=f"{latest:%d/%m/%Y}",
    )
    _require(until >= today(), "The new deadline cannot be in the past.")
    dossier.held_until = dossier.archive_due = until
    dossier.hold_approval = approval
    _audit(
        "dossier.hold",
        dossier,
        actor,
        until=until.isoformat(),
        normal_due=normal.isoformat(),
        approval=approval,
    )
    db.session.commit()
    return dossier


def mark_archived(actor: User, dossier: Dossier) -> Dossier:
    """A records officer records that the dossier was transferred to the agency's archive (nộp lưu)."""
    _require(
        actor.role == Role.RECORDS_OFFICER and actor.agency_id == dossier.agency_id,
        "Only the agency's records officers receive dossiers into the archive.",
    )
    _require(
        dossier.status == DossierStatus.CLOSED,
        "Only closed dossiers can be transferred to the archive.",
    )
    dossier.status, dossier.archived_at = DossierStatus.ARCHIVED, utcnow()
    _audit("dossier.archive", dossier, actor)
    db.session.commit()
    return dossier


# ------------------------------------------------------------------ reading
@dataclass
class ItemView:
    """A dossier item as one user sees it: ``info`` is None when they may not see the document."""

    item: DossierItem
    info: DocumentInfo | None
    content_ok: bool
    doc: Any = None


def item_views(user: User | None, dossier: Dossier) -> list[ItemView]:
    """The dossier's documents in chronological order (document date, then order added).

    ``user`` None means the system itself (CLI export): it sees metadata of every
    document but the content of no secret one.
    """
    views = []
    for item in dossier.items:
        handler = get_kind(item.kind)
        doc = handler.load(item.document_id) if handler else None
        if doc is None:
            views.append(ItemView(item, None, False))
            continue
        info = handler.describe(doc)
        if user is None:
            views.append(ItemView(item, info, not info.secret, doc))
        elif handler.can_view(user, doc):
            views.append(ItemView(item, info, handler.can_view_content(user, doc), doc))
        else:
            views.append(ItemView(item, None, False))
    views.sort(
        key=lambda v: (
            v.info is None,
            v.info.date or date.max if v.info else date.max,
            v.item.id,
        )
    )
    return views


def dossiers_holding(user: User, kind: str, document_id: int) -> list[Dossier]:
    """The dossiers ``user`` may see that hold the document."""
    query = (
        select(Dossier)
        .join(DossierItem)
        .where(
            DossierItem.kind == kind,
            DossierItem.document_id == document_id,
            access.visible_clause(user),
        )
        .order_by(Dossier.year.desc(), Dossier.notation)
    )
    return list(db.session.scalars(query))


def open_dossiers_for(user: User) -> list[Dossier]:
    """Open dossiers ``user`` may add documents to."""
    query = select(Dossier).where(
        access.visible_clause(user), Dossier.status == DossierStatus.OPEN
    )
    return [
        d
        for d in db.session.scalars(
            query.order_by(Dossier.year.desc(), Dossier.notation)
        )
        if access.is_manager(user, d)
    ]


def record_export(actor: User | None, dossier: Dossier, **details: Any) -> None:
    """Exports are recorded: they take documents out of the system."""
    _audit("dossier.export", dossier, actor, **details)
    db.session.commit()
