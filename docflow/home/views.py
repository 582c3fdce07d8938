"""Home: each role lands on its own work."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required
from sqlalchemy import func, select

from ..agencies.models import Agency, Department
from ..auth.models import Role, User
from ..extensions import db
from ..i18n import N_

bp = Blueprint("home", __name__)

#: What each role sees first. Later domains (documents, workflow) add their queues here.
ROLE_TEMPLATES = {
    Role.ADMIN: "home/admin.html",
    Role.RECORDS_OFFICER: "home/records_officer.html",
    Role.LEADER: "home/leader.html",
    Role.DEPARTMENT_HEAD: "home/department_head.html",
    Role.SPECIALIST: "home/specialist.html",
}


NOTIFICATION_LABELS = {
    "assigned": N_("New assignment"),
    "due_soon": N_("Due soon"),
    "overdue": N_("Overdue"),
}


@bp.route("/")
@login_required
def index():
    stats = {}
    if current_user.is_agency_admin:
        stats["users"] = db.session.scalar(
            select(func.count(User.id)).where(User.agency_id == current_user.agency_id)
        )
        stats["departments"] = db.session.scalar(
            select(func.count(Department.id)).where(
                Department.agency_id == current_user.agency_id
            )
        )
        if current_user.is_superadmin:
            from ..interchange.models import OutboxMessage

            stats["agencies"] = db.session.scalar(select(func.count(Agency.id)))
            stats["outbox_failed"] = db.session.scalar(
                select(func.count(OutboxMessage.id)).where(
                    OutboxMessage.state == "failed"
                )
            )
    from ..documents.models import Notification
    from ..documents.queries import counts as inbox_counts

    stats["inbox"] = inbox_counts(current_user)
    stats["outgoing"] = outgoing_counts(current_user)
    stats["notifications"] = db.session.scalars(
        select(Notification)
        .where(Notification.user_id == current_user.id, Notification.read.is_(False))
        .order_by(Notification.id.desc())
        .limit(10)
    ).all()
    template = ROLE_TEMPLATES[current_user.role]
    if current_user.is_superadmin:
        template = ROLE_TEMPLATES[Role.ADMIN]
    return render_template(
        template, stats=stats, NOTIFICATION_LABELS=NOTIFICATION_LABELS
    )


def outgoing_counts(user: User) -> dict[str, int]:
    """The outgoing queues of the home tiles; the same rules as the outgoing list tabs."""
    from ..outgoing.access import my_turn_clause, visible_clause
    from ..outgoing.models import OutgoingDocument, OutgoingStatus

    def count(*conditions: Any) -> int:
        query = select(func.count(OutgoingDocument.id)).where(
            visible_clause(user), *conditions
        )
        return db.session.scalar(query) or 0

    counts = {}
    if user.role == Role.LEADER:
        counts["to_sign"] = count(
            OutgoingDocument.status == OutgoingStatus.APPROVED,
            OutgoingDocument.signer_id == user.id,
        )
    if user.role == Role.RECORDS_OFFICER:
        counts["to_issue"] = count(OutgoingDocument.status == OutgoingStatus.SIGNED)
    if user.role in (Role.LEADER, Role.DEPARTMENT_HEAD):
        counts["to_review"] = count(
            OutgoingDocument.status == OutgoingStatus.IN_REVIEW, my_turn_clause(user)
        )
    return counts


@bp.route("/lang/<code>", methods=["POST"])
def set_language(code: str):
    if code in ("vi", "en"):
        session["lang"] = code
    target = request.form.get("next") or ""
    if not target.startswith("/") or target.startswith("//"):
        target = url_for("home.index")
    return redirect(target)


@bp.route("/healthz")
def healthz():
    db.session.execute(select(1))
    return {"status": "ok"}
