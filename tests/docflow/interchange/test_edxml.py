"""edXML packets: the official samples, round trips, and hostile input refused with a reason."""

from __future__ import annotations

import base64
import io
import zipfile
from datetime import date
from pathlib import Path

import pytest

from docflow.interchange import edxml
from docflow.interchange.edxml import PacketRejected, parse_packet

SAMPLES = Path(__file__).resolve().parents[4] / "shared" / "corpora" / "edxml"
if not SAMPLES.is_dir():  # the checkout's sibling; CI keeps it at /work/shared
    SAMPLES = Path("/work/shared/corpora/edxml")
SAMPLE_FILES = sorted(SAMPLES.glob("*.edxml"))
STATUS_SAMPLES = {
    "status.edxml": "01",
    "status_inbox__01.edxml": "01",
    "status_rejection_02.edxml": "02",
    "status_acceptance_03.edxml": "03",
    "status_assignment_04.edxml": "04",
    "status_processing_05.edxml": "05",
    "status_finish_06.edxml": "06",
    "status_cancellation_13.edxml": "13",
    "status_change-acceptance_15.edxml": "15",
    "status_change-rejection_16.edxml": "16",
}
needs_samples = pytest.mark.skipif(
    not SAMPLE_FILES, reason="official samples not available"
)


def _packet(**overrides) -> edxml.DocumentPacket:
    values = dict(
        sender=edxml.Organization("000.00.50.H56", "Ủy ban nhân dân tỉnh Thử nghiệm"),
        receivers=[edxml.Organization("000.00.51.H56", "Ủy ban nhân dân xã Nhận")],
        code_number="15",
        code_notation="QĐ-UBND",
        promulgation_date=date(2026, 11, 25),
        subject="Về việc ban hành quy chế làm việc",
        document_id="000.00.50.H56,2026/11/25,15/QĐ-UBND",
        type_name="Quyết định",
        signer_name="Trần Thị Bình",
        signer_position="Phó Chủ tịch",
        priority=1,
        due_date=date(2026, 12, 1),
        to_places=["Như trên", "Lưu: VT"],
        attachments=[
            edxml.Attachment("1-main", "15-QĐ-UBND.pdf", b"%PDF-1.7 test"),
            edxml.Attachment("1-a2", "Phụ lục.pdf", b"%PDF-1.7 annex"),
        ],
    )
    values.update(overrides)
    return edxml.DocumentPacket(**values)


def _zip_b64(members: dict[str, bytes]) -> str:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return base64.b64encode(out.getvalue()).decode()


def _with_attachment(encoded: str) -> bytes:
    xml = edxml.build_document(
        _packet(attachments=[edxml.Attachment("x", "x.pdf", b"%PDF")])
    )
    start = xml.index(b"<edXML:ContentTransferEncoded>") + len(
        b"<edXML:ContentTransferEncoded>"
    )
    end = xml.index(b"</edXML:ContentTransferEncoded>")
    return xml[:start] + encoded.encode() + xml[end:]


# ------------------------------------------------------------------ official samples
@needs_samples
@pytest.mark.parametrize("path", SAMPLE_FILES, ids=lambda p: p.name)
def test_every_official_sample_parses(path: Path) -> None:
    packet = parse_packet(path.read_bytes(), decode_attachments=False)
    assert packet.sender.organ_id
    if path.name in STATUS_SAMPLES:
        assert (
            packet.kind == "status" and packet.status_code == STATUS_SAMPLES[path.name]
        )
        assert packet.response_for.document_id
    else:
        assert packet.kind == "document" and packet.receivers and packet.subject


@needs_samples
def test_samples_with_files_decode_and_business_types_are_read() -> None:
    kinds = {}
    for name in (
        "edoc_new.edxml",
        "edoc_revocation.edxml",
        "edoc_update.edxml",
        "edoc_replacement.edxml",
    ):
        packet = parse_packet((SAMPLES / name).read_bytes())
        assert [(a.name, len(a.data)) for a in packet.attachments] == [
            ("1896_QD-TTg_m_294779.doc", 388347)
        ]
        assert packet.document_id == "000.00.00.G22,2015/09/30,7816/VPCP-TTĐT"
        kinds[name] = packet.business_type
    assert kinds == {
        "edoc_new.edxml": 0,
        "edoc_revocation.edxml": 1,
        "edoc_update.edxml": 2,
        "edoc_replacement.edxml": 3,
    }
    replacement = parse_packet((SAMPLES / "edoc_replacement.edxml").read_bytes())
    assert replacement.replacements[0].organ_ids == ["000.00.00.H41", "000.00.00.H14"]


