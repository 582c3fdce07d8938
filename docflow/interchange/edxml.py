"""edXML packets of QCVN 102:2016/BTTTT: build them and parse them defensively.

A document packet is ``edXML/edXMLEnvelope/{edXMLHeader{MessageHeader, TraceHeaderList},
edXMLBody/edXMLManifest}`` plus ``AttachmentEncoded`` (each file zipped, then Base64,
linked to the manifest by ContentId). A status packet carries ``StatusCode`` in its
MessageHeader with ``ResponseFor`` naming the original DocumentId.

Packets come from other systems, so parsing (``edxml_parse``, re-exported here) trusts
nothing: no DTD, no entities, no network, bounded sizes, and every refusal is a
``PacketRejected`` with a reason an operator can read. Known producer quirks that are accepted (each noted in
``warnings``): a few stray bytes before ``<?xml`` (the official ``edoc_new.edxml``
sample starts with "1212"), ``cid:`` present on one side of a ContentId only,
attachments that are not zipped, a DocumentId that is not in the standard format.
"""

from __future__ import annotations

import base64
import io
import re
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from typing import Any

from lxml import etree

NS = "http://www.mic.gov.vn/TBT/QCVN_102_2016"
XMLDSIG_NS = "http://www.w3.org/2000/09/xmldsig#"

#: Limits for packets from outside (a 1 MB signed PDF is ~1.4 MB once encoded).
MAX_PACKET_BYTES = 60 * 1024 * 1024
MAX_ATTACHMENTS = 50
MAX_ENCODED_BYTES = 50 * 1024 * 1024  #: Base64 text of all attachments together
MAX_UNZIPPED_BYTES = 100 * 1024 * 1024  #: all files of all attachments once unzipped
MAX_ZIP_MEMBERS = 20  #: files in one attachment's zip
MAX_STRAY_BYTES = 8  #: junk accepted before "<?xml" (the official sample has 4)

STATUS_CODES: dict[str, str] = {
    "01": "Đã đến",
    "02": "Từ chối tiếp nhận",
    "03": "Đã tiếp nhận",
    "04": "Phân công",
    "05": "Đang xử lý",
    "06": "Hoàn thành",
    "13": "Lấy lại",
    "15": "Đồng ý",
    "16": "Từ chối",
}

#: BussinessDocType
NEW, REVOKE, UPDATE, REPLACE = 0, 1, 2, 3
BUSINESS_TYPES = {
    NEW: "Văn bản điện tử mới",
    REVOKE: "Thu hồi văn bản điện tử",
    UPDATE: "Cập nhật văn bản điện tử",
    REPLACE: "Văn bản thay thế",
}

DOCUMENT_ID_RE = re.compile(
    r"^(?P<organ>[^,]+),(?P<date>\d{4}/\d{2}/\d{2}),(?P<code>.+/.+)$"
)
_ORG_FIELDS = (
    ("organ_id", "OrganId"),
    ("in_charge", "OrganizationInCharge"),
    ("name", "OrganName"),
    ("address", "OrganAdd"),
    ("email", "Email"),
    ("telephone", "Telephone"),
    ("fax", "Fax"),
    ("website", "Website"),
)
_STAFF_FIELDS = (
    ("department", "Department"),
    ("staff", "Staff"),
    ("email", "Email"),
    ("mobile", "Mobile"),
)


