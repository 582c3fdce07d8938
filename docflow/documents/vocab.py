"""Fixed vocabularies of NĐ 30/2020: document types and their abbreviations, urgency, secrecy."""

from __future__ import annotations

import enum

from flask_babel import lazy_gettext as _l

#: (name, abbreviation) per NĐ 30/2020 Art. 7 and Phụ lục III; Công văn has no abbreviation.
DOCUMENT_TYPES: list[tuple[str, str]] = [
    ("Công văn", ""),
    ("Quyết định", "QĐ"),
    ("Nghị quyết", "NQ"),
    ("Chỉ thị", "CT"),
    ("Quy chế", "QC"),
    ("Quy định", "QyĐ"),
    ("Thông cáo", "TC"),
    ("Thông báo", "TB"),
    ("Hướng dẫn", "HD"),
    ("Chương trình", "CTr"),
    ("Kế hoạch", "KH"),
    ("Phương án", "PA"),
    ("Đề án", "ĐA"),
    ("Dự án", "DA"),
    ("Báo cáo", "BC"),
    ("Biên bản", "BB"),
    ("Tờ trình", "TTr"),
    ("Hợp đồng", "HĐ"),
    ("Công điện", "CĐ"),
    ("Bản ghi nhớ", "BGN"),
    ("Bản thỏa thuận", "BTT"),
    ("Giấy ủy quyền", "GUQ"),
    ("Giấy mời", "GM"),
    ("Giấy giới thiệu", "GGT"),
    ("Giấy nghỉ phép", "GNP"),
    ("Phiếu gửi", "PG"),
    ("Phiếu chuyển", "PC"),
    ("Phiếu báo", "PB"),
    ("Thư công", ""),
    ("Luật", ""),
    ("Nghị định", "NĐ"),
    ("Thông tư", "TT"),
]
TYPE_NAMES = [name for name, _abbr in DOCUMENT_TYPES]


class Urgency(enum.StrEnum):
    NORMAL = "normal"
    URGENT = "urgent"  #: Khẩn
    VERY_URGENT = "very_urgent"  #: Thượng khẩn
    FLASH = "flash"  #: Hỏa tốc


class Secrecy(enum.StrEnum):
    NONE = "none"
    CONFIDENTIAL = "confidential"  #: Mật
    SECRET = "secret"  #: Tối mật
    TOP_SECRET = "top_secret"  #: Tuyệt mật


URGENCY_LABELS = {
    Urgency.NORMAL: _l("Normal"),
    Urgency.URGENT: "Khẩn",
    Urgency.VERY_URGENT: "Thượng khẩn",
    Urgency.FLASH: "Hỏa tốc",
}
SECRECY_LABELS = {
    Secrecy.NONE: _l("Not secret"),
    Secrecy.CONFIDENTIAL: "Mật",
    Secrecy.SECRET: "Tối mật",
    Secrecy.TOP_SECRET: "Tuyệt mật",
}


def enum_column(kind: type[enum.Enum], length: int = 24):  # type: ignore[no-untyped-def]
    """A portable (non-native) enum column storing the values."""
    from sqlalchemy import Enum

    return Enum(
        kind,
        native_enum=False,
        length=length,
        validate_strings=True,
        values_callable=lambda e: [m.value for m in e],
    )
