"""Agency identifiers.

QCVN 102:2016 (mã định danh): 13 characters ``DDD.CC.BB.Xnn`` read right to left from the
level-1 unit, e.g. ``000.00.00.H56`` (a province) or ``000.00.18.G12``. QĐ 20/2020/QĐ-TTg
codes are written left to right (``H01.151.01``) and are only checked loosely.
"""

from __future__ import annotations

import re

QCVN102_RE = re.compile(r"^\d{3}\.\d{2}\.\d{2}\.[A-Z]\d{2}$")
QD20_RE = re.compile(r"^[A-Z]\d{2}(\.[0-9A-Z]{1,3}){0,4}$")


def normalise_code(value: str) -> str:
    return (value or "").strip().upper()


def is_valid_qcvn102(value: str) -> bool:
    """True for a well-formed 13-character QCVN 102:2016 identifier."""
    return bool(QCVN102_RE.fullmatch(value or ""))


def qcvn102_error(value: str) -> str | None:
    """A human explanation of what is wrong with ``value``, or None when it is valid."""
    if not value:
        return "missing"
    if len(value) != 13:
        return f"must be 13 characters, got {len(value)}"
    if not QCVN102_RE.fullmatch(value):
        return "must look like DDD.CC.BB.Xnn (e.g. 000.00.00.H56)"
    return None


def is_valid_qd20(value: str) -> bool:
    return bool(QD20_RE.fullmatch(value or ""))
