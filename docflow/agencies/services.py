"""Operations on agencies, departments and users. Each one records an audit entry."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select

from ..audit.services import record
from ..auth.models import Role, User
from ..auth.passwords import hash_password
from ..extensions import db
from .models import Agency, AgencyLevel, Department


class DuplicateError(ValueError):
    """A unique value (agency code, user name, department name) is already taken."""


def _changes(obj: Any, values: dict[str, Any]) -> dict[str, list[Any]]:
    changed = {}
    for key, value in values.items():
        old = getattr(obj, key)
        if old != value:
            changed[key] = [
                str(old) if old is not None else None,
                str(value) if value is not None else None,
            ]
            setattr(obj, key, value)
    return changed


def save_agency(
    agency: Agency | None, values: dict[str, Any], *, actor: User
) -> Agency:
    """Create (agency=None) or update an agency."""
    clash = db.session.scalar(select(Agency).where(Agency.code == values["code"]))
    if clash is not None and clash is not agency:
        raise DuplicateError("code")
    values["level"] = AgencyLevel(values["level"])
    if agency is None:
        agency = Agency(**values)
        db.session.add(agency)
        db.session.flush()
        record(
            "agency.create",
            actor=actor,
            agency_id=agency.id,
            obj=agency,
            code=agency.code,
            name=agency.name,
        )
    else:
        if values.get("parent_id") == agency.id:
            raise ValueError("an agency cannot be its own parent")
        changed = _changes(agency, values)
        if changed:
            record(
                "agency.update",
                actor=actor,
                agency_id=agency.id,
                obj=agency,
                changes=changed,
            )
    db.session.commit()
    return agency


def save_department(
    agency: Agency,
    department: Department | None,
    values: dict[str, Any],
    *,
    actor: User,
) -> Department:
    clash = db.session.scalar(
        select(Department).where(
            Department.agency_id == agency.id, Department.name == values["name"]
        )
    )
    if clash is not None and clash is not department:
        raise DuplicateError("name")
    if department is None:
        department = Department(agency_id=agency.id, **values)
        db.session.add(department)
        db.session.flush()
        record(
            "department.create",
            actor=actor,
            agency_id=agency.id,
            obj=department,
            name=department.name,
        )
    else:
        changed = _changes(department, values)
        if changed:
            record(
                "department.update",
                actor=actor,
                agency_id=agency.id,
                obj=department,
                changes=changed,
            )
    db.session.commit()
    return department


def save_user(
    agency: Agency,
    user: User | None,
    values: dict[str, Any],
    *,
    password: str | None,
    actor: User,
) -> User:
    name = values["username"]
    clash = db.session.scalar(select(User).where(func.lower(User.username) == name))
    if clash is not None and clash is not user:
        raise DuplicateError("username")
    values["role"] = Role(values["role"])
    if user is None:
        user = User(
            agency_id=agency.id, password_hash=hash_password(password or ""), **values
        )
        db.session.add(user)
        db.session.flush()
        record(
            "user.create",
            actor=actor,
            agency_id=agency.id,
            obj=user,
            username=user.username,
            role=user.role.value,
        )
    else:
        changed = _changes(user, values)
        if password:
            user.password_hash = hash_password(password)
            user.session_version += 1
            user.locked_until = None
            user.failed_logins = 0
            changed["password"] = ["***", "***"]
        if changed:
            record(
                "user.update",
                actor=actor,
                agency_id=agency.id,
                obj=user,
                changes=changed,
            )
    db.session.commit()
    return user
