"""Agencies and departments."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..extensions import db
from ..timeutil import utcnow


class AgencyLevel(enum.StrEnum):
    """Administrative level. Since 01/7/2025 local government has two levels."""

    CENTRAL = "central"
    PROVINCE = "province"
    COMMUNE = "commune"


class Agency(db.Model):
    __tablename__ = "agency"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: QCVN 102:2016 identifier, 13 characters, DDD.CC.BB.Xnn.
    code: Mapped[str] = mapped_column(String(13), unique=True)
    #: Optional QĐ 20/2020/QĐ-TTg identifier (left-to-right, e.g. H01.151.01).
    code_qd20: Mapped[str | None] = mapped_column(String(32))
    name: Mapped[str] = mapped_column(String(255))
    #: Short name used in document notations, e.g. UBND, SNV.
    short_name: Mapped[str] = mapped_column(String(32))
    level: Mapped[AgencyLevel] = mapped_column(
        Enum(
            AgencyLevel,
            native_enum=False,
            length=16,
            validate_strings=True,
            values_callable=lambda e: [m.value for m in e],
        )
    )
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("agency.id"))
    address: Mapped[str | None] = mapped_column(String(255))
    phone: Mapped[str | None] = mapped_column(String(32))
    email: Mapped[str | None] = mapped_column(String(128))
    website: Mapped[str | None] = mapped_column(String(128))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    parent: Mapped[Agency | None] = relationship(
        remote_side=[id], back_populates="children"
    )
    children: Mapped[list[Agency]] = relationship(back_populates="parent")
    departments: Mapped[list[Department]] = relationship(
        back_populates="agency", order_by="Department.name"
    )

    def __repr__(self) -> str:
        return f"<Agency {self.code} {self.short_name}>"


class Department(db.Model):
    """A unit inside an agency (phòng ban)."""

    __tablename__ = "department"
    __table_args__ = (UniqueConstraint("agency_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    agency_id: Mapped[int] = mapped_column(ForeignKey("agency.id"), index=True)
    name: Mapped[str] = mapped_column(String(255))
    #: Short name used in notations of outgoing documents, e.g. VX in "12/UBND-VX".
    short_name: Mapped[str | None] = mapped_column(String(32))
    active: Mapped[bool] = mapped_column(default=True)

    agency: Mapped[Agency] = relationship(back_populates="departments")
