"""Who may open the reports, and over which part of the agency.

- Leaders and records officers: the whole agency (they see all its documents).
- Department heads: their own department only.
- Specialists and administrators: no report. A specialist's own figures are the
  counts of their inbox tabs (being processed, due soon, overdue, completed), so the
  report would add nothing but a second place to look; an administrator manages
  accounts, not documents.
"""

from __future__ import annotations

from ..auth.models import Role, User

AGENCY_ROLES = {Role.LEADER, Role.RECORDS_OFFICER}


def may_open(user: User) -> bool:
    if not user.is_authenticated:
        return False
    if user.role in AGENCY_ROLES:
        return True
    return user.role == Role.DEPARTMENT_HEAD and user.department_id is not None


def unit_of(user: User) -> int | None:
    """The department the user's reports are limited to; None for the whole agency."""
    return None if user.role in AGENCY_ROLES else user.department_id
