"""Parsing edXML packets from other systems, trusting nothing.

No DTD, no entities, no network (lxml with entity resolution and network access off, and
any DOCTYPE refused before parsing), bounded sizes (packet, Base64, attachments, zip
members and their real unzipped size), required fields checked; every refusal is a
``PacketRejected`` with a reason an operator can read. The limits live in ``edxml``
(read at call time, so tests and deployments can change them).
"""

from __future__ import annotations

import base64
import binascii
import io
import zipfile
from datetime import date, datetime

from lxml import etree

from . import edxml as limits
from .edxml import (
    _ORG_FIELDS,
    _STAFF_FIELDS,
    BUSINESS_TYPES,
    DOCUMENT_ID_RE,
    NEW,
    NS,
    STATUS_CODES,
    Attachment,
    DocumentPacket,
    Organization,
    PacketRejected,
    Replacement,
    ResponseFor,
    Staff,
    StatusPacket,
    _q,
)


def _parser(recover: bool = False) -> etree.XMLParser:
    return etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        load_dtd=False,
        huge_tree=False,
        dtd_validation=False,
        remove_comments=True,
        remove_pis=True,
        recover=recover,
    )


def _parse_xml(data: bytes, warnings: list[str]) -> etree._Element:
    try:
        return etree.fromstring(data, _parser())
    except etree.XMLSyntaxError as exc:
        errors = list(exc.error_log)
        # An undeclared prefix (the official edoc.edxml has xlink:href without xmlns:xlink) is a
        # namespace error in well-formed XML: accept it, but nothing else.
        if not errors or any(e.domain_name != "NAMESPACE" for e in errors):
            raise PacketRejected(f"malformed XML: {exc}") from None
        warnings.append(f"namespace errors ignored: {errors[0].message}")
    root = etree.fromstring(data, _parser(recover=True))
    if root is None:
        raise PacketRejected("malformed XML")
    return root


def _strip_stray_bytes(data: bytes, warnings: list[str]) -> bytes:
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    if data.lstrip()[:1] == b"<":
        return data
    start = data.find(b"<?xml", 0, limits.MAX_STRAY_BYTES + 5)
    if 0 < start <= limits.MAX_STRAY_BYTES and b"<" not in data[:start]:
        warnings.append(
            f"ignored {start} stray bytes before the XML declaration: {data[:start]!r}"
        )
        return data[start:]
    raise PacketRejected(
        "not an XML document (it does not start with '<?xml' or an element)"
    )


def _child(el: etree._Element | None, name: str) -> etree._Element | None:
    return None if el is None else el.find(_q(name))


def _text(el: etree._Element | None, name: str) -> str:
    child = _child(el, name)
    return (child.text or "").strip() if child is not None else ""


def _texts(el: etree._Element | None, group: str, name: str) -> list[str]:
    holder = _child(el, group)
    return (
        []
        if holder is None
        else [(c.text or "").strip() for c in holder.findall(_q(name))]
    )


def _int(el: etree._Element | None, name: str, warnings: list[str]) -> int | None:
    value = _text(el, name)
    if not value:
        return None
    try:
        return int(value)
    except ValueError:
        warnings.append(f"{name} is not a number: {value!r}")
        return None


def _date(value: str, name: str, required: bool = False) -> date | None:
    if not value:
        if required:
            raise PacketRejected(f"missing required field {name}")
        return None
    try:
        return datetime.strptime(value, "%Y/%m/%d").date()
    except ValueError:
        raise PacketRejected(
            f"{name} must be a date yyyy/MM/dd, got {value[:40]!r}"
        ) from None


def _organization_of(el: etree._Element | None, what: str) -> Organization:
    if el is None:
        raise PacketRejected(f"missing required field {what}")
    org = Organization(**{attr: _text(el, name) for attr, name in _ORG_FIELDS})
    if not org.organ_id:
        raise PacketRejected(f"missing required field {what}/OrganId")
    return org


def _staff_of(el: etree._Element | None) -> Staff | None:
    info = _child(el, "StaffInfo")
    return (
        None
        if info is None
        else Staff(**{attr: _text(info, name) for attr, name in _STAFF_FIELDS})
    )