class PacketRejected(Exception):
    """The packet cannot be accepted; ``reason`` says why in plain words."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# ------------------------------------------------------------------ the packet as data
@dataclass
class Organization:
    organ_id: str
    name: str = ""
    in_charge: str = ""
    address: str = ""
    email: str = ""
    telephone: str = ""
    fax: str = ""
    website: str = ""


@dataclass
class Staff:
    department: str = ""
    staff: str = ""
    email: str = ""
    mobile: str = ""


@dataclass
class ResponseFor:
    organ_id: str = ""
    code: str = ""
    promulgation_date: str = ""
    document_id: str = ""


@dataclass
class Attachment:
    content_id: str
    name: str
    data: bytes = b""  #: the file itself (unzipped)
    content_type: str = "application/pdf"
    description: str = ""


@dataclass
class Replacement:
    document_id: str
    organ_ids: list[str] = field(default_factory=list)


@dataclass
class DocumentPacket:
    """A document (văn bản) packet: the MessageHeader fields, trace and business info, files."""

    sender: Organization
    receivers: list[Organization]
    code_number: str
    code_notation: str
    promulgation_date: date
    subject: str
    document_id: str
    place: str = ""
    type: int | None = None
    type_detail: int | None = None
    type_name: str = ""
    content: str = ""
    signer_competence: str = ""
    signer_position: str = ""
    signer_name: str = ""
    due_date: date | None = None
    to_places: list[str] = field(default_factory=list)
    priority: int | None = None
    sphere: str = ""
    typer_notation: str = ""
    promulgation_amount: int | None = None
    page_amount: int | None = None
    appendixes: list[str] = field(default_factory=list)
    response_for: list[ResponseFor] = field(default_factory=list)
    steering_type: int | None = None
    traces: list[tuple[str, str]] = field(
        default_factory=list
    )  #: (OrganId, "yyyy/MM/dd HH:mm:ss")
    business_type: int = NEW
    business_reason: str = ""
    business_document_id: str = ""
    paper: int = 0
    staff: Staff | None = None
    replacements: list[Replacement] = field(default_factory=list)
    attachments: list[Attachment] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    kind = "document"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind
        data["attachments"] = [
            {
                "content_id": a.content_id,
                "name": a.name,
                "content_type": a.content_type,
                "description": a.description,
                "size": len(a.data),
            }
            for a in self.attachments
        ]
        for key in ("promulgation_date", "due_date"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


@dataclass
class StatusPacket:
    """A status (feedback) packet about a document received from ``response_for.organ_id``."""

    sender: Organization
    response_for: ResponseFor
    status_code: str
    description: str = ""
    timestamp: str = ""
    staff: Staff | None = None
    warnings: list[str] = field(default_factory=list)

    kind = "status"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["kind"] = self.kind
        data["status_name"] = STATUS_CODES.get(self.status_code, "")
        return data


def document_id(organ_id: str, issued: date, number_notation: str) -> str:
    """QCVN 102 DocumentId: "OrganId,yyyy/MM/dd,số/ký hiệu"."""
    return f"{organ_id},{issued:%Y/%m/%d},{number_notation}"


def format_timestamp(moment: datetime) -> str:
    return f"{moment:%Y/%m/%d %H:%M:%S}"


# ------------------------------------------------------------------ building
def _q(name: str) -> str:
    return f"{{{NS}}}{name}"


def _sub(parent: etree._Element, name: str, text: Any = None) -> etree._Element:
    el = etree.SubElement(parent, _q(name))
    if text is not None:
        el.text = str(text)
    return el


def _organization(parent: etree._Element, tag: str, org: Organization) -> None:
    el = _sub(parent, tag)
    for attr, name in _ORG_FIELDS:
        value = getattr(org, attr)
        if value or attr in ("organ_id", "name"):
            _sub(el, name, value)


def _staff(parent: etree._Element, staff: Staff | None) -> None:
    if staff is not None:
        el = _sub(parent, "StaffInfo")
        for attr, name in _STAFF_FIELDS:
            _sub(el, name, getattr(staff, attr))


def _skeleton() -> tuple[etree._Element, etree._Element, etree._Element]:
    root = etree.Element(_q("edXML"), nsmap={"edXML": NS})
    envelope = _sub(root, "edXMLEnvelope")
    header = _sub(envelope, "edXMLHeader")
    return root, envelope, header


def _zip(name: str, data: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(name, data)
    return out.getvalue()


def _serialize(root: etree._Element) -> bytes:
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8")


def build_document(packet: DocumentPacket) -> bytes:
    """The edXML bytes of a document packet (attachments zipped then Base64)."""
    root, envelope, header = _skeleton()
    mh = _sub(header, "MessageHeader")
    _organization(mh, "From", packet.sender)
    for receiver in packet.receivers:
        _organization(mh, "To", receiver)
    code = _sub(mh, "Code")
    _sub(code, "CodeNumber", packet.code_number)
    _sub(code, "CodeNotation", packet.code_notation)
    prom = _sub(mh, "PromulgationInfo")
    _sub(prom, "Place", packet.place)
    _sub(prom, "PromulgationDate", f"{packet.promulgation_date:%Y/%m/%d}")
    dtype = _sub(mh, "DocumentType")
    if packet.type is not None:
        _sub(dtype, "Type", packet.type)
    if packet.type_detail is not None:
        _sub(dtype, "TypeDetail", packet.type_detail)
    _sub(dtype, "TypeName", packet.type_name)
    _sub(mh, "Subject", packet.subject)
    _sub(mh, "Content", packet.content)
    signer = _sub(mh, "SignerInfo")
    _sub(signer, "Competence", packet.signer_competence)
    _sub(signer, "Position", packet.signer_position)
    _sub(signer, "FullName", packet.signer_name)
    if packet.due_date:
        _sub(mh, "DueDate", f"{packet.due_date:%Y/%m/%d}")
    places = _sub(mh, "ToPlaces")
    for place in packet.to_places:
        _sub(places, "Place", place)
    other = _sub(mh, "OtherInfo")
    for name, value in (
        ("Priority", packet.priority),
        ("SphereOfPromulgation", packet.sphere),
        ("TyperNotation", packet.typer_notation),
        ("PromulgationAmount", packet.promulgation_amount),
        ("PageAmount", packet.page_amount),
    ):
        if value not in (None, ""):
            _sub(other, name, value)
    if packet.appendixes:
        apps = _sub(other, "Appendixes")
        for text in packet.appendixes:
            _sub(apps, "Appendix", text)
    for rf in packet.response_for:
        el = _sub(mh, "ResponseFor")
        _sub(el, "OrganId", rf.organ_id)
        _sub(el, "Code", rf.code)
        _sub(el, "PromulgationDate", rf.promulgation_date)
        _sub(el, "DocumentId", rf.document_id)
    if packet.steering_type is not None:
        _sub(mh, "SteeringType", packet.steering_type)
    _sub(mh, "DocumentId", packet.document_id)

    trace_list = _sub(header, "TraceHeaderList")
    for organ_id, stamp in packet.traces:
        trace = _sub(trace_list, "TraceHeader")
        _sub(trace, "OrganId", organ_id)
        _sub(trace, "Timestamp", stamp)
    business = _sub(trace_list, "Bussiness")
    _sub(business, "DocumentId", packet.business_document_id or packet.document_id)
    _sub(business, "BussinessDocType", packet.business_type)
    _sub(
        business,
        "BussinessDocReason",
        packet.business_reason or BUSINESS_TYPES.get(packet.business_type, ""),
    )
    _sub(business, "Paper", packet.paper)
    if packet.replacements:
        repl_list = _sub(business, "ReplacementInfoList")
        for repl in packet.replacements:
            info = _sub(repl_list, "ReplacementInfo")
            _sub(info, "DocumentId", repl.document_id)
            ids = _sub(info, "OrganIdList")
            for organ_id in repl.organ_ids:
                _sub(ids, "OrganId", organ_id)
    _staff(business, packet.staff)

    manifest = _sub(_sub(envelope, "edXMLBody"), "edXMLManifest")
    manifest.set("version", "1.0")
    encoded = _sub(root, "AttachmentEncoded")
    for att in packet.attachments:
        ref = _sub(manifest, "Reference")
        _sub(ref, "ContentId", att.content_id)
        _sub(ref, "ContentType", "application/zip")
        _sub(ref, "Description", att.description or att.name)
        _sub(ref, "AttachmentName", att.name)
        part = _sub(encoded, "Attachment")
        _sub(part, "ContentId", att.content_id)
        _sub(part, "AttachmentName", att.name)
        _sub(part, "Description", att.description or att.name)
        _sub(part, "ContentType", "application/zip")
        _sub(
            part,
            "ContentTransferEncoded",
            base64.b64encode(_zip(att.name, att.data)).decode("ascii"),
        )
    return _serialize(root)


def build_status(status: StatusPacket) -> bytes:
    """The edXML bytes of a status packet."""
    if status.status_code not in STATUS_CODES:
        raise ValueError(f"unknown status code {status.status_code!r}")
    root, _envelope, header = _skeleton()
    mh = _sub(header, "MessageHeader")
    _organization(mh, "From", status.sender)
    rf = _sub(mh, "ResponseFor")
    _sub(rf, "OrganId", status.response_for.organ_id)
    _sub(rf, "Code", status.response_for.code)
    _sub(rf, "PromulgationDate", status.response_for.promulgation_date)
    _sub(rf, "DocumentId", status.response_for.document_id)
    _staff(mh, status.staff)
    _sub(mh, "StatusCode", status.status_code)
    _sub(mh, "Description", status.description or STATUS_CODES[status.status_code])
    _sub(mh, "Timestamp", status.timestamp)
    return _serialize(root)


from .edxml_parse import parse_packet  # noqa: E402 - the parser needs the definitions above

__all__ = [
    "BUSINESS_TYPES",
    "NS",
    "STATUS_CODES",
    "Attachment",
    "DocumentPacket",
    "Organization",
    "PacketRejected",
    "Replacement",
    "ResponseFor",
    "Staff",
    "StatusPacket",
    "build_document",
    "build_status",
    "document_id",
    "format_timestamp",
    "parse_packet",
]
