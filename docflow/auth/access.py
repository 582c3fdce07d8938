"""Who may see what. Every view calls one of these before touching data.

Objects of another agency answer 404, not 403: a user never learns that they exist.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar

from flask import abort
from flask_login import current_user, login_required

from ..agencies.models import Agency
from ..extensions import db
from .models import Role

F = TypeVar("F", bound=Callable[..., Any])


def roles_required(*roles: Role, superadmin_ok: bool = True) -> Callable[[F], F]:
    """Allow the view only to signed-in users holding one of ``roles``."""

    def decorator(view: F) -> F:
        @wraps(view)
        @login_required
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            if not (
                current_user.role in roles
                or (superadmin_ok and current_user.is_superadmin)
            ):
                abort(403)
            return view(*args, **kwargs)

        return wrapped  # type: ignore[return-value]

    return decorator


def can_manage_agency(agency_id: int) -> bool:
    if current_user.is_superadmin:
        return True
    return current_user.role == Role.ADMIN and current_user.agency_id == agency_id


def managed_agency_or_404(agency_id: int) -> Agency:
    """The agency, if the current user administers it; otherwise 404."""
    agency = db.session.get(Agency, agency_id)
    if agency is None or not can_manage_agency(agency.id):
        abort(404)
    return agency