def _response_for(el: etree._Element) -> ResponseFor:
    return ResponseFor(
        organ_id=_text(el, "OrganId"),
        code=_text(el, "Code"),
        promulgation_date=_text(el, "PromulgationDate"),
        document_id=_text(el, "DocumentId"),
    )


def parse_packet(
    data: bytes, *, decode_attachments: bool = True
) -> DocumentPacket | StatusPacket:
    """Parse edXML bytes into a packet, or raise ``PacketRejected``.

    ``decode_attachments=False`` reads the headers only (attachments keep their names
    and no bytes): for operators looking at packets whose files are broken.
    """
    if not isinstance(data, bytes | bytearray):
        raise PacketRejected("a packet is bytes")
    if len(data) > limits.MAX_PACKET_BYTES:
        raise PacketRejected(
            f"packet too large: {len(data)} bytes (limit {limits.MAX_PACKET_BYTES})"
        )
    warnings: list[str] = []
    data = _strip_stray_bytes(bytes(data), warnings)
    # DTDs have no place in edXML: refusing them outright closes XXE and entity expansion.
    if b"<!DOCTYPE" in data or b"<!ENTITY" in data:
        raise PacketRejected("a DOCTYPE or ENTITY declaration is not allowed in edXML")
    root = _parse_xml(data, warnings)
    tree = root.getroottree()
    if tree.docinfo.doctype or tree.docinfo.internalDTD is not None:
        raise PacketRejected("a DOCTYPE or ENTITY declaration is not allowed in edXML")
    if root.tag != _q("edXML"):
        raise PacketRejected(
            f"wrong root element or namespace: expected {{{NS}}}edXML, got {root.tag}"
        )
    header = _child(_child(root, "edXMLEnvelope"), "edXMLHeader")
    if header is None:
        raise PacketRejected("missing required field edXMLEnvelope/edXMLHeader")
    mh = _child(header, "MessageHeader")
    if mh is None:
        mh = _child(
            header, "Status"
        )  # the name used by some SDKs for the status header
    if mh is None:
        raise PacketRejected("missing required field MessageHeader")
    if _child(mh, "StatusCode") is not None:
        return _parse_status(mh, warnings)
    return _parse_document(root, header, mh, warnings, decode_attachments)


def _parse_status(mh: etree._Element, warnings: list[str]) -> StatusPacket:
    sender = _organization_of(_child(mh, "From"), "From")
    rf_el = _child(mh, "ResponseFor")
    if rf_el is None or not _text(rf_el, "DocumentId"):
        raise PacketRejected("missing required field ResponseFor/DocumentId")
    code = _text(mh, "StatusCode")
    if code not in STATUS_CODES:
        raise PacketRejected(f"unknown StatusCode {code[:10]!r}")
    description = _text(mh, "Description")
    if code == "02" and not description:
        raise PacketRejected(
            "a refusal (status 02) must give its reason in Description"
        )
    return StatusPacket(
        sender=sender,
        response_for=_response_for(rf_el),
        status_code=code,
        description=description,
        timestamp=_text(mh, "Timestamp"),
        staff=_staff_of(mh),
        warnings=warnings,
    )


