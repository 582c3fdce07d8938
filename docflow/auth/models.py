"""Users and their role in their agency."""

from __future__ import annotations

import enum
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import Enum, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..agencies.models import Agency, Department
from ..extensions import db
from ..timeutil import utcnow


class Role(enum.StrEnum):
    ADMIN = "admin"  #: quản trị: manages the agency's departments and users
    RECORDS_OFFICER = "records_officer"  #: văn thư
    LEADER = "leader"  #: lãnh đạo
    DEPARTMENT_HEAD = "department_head"  #: trưởng phòng
    SPECIALIST = "specialist"  #: chuyên viên


class User(UserMixin, db.Model):
    __tablename__ = "user_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Login name, stored lower-case.
    username: Mapped[str] = mapped_column(String(64), unique=True)
    full_name: Mapped[str] = mapped_column(String(128))
    #: Position shown under a signature, e.g. "Phó Chủ tịch".
    position: Mapped[str | None] = mapped_column(String(128))
    email: Mapped[str | None] = mapped_column(String(128))
    password_hash: Mapped[str] = mapped_column(String(255))
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("department.id"))
    role: Mapped[Role] = mapped_column(
        Enum(
            Role,
            native_enum=False,
            length=32,
            validate_strings=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    #: System administrator: manages every agency (the operator of the installation).
    is_superadmin: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    failed_logins: Mapped[int] = mapped_column(default=0)
    locked_until: Mapped[datetime | None] = mapped_column()
    last_login_at: Mapped[datetime | None] = mapped_column()
    #: Bumped on password change so other sessions of the user end.
    session_version: Mapped[int] = mapped_column(default=1)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    agency: Mapped[Agency] = relationship()
    department: Mapped[Department | None] = relationship()

    @property
    def is_active(self) -> bool:  # Flask-Login
        return self.active

    def get_id(self) -> str:
        # The session holds id and version: changing the password logs out other sessions.
        return f"{self.id}:{self.session_version}"

    @property
    def is_agency_admin(self) -> bool:
        return self.is_superadmin or self.role == Role.ADMIN

    def __repr__(self) -> str:
        return f"<User {self.username}>"
