"""Time helpers: store UTC, show Asia/Ho_Chi_Minh (+07:00)."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


def utcnow() -> datetime:
    """Naive UTC now: the database stores naive UTC timestamps on every engine."""
    return datetime.now(UTC).replace(tzinfo=None)


def to_local(value: datetime | None) -> datetime | None:
    if value is None:
        return None
    return value.replace(tzinfo=UTC).astimezone(VN_TZ)


def format_datetime_vn(value: datetime | None) -> str:
    """dd/mm/yyyy HH:MM in Vietnam time."""
    local = to_local(value)
    return local.strftime("%d/%m/%Y %H:%M") if local else ""