def _parse_document(
    root: etree._Element,
    header: etree._Element,
    mh: etree._Element,
    warnings: list[str],
    decode_attachments: bool,
) -> DocumentPacket:
    sender = _organization_of(_child(mh, "From"), "From")
    receivers = [_organization_of(el, "To") for el in mh.findall(_q("To"))]
    if not receivers:
        raise PacketRejected("missing required field To")
    code = _child(mh, "Code")
    code_number, code_notation = _text(code, "CodeNumber"), _text(code, "CodeNotation")
    if not (code_number or code_notation):
        raise PacketRejected("missing required field Code/CodeNumber")
    doc_id = _text(mh, "DocumentId")
    if not doc_id:
        raise PacketRejected("missing required field DocumentId")
    if not DOCUMENT_ID_RE.match(doc_id):
        warnings.append(
            f"DocumentId is not 'OrganId,yyyy/MM/dd,số/ký hiệu': {doc_id[:80]!r}"
        )
    subject = _text(mh, "Subject")
    if not subject:
        raise PacketRejected("missing required field Subject")
    prom = _child(mh, "PromulgationInfo")
    dtype, signer, other = (
        _child(mh, "DocumentType"),
        _child(mh, "SignerInfo"),
        _child(mh, "OtherInfo"),
    )
    packet = DocumentPacket(
        sender=sender,
        receivers=receivers,
        code_number=code_number,
        code_notation=code_notation,
        promulgation_date=_date(
            _text(prom, "PromulgationDate"), "PromulgationInfo/PromulgationDate", True
        ),
        subject=subject,
        document_id=doc_id,
        place=_text(prom, "Place"),
        type=_int(dtype, "Type", warnings),
        type_detail=_int(dtype, "TypeDetail", warnings),
        type_name=_text(dtype, "TypeName"),
        content=_text(mh, "Content"),
        signer_competence=_text(signer, "Competence"),
        signer_position=_text(signer, "Position"),
        signer_name=_text(signer, "FullName"),
        due_date=_date(_text(mh, "DueDate"), "DueDate"),
        to_places=_texts(mh, "ToPlaces", "Place"),
        priority=_int(other, "Priority", warnings),
        sphere=_text(other, "SphereOfPromulgation"),
        typer_notation=_text(other, "TyperNotation"),
        promulgation_amount=_int(other, "PromulgationAmount", warnings),
        page_amount=_int(other, "PageAmount", warnings),
        appendixes=_texts(other, "Appendixes", "Appendix"),
        response_for=[
            rf
            for rf in map(_response_for, mh.findall(_q("ResponseFor")))
            if rf.document_id
        ],
        steering_type=_int(mh, "SteeringType", warnings),
        warnings=warnings,
    )
    trace_list = _child(header, "TraceHeaderList")
    if trace_list is not None:
        packet.traces = [
            (_text(t, "OrganId"), _text(t, "Timestamp"))
            for t in trace_list.findall(_q("TraceHeader"))
        ]
        business = _child(trace_list, "Bussiness")
        if business is not None:
            btype = _int(business, "BussinessDocType", warnings)
            if btype is not None and btype not in BUSINESS_TYPES:
                raise PacketRejected(f"unknown BussinessDocType {btype}")
            packet.business_type = btype or NEW
            packet.business_reason = _text(business, "BussinessDocReason")
            packet.business_document_id = _text(business, "DocumentId")
            packet.paper = _int(business, "Paper", warnings) or 0
            packet.staff = _staff_of(business)
            for info in business.iterfind(
                f"{_q('ReplacementInfoList')}/{_q('ReplacementInfo')}"
            ):
                ids = [
                    (o.text or "").strip()
                    for o in info.iterfind(f"{_q('OrganIdList')}/{_q('OrganId')}")
                ]
                packet.replacements.append(Replacement(_text(info, "DocumentId"), ids))
    packet.attachments = _attachments(root, warnings, decode_attachments)
    return packet


def _cid(value: str) -> str:
    value = value.strip()
    return value[4:] if value.lower().startswith("cid:") else value


def _local(el: etree._Element) -> str:
    # By local name: in recovered packets an undeclared "edXML:" prefix stays in the tag.
    tag = el.tag if isinstance(el.tag, str) else ""
    return tag.rsplit("}", 1)[-1].rsplit(":", 1)[-1]


def _children(el: etree._Element | None, name: str) -> list[etree._Element]:
    return [] if el is None else [c for c in el if _local(c) == name]


def _ltext(el: etree._Element | None, name: str) -> str:
    found = _children(el, name)
    return (found[0].text or "").strip() if found else ""


