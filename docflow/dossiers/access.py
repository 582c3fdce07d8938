"""Who may see and change a dossier.

- Records officers and leaders see every dossier of their agency.
- Department heads see their department's dossiers; everybody sees the dossiers they keep.
- The keeper (creator), the head of the dossier's department and records officers add
  and remove documents and close the dossier; only records officers reopen it or record
  its transfer to the archive.
Nobody sees another agency's dossiers; such ids answer 404. The documents inside keep
their own rules (``kinds``): seeing a dossier does not open its documents.
"""

from __future__ import annotations

from flask import abort
from sqlalchemy import ColumnElement, and_, false, or_

from ..auth.models import Role, User
from ..extensions import db
from .models import Dossier

AGENCY_WIDE_ROLES = {Role.RECORDS_OFFICER, Role.LEADER}
#: Roles that keep dossiers (Art. 29: whoever handles the work opens its dossier).
KEEPER_ROLES = {
    Role.RECORDS_OFFICER,
    Role.LEADER,
    Role.DEPARTMENT_HEAD,
    Role.SPECIALIST,
}


def visible_clause(user: User) -> ColumnElement[bool]:
    """A WHERE clause selecting the dossiers ``user`` may see."""
    if not user.is_authenticated:
        return false()
    same_agency = Dossier.agency_id == user.agency_id
    if user.role in AGENCY_WIDE_ROLES:
        return same_agency
    mine = [Dossier.creator_id == user.id]
    if user.role == Role.DEPARTMENT_HEAD and user.department_id is not None:
        mine.append(Dossier.department_id == user.department_id)
    return and_(same_agency, or_(*mine))


def can_view(user: User, dossier: Dossier) -> bool:
    if not user.is_authenticated or user.agency_id != dossier.agency_id:
        return False
    return (
        user.role in AGENCY_WIDE_ROLES
        or dossier.creator_id == user.id
        or (
            user.role == Role.DEPARTMENT_HEAD
            and user.department_id is not None
            and dossier.department_id == user.department_id
        )
    )


def is_manager(user: User, dossier: Dossier) -> bool:
    """The keeper, the head of its department or a records officer of the agency."""
    if user.agency_id != dossier.agency_id:
        return False
    return (
        dossier.creator_id == user.id
        or user.role == Role.RECORDS_OFFICER
        or (
            user.role == Role.DEPARTMENT_HEAD
            and user.department_id is not None
            and dossier.department_id == user.department_id
        )
    )


def can_create(user: User) -> bool:
    return user.is_authenticated and user.role in KEEPER_ROLES


def visible_dossier_or_404(user: User, dossier_id: int) -> Dossier:
    dossier = db.session.get(Dossier, dossier_id)
    if dossier is None or not can_view(user, dossier):
        abort(404)
    return dossier