@needs_samples
def test_stray_bytes_before_the_declaration_are_accepted_with_a_warning() -> None:
    data = (SAMPLES / "edoc_new.edxml").read_bytes()
    assert data.startswith(b"1212<?xml")
    packet = parse_packet(data)
    assert any("4 stray bytes" in w for w in packet.warnings)
    assert (
        packet.to_dict()["subject"]
        == "V/v kết nối, liên thông phần mềm quản lý văn bản"
    )
    with pytest.raises(PacketRejected, match="not an XML document"):
        parse_packet(
            b"123456789<?xml version='1.0'?>" + data[4:]
        )  # more junk than a known quirk


@needs_samples
def test_the_load_test_template_sample_has_no_real_file() -> None:
    # edoc.edxml is a JMeter template: its attachment is "${__StringFromFile(test.txt,,,)}".
    data = (SAMPLES / "edoc.edxml").read_bytes()
    header = parse_packet(data, decode_attachments=False)
    assert header.attachments[0].name == "GUIDE_INSTALL OPENVPN.SIGNED.PDF"
    assert any("xlink" in w for w in header.warnings)  # undeclared prefix tolerated
    with pytest.raises(PacketRejected, match="invalid Base64"):
        parse_packet(data)


# ------------------------------------------------------------------ round trips
def test_document_round_trip() -> None:
    packet = _packet(
        replacements=[
            edxml.Replacement("000.00.50.H56,2026/11/20,14/QĐ-UBND", ["000.00.51.H56"])
        ],
        business_type=edxml.REPLACE,
    )
    data = edxml.build_document(packet)
    assert data.startswith(b"<?xml") and edxml.NS.encode() in data
    back = parse_packet(data)
    assert back.warnings == []
    assert (
        back.code_number,
        back.code_notation,
        back.subject,
        back.priority,
        back.due_date,
    ) == ("15", "QĐ-UBND", packet.subject, 1, date(2026, 12, 1))
    assert [(a.content_id, a.name, a.data) for a in back.attachments] == [
        ("1-main", "15-QĐ-UBND.pdf", b"%PDF-1.7 test"),
        ("1-a2", "Phụ lục.pdf", b"%PDF-1.7 annex"),
    ]
    assert (
        back.business_type == edxml.REPLACE and back.replacements == packet.replacements
    )
    assert back.to_places == ["Như trên", "Lưu: VT"]


@pytest.mark.parametrize("code", sorted(edxml.STATUS_CODES))
def test_status_round_trip(code: str) -> None:
    status = edxml.StatusPacket(
        sender=edxml.Organization("000.00.51.H56", "Ủy ban nhân dân xã Nhận"),
        response_for=edxml.ResponseFor(
            "000.00.50.H56",
            "15/QĐ-UBND",
            "2026/11/25",
            "000.00.50.H56,2026/11/25,15/QĐ-UBND",
        ),
        status_code=code,
        description="Gửi nhầm đơn vị" if code == "02" else "",
        timestamp="2026/11/25 10:00:00",
    )
    back = parse_packet(edxml.build_status(status))
    assert back.kind == "status" and back.status_code == code
    assert back.response_for == status.response_for
    assert back.description == (status.description or edxml.STATUS_CODES[code])