def _attachments(
    root: etree._Element, warnings: list[str], decode: bool
) -> list[Attachment]:
    manifest = _child(
        _child(_child(root, "edXMLEnvelope"), "edXMLBody"), "edXMLManifest"
    )
    refs = {
        _cid(_text(ref, "ContentId")): ref
        for ref in (manifest.findall(_q("Reference")) if manifest is not None else [])
    }
    parts = [
        part
        for enc in _children(root, "AttachmentEncoded")
        for part in _children(enc, "Attachment")
    ]
    if len(parts) > limits.MAX_ATTACHMENTS:
        raise PacketRejected(
            f"too many attachments: {len(parts)} (limit {limits.MAX_ATTACHMENTS})"
        )
    encoded_total = sum(len(_ltext(part, "ContentTransferEncoded")) for part in parts)
    if encoded_total > limits.MAX_ENCODED_BYTES:
        raise PacketRejected(
            f"attachments too large: {encoded_total} bytes of Base64 (limit {limits.MAX_ENCODED_BYTES})"
        )
    budget = [limits.MAX_UNZIPPED_BYTES]
    result = []
    for part in parts:
        cid = _cid(_ltext(part, "ContentId"))
        if not cid:
            raise PacketRejected("an attachment without ContentId")
        ref = refs.pop(cid, None)
        if ref is None:
            warnings.append(f"attachment {cid} is not listed in the manifest")
        name = _ltext(part, "AttachmentName") or _text(ref, "AttachmentName") or cid
        att = Attachment(
            content_id=cid,
            name=name,
            content_type=_ltext(part, "ContentType") or _text(ref, "ContentType"),
            description=_ltext(part, "Description") or _text(ref, "Description"),
        )
        if decode:
            att.data, att.content_type = _decode(
                cid,
                _ltext(part, "ContentTransferEncoded"),
                att.content_type,
                budget,
                warnings,
            )
        result.append(att)
    for cid in refs:
        warnings.append(f"manifest entry {cid} has no encoded attachment")
    return result


def _decode(
    cid: str, text: str, content_type: str, budget: list[int], warnings: list[str]
) -> tuple[bytes, str]:
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise PacketRejected(f"attachment {cid}: invalid Base64") from None
    if not raw:
        raise PacketRejected(f"attachment {cid}: empty")
    if not raw.startswith(b"PK\x03\x04"):
        warnings.append(f"attachment {cid} is not zipped")
        budget[0] -= len(raw)
        if budget[0] < 0:
            raise PacketRejected(
                f"attachments too large once decoded (limit {limits.MAX_UNZIPPED_BYTES} bytes)"
            )
        return raw, content_type
    return _unzip(
        cid, raw, budget
    ), ""  # the type of the zipped file is sniffed on storage


def _unzip(cid: str, raw: bytes, budget: list[int]) -> bytes:
    try:
        with zipfile.ZipFile(io.BytesIO(raw)) as zf:
            members = [m for m in zf.infolist() if not m.is_dir()]
            if not members:
                raise PacketRejected(f"attachment {cid}: empty zip")
            if len(zf.infolist()) > limits.MAX_ZIP_MEMBERS:
                raise PacketRejected(
                    f"attachment {cid}: too many files in the zip ({len(zf.infolist())}, "
                    f"limit {limits.MAX_ZIP_MEMBERS})"
                )
            if sum(m.file_size for m in members) > budget[0]:
                raise PacketRejected(
                    f"attachment {cid}: zip expands beyond the limit of {limits.MAX_UNZIPPED_BYTES} bytes"
                )
            # The declared sizes can lie: read at most the remaining budget, plus one byte to notice.
            with zf.open(members[0]) as stream:
                data = stream.read(budget[0] + 1)
            if len(data) > budget[0]:
                raise PacketRejected(
                    f"attachment {cid}: zip expands beyond the limit of {limits.MAX_UNZIPPED_BYTES} bytes"
                )
            budget[0] -= len(data)
            return data
    except PacketRejected:
        raise
    except (
        zipfile.BadZipFile,
        zipfile.LargeZipFile,
        NotImplementedError,
        OSError,
        EOFError,
        RuntimeError,
    ) as exc:
        raise PacketRejected(f"attachment {cid}: unreadable zip ({exc})") from None
