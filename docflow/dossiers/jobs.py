"""Background jobs of dossiers. They take ids (or nothing) and are safe to run twice."""

from __future__ import annotations

import logging
from datetime import date, timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..auth.models import Role, User
from ..extensions import db
from ..jobs import job
from .models import Dossier, DossierReminder, DossierStatus
from .services import REMIND_DAYS_BEFORE, today

logger = logging.getLogger(__name__)


def _recipients(dossier: Dossier) -> set[int]:
    """The keeper submits the dossier (Art. 30.3.b); records officers receive it for the archive."""
    ids = set(
        db.session.scalars(
            select(User.id).where(
                User.agency_id == dossier.agency_id,
                User.role == Role.RECORDS_OFFICER,
                User.active.is_(True),
            )
        )
    )
    if dossier.creator.active:
        ids.add(dossier.creator_id)
    return ids


@job("dossiers.remind_archive_due")
def remind_archive_due(day: str | None = None) -> int:
    """Daily: notify once, 30 days before (or later, if closed late), that a dossier is due for the archive.

    One reminder per dossier, user and due date (``dossier_reminder``): running twice, or
    every day, adds nothing; a new due date (reopened and closed again) reminds again.
    ``day`` (ISO date) replaces today, for tests and catching up.
    """
    from ..documents.models import Notification

    current = date.fromisoformat(day) if day else today()
    horizon = current + timedelta(days=REMIND_DAYS_BEFORE)
    dossiers = db.session.scalars(
        select(Dossier)
        .where(
            Dossier.status == DossierStatus.CLOSED,
            Dossier.archive_due.is_not(None),
            Dossier.archive_due <= horizon,
        )
        .order_by(Dossier.id)
    )
    sent = 0
    for dossier in dossiers:
        text = (
            f"Hồ sơ {dossier.notation} ({dossier.year}) «{dossier.title[:300]}»: "
            f"hạn nộp lưu {dossier.archive_due:%d/%m/%Y}"
        )
        for user_id in sorted(_recipients(dossier)):
            if (
                db.session.get(
                    DossierReminder, (dossier.id, user_id, dossier.archive_due)
                )
                is not None
            ):
                continue
            try:
                with db.session.begin_nested():
                    db.session.add(
                        DossierReminder(
                            dossier_id=dossier.id,
                            user_id=user_id,
                            due=dossier.archive_due,
                        )
                    )
                    # "due_soon" is a kind the home page already labels ("Sắp đến hạn").
                    db.session.add(
                        Notification(
                            user_id=user_id,
                            document_id=None,
                            kind="due_soon",
                            day=current,
                            text=text[:500],
                        )
                    )
            except IntegrityError:  # a concurrent run sent it
                continue
            sent += 1
    db.session.commit()
    if sent:
        logger.info("archive-due reminders sent: %d", sent)
    return sent