# ------------------------------------------------------------------ hostile input
XXE = b"""<?xml version="1.0"?>
<!DOCTYPE edXML [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"><x>&xxe;</x></edXML>"""
XXE_NET = b"""<?xml version="1.0"?>
<!DOCTYPE edXML SYSTEM "http://127.0.0.1:9/evil.dtd">
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016"/>"""
LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>
<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&lol3;</edXML>"""
UTF16_DOCTYPE = (
    '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]>'
    '<edXML xmlns="http://www.mic.gov.vn/TBT/QCVN_102_2016">&e;</edXML>'
).encode("utf-16-le")


@pytest.mark.parametrize(
    "data",
    [XXE, XXE_NET, LAUGHS, UTF16_DOCTYPE],
    ids=["xxe", "xxe-net", "laughs", "utf16"],
)
def test_dtds_and_entities_are_refused(data: bytes) -> None:
    with pytest.raises(PacketRejected, match="DOCTYPE"):
        parse_packet(data)


def test_wrong_namespace_and_garbage() -> None:
    good = edxml.build_document(_packet())
    with pytest.raises(PacketRejected, match="namespace"):
        parse_packet(good.replace(edxml.NS.encode(), b"http://www.go.vn/eDoc"))
    with pytest.raises(PacketRejected, match="not an XML document"):
        parse_packet(b"%PDF-1.7")
    with pytest.raises(PacketRejected, match="malformed XML"):
        parse_packet(good[:-20])


def test_oversized_packet(monkeypatch) -> None:
    monkeypatch.setattr(edxml, "MAX_PACKET_BYTES", 1000)
    with pytest.raises(PacketRejected, match="packet too large"):
        parse_packet(
            edxml.build_document(
                _packet(
                    attachments=[edxml.Attachment("a", "a.pdf", bytes(range(256)) * 8)]
                )
            )
        )


def test_invalid_and_oversized_base64(monkeypatch) -> None:
    with pytest.raises(PacketRejected, match="invalid Base64"):
        parse_packet(_with_attachment("UEsDBB$$$not*base64"))
    with pytest.raises(PacketRejected, match="invalid Base64"):
        parse_packet(_with_attachment("QUJDRA"))  # missing padding
    monkeypatch.setattr(edxml, "MAX_ENCODED_BYTES", 100)
    with pytest.raises(PacketRejected, match="attachments too large"):
        parse_packet(_with_attachment(base64.b64encode(b"x" * 200).decode()))


def test_zip_bombs_are_refused(monkeypatch) -> None:
    monkeypatch.setattr(edxml, "MAX_UNZIPPED_BYTES", 1024 * 1024)
    bomb = _zip_b64({"a.pdf": b"\0" * (5 * 1024 * 1024)})  # 5 MB of zeros in a few kB
    assert len(bomb) < 20_000
    with pytest.raises(PacketRejected, match="expands beyond the limit"):
        parse_packet(_with_attachment(bomb))
    many = _zip_b64({f"f{i}.pdf": b"%PDF" for i in range(edxml.MAX_ZIP_MEMBERS + 1)})
    with pytest.raises(PacketRejected, match="too many files"):
        parse_packet(_with_attachment(many))
    with pytest.raises(PacketRejected, match="unreadable zip"):
        parse_packet(
            _with_attachment(base64.b64encode(b"PK\x03\x04" + b"\0" * 40).decode())
        )


def test_a_zip_lying_about_its_size_is_cut_off(monkeypatch) -> None:
    monkeypatch.setattr(edxml, "MAX_UNZIPPED_BYTES", 1000)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("a.pdf", b"\0" * 5000)
    raw = bytearray(out.getvalue())
    # Rewrite the declared uncompressed size (local header and central directory) to 10 bytes.
    for sig, offset in ((b"PK\x03\x04", 22), (b"PK\x01\x02", 24)):
        at = raw.index(sig)
        raw[at + offset : at + offset + 4] = (10).to_bytes(4, "little")
    with pytest.raises(PacketRejected):
        parse_packet(_with_attachment(base64.b64encode(bytes(raw)).decode()))


@pytest.mark.parametrize(
    ("field", "match"),
    [
        ("Subject", "Subject"),
        ("DocumentId", "DocumentId"),
        ("CodeNumber", "Code"),
        ("PromulgationDate", "PromulgationDate"),
    ],
)
def test_missing_required_fields(field: str, match: str) -> None:
    data = edxml.build_document(
        _packet(code_notation="" if field == "CodeNumber" else "QĐ-UBND")
    )
    start = data.index(f"<edXML:{field}>".encode())
    end = data.index(f"</edXML:{field}>".encode()) + len(f"</edXML:{field}>")
    with pytest.raises(PacketRejected, match=match):
        parse_packet(data[:start] + data[end:])


def test_status_packets_are_checked() -> None:
    status = edxml.StatusPacket(
        sender=edxml.Organization("000.00.51.H56"),
        response_for=edxml.ResponseFor(
            document_id="000.00.50.H56,2026/11/25,15/QĐ-UBND"
        ),
        status_code="02",
        description="x",
    )
    data = edxml.build_status(status)
    with pytest.raises(PacketRejected, match="unknown StatusCode"):
        parse_packet(data.replace(b">02<", b">99<"))
    with pytest.raises(PacketRejected, match="reason"):
        parse_packet(data.replace(b"<edXML:Description>x</edXML:Description>", b""))
