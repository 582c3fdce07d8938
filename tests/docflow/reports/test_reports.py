"""The processing reports: exact figures per row, scope per role, drill-down, exports.

One small office holds a document in every state (completed on the last minute of its
deadline day and just after it, overdue, in progress, without deadline, waiting for an
assignment, received just inside and outside the period ...) and the tests assert each
figure, on SQLite and on PostgreSQL (``DOCFLOW_TEST_DB=postgres``).
"""

from __future__ import annotations

import csv
import io
import os
import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from html import unescape
from typing import Any

import pytest
from sqlalchemy import select

from docflow.agencies.models import Department
from docflow.audit.models import AuditEntry
from docflow.documents.deadlines import today
from docflow.documents.models import (
    Assignment,
    AssignmentRole,
    IncomingDocument,
    IncomingStatus,
)
from docflow.documents.services import default_register
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from docflow.interchange.models import OutboxMessage, RecipientStatus
from docflow.outgoing.models import (
    DeliveryState,
    OutgoingDocument,
    OutgoingStatus,
    Recipient,
    RecipientKind,
)
from docflow.registers.pdf import Period
from docflow.reports import incoming as incoming_report
from docflow.reports import outgoing as outgoing_report
from docflow.timeutil import VN_TZ
from tests.helpers import login

FEB = {"from": "2026-02-01", "to": "2026-02-28"}
FEBRUARY = Period(date(2026, 2, 1), date(2026, 2, 28))
INCOMING_COLUMNS = [
    "received",
    "on_time",
    "late",
    "in_progress",
    "overdue",
    "no_deadline",
]
OUTGOING_COLUMNS = list(outgoing_report.MEASURES)


def vn(year: int, month: int, day: int, hour: int = 9, minute: int = 0) -> datetime:
    """A Vietnam wall-clock time as the naive UTC value the database stores."""
    return (
        datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
        .astimezone(UTC)
        .replace(tzinfo=None)
    )


def figures(*values: int, columns: list[str] = INCOMING_COLUMNS) -> dict[str, int]:
    return dict(zip(columns, values, strict=True))


# ---------------------------------------------------------------- the office
@dataclass
class World:
    office: Any
    other_unit: Any
    docs: dict[str, Any]
    stranger: Any  # a leader of another agency


def incoming(
    office,
    received: datetime,
    *,
    status: IncomingStatus = IncomingStatus.IN_PROGRESS,
    due: date | None = None,
    completed: datetime | None = None,
    leads: tuple[dict[str, int], ...] = (),
    secret: bool = False,
    agency=None,
) -> IncomingDocument:
    """A document as assigning (and completing) it leaves it; ``leads`` in order."""
    doc = IncomingDocument(
        agency_id=(agency or office.agency).id,
        status=status,
        received_at=received,
        arrival_date=received,
        subject="Về việc kiểm tra tiến độ giải quyết văn bản",
        due_date=due,
        completed_at=completed,
        secrecy=Secrecy.SECRET if secret else Secrecy.NONE,
    )
    db.session.add(doc)
    db.session.flush()
    for target in leads:
        db.session.add(
            Assignment(
                document_id=doc.id,
                role=AssignmentRole.LEAD,
                assigned_by_id=office.leader.id,
                deadline=due,
                completed_at=completed,
                **target,
            )
        )
    db.session.commit()
    return doc


def add_assignment(doc, office, role, active=True, **target) -> None:
    db.session.add(
        Assignment(
            document_id=doc.id,
            role=role,
            assigned_by_id=office.leader.id,
            active=active,
            **target,
        )
    )
    db.session.commit()


@pytest.fixture
def world(make_office) -> World:
    office = make_office()
    stranger_office = make_office(name="Ủy ban nhân dân xã Khác")
    vx = db.session.scalar(
        select(Department).where(
            Department.agency_id == office.agency.id, Department.short_name == "VX"
        )
    )
    spec = {"user_id": office.specialist.id}
    kt = {"department_id": office.unit.id}
    later = today() + timedelta(days=30)
    done = IncomingStatus.COMPLETED
    docs = {
        # Received 00:30 on 1 February in Vietnam (31 January in UTC): in the period.
        # Completed at 23:30 on its deadline day: on time.
        "on_time": incoming(
            office,
            vn(2026, 2, 1, 0, 30),
            status=done,
            due=date(2026, 2, 10),
            completed=vn(2026, 2, 10, 23, 30),
            leads=(spec,),
        ),
        # Completed ten minutes into the next day: late.
        "late": incoming(
            office,
            vn(2026, 2, 2),
            status=done,
            due=date(2026, 2, 10),
            completed=vn(2026, 2, 11, 0, 10),
            leads=(spec,),
        ),
        # Given to the unit, not yet to a person; the deadline is ahead.
        "in_progress": incoming(office, vn(2026, 2, 3), due=later, leads=(kt,)),
        # Given to the unit, passed on by the head to the specialist; deadline passed.
        "overdue": incoming(
            office, vn(2026, 2, 4), due=date(2026, 2, 20), leads=(kt, spec)
        ),
        "head_no_deadline": incoming(
            office, vn(2026, 2, 5), leads=({"user_id": office.head.id},)
        ),
        "done_no_deadline": incoming(
            office,
            vn(2026, 2, 6),
            status=done,
            completed=vn(2026, 2, 7),
            leads=(spec,),
        ),
        # The other unit: a secret document, overdue (metadata counts like any other).
        "vx_secret_overdue": incoming(
            office,
            vn(2026, 2, 28, 23, 50),
            due=date(2026, 2, 20),
            leads=({"user_id": office.other_specialist.id},),
            secret=True,
        ),
        # Not counted in the units: waiting for assignment, returned, outside the
        # period (31 January 23:59 and 1 March 00:00 in Vietnam), another agency's.
        "waiting": incoming(office, vn(2026, 2, 9), status=IncomingStatus.REGISTERED),
        "returned": incoming(office, vn(2026, 2, 9), status=IncomingStatus.RETURNED),
        "january": incoming(office, vn(2026, 1, 31, 23, 59), leads=(spec,)),
        "march": incoming(office, vn(2026, 3, 1, 0, 0), leads=(spec,)),
        "stranger": incoming(
            stranger_office,
            vn(2026, 2, 9),
            leads=({"user_id": stranger_office.specialist.id},),
        ),
    }
    # History and secondary roles do not move a document: a replaced lead to the other
    # unit, a coordinating unit.
    add_assignment(
        docs["in_progress"],
        office,
        AssignmentRole.LEAD,
        active=False,
        department_id=vx.id,
    )
    add_assignment(
        docs["on_time"], office, AssignmentRole.COORDINATE, department_id=vx.id
    )
    return World(office, vx, docs, stranger_office.leader)


def client_for(app: Any, user: Any) -> Any:
    client = app.test_client()
    login(client, user.username)
    return client


def table_figures(html: str, table_id: str) -> dict[str, dict[str, int]]:
    """{row key: {column: figure}} of a report table on the page."""
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    rows = {}
    for key, body in re.findall(r'<tr data-key="([^"]+)"[^>]*>(.*?)</tr>', table, re.S):
        cells = re.findall(r'data-measure="([a-z_]+)">(?:<a href="[^"]*">)?(\d+)', body)
        rows[key] = {m: int(n) for m, n in cells}
    return rows


def pdftotext(data: bytes, tmp_path: Any, *, layout: bool = False) -> str:
    """The PDF's text: in reading order with whitespace collapsed, or laid out in rows."""
    if shutil.which("pdftotext") is None:
        if os.environ.get("DOCFLOW_TEST_REQUIRE_SERVERS") == "1":
            pytest.fail("pdftotext is missing")
        pytest.skip("pdftotext (poppler-utils) not installed")
    path = tmp_path / "report.pdf"
    path.write_bytes(data)
    args = ["-layout"] if layout else []
    command = ["pdftotext", *args, "-enc", "UTF-8", str(path), "-"]
    text = subprocess.run(  # noqa: S603 - fixed arguments
        command,
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    return text if layout else " ".join(text.split())


# ---------------------------------------------------------------- incoming figures
def test_incoming_report_per_unit_for_a_leader(world) -> None:
    office = world.office
    report = incoming_report.by_unit(office.leader, FEBRUARY)

    rows = {r.key: r for r in report.rows}
    # Every active unit has a row, those without documents too; names from the units.
    assert [r.name for r in report.rows] == ["Phòng Kinh tế", "Phòng Văn hóa - Xã hội"]
    assert rows[str(office.unit.id)].figures == figures(6, 1, 1, 1, 1, 2)
    assert rows[str(world.other_unit.id)].figures == figures(1, 0, 0, 0, 1, 0)
    assert report.total.figures == figures(7, 1, 1, 1, 2, 2)
    assert report.waiting == 1


def test_incoming_columns_partition_the_received_documents(world) -> None:
    report = incoming_report.by_unit(world.office.clerk, FEBRUARY)
    for row in [*report.rows, report.total]:
        parts = sum(row.figures[m] for m in INCOMING_COLUMNS[1:])
        assert parts == row.figures["received"], row


def test_incoming_report_per_person_in_a_unit(world) -> None:
    office = world.office
    report = incoming_report.by_person(office.leader, FEBRUARY, str(office.unit.id))

    rows = {r.key: r for r in report.rows}
    assert set(rows) == {str(office.specialist.id), str(office.head.id), "none"}
    # The specialist: named lead of three, and the person the unit's overdue one went to.
    assert rows[str(office.specialist.id)].figures == figures(4, 1, 1, 0, 1, 1)
    assert rows[str(office.head.id)].figures == figures(1, 0, 0, 0, 0, 1)
    assert rows["none"].figures == figures(1, 0, 0, 1, 0, 0)
    assert report.rows[0].key == "none"  # the unit itself first, then people by name
    assert report.total.figures == figures(6, 1, 1, 1, 1, 2)
    assert report.unit.id == office.unit.id


def test_the_deadline_day_ends_at_midnight_in_vietnam(world) -> None:
    """23:30 on the deadline day is on time, 00:10 the next day is late (UTC 16:30/17:10)."""
    found = {
        m: [
            d.id
            for d in incoming_report.documents(
                world.office.leader,
                FEBRUARY,
                unit_key=None,
                person_key=None,
                measure=m,
            ).items
        ]
        for m in ("on_time", "late")
    }
    assert found == {
        "on_time": [world.docs["on_time"].id],
        "late": [world.docs["late"].id],
    }


def test_incoming_report_page_and_drill_down(app, world) -> None:
    office = world.office
    client = client_for(app, office.leader)

    page = client.get("/reports/incoming", query_string=FEB)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Báo cáo tình hình giải quyết văn bản đến" in html
    assert "Quá hạn chưa giải quyết" in html and "Đã giải quyết đúng hạn" in html
    table = table_figures(html, "incoming-report")
    assert table[str(office.unit.id)] == figures(6, 1, 1, 1, 1, 2)
    assert table["total"] == figures(7, 1, 1, 1, 2, 2)
    assert 'data-waiting="1"' in html

    # The unit's overdue figure links to the list of exactly that document.
    link = re.search(
        rf'<tr data-key="{office.unit.id}".*?data-measure="overdue"><a href="([^"]+)"',
        html,
        re.S,
    ).group(1)
    listed = client.get(unescape(link)).get_data(as_text=True)
    assert re.findall(r'data-document="(\d+)"', listed) == [
        str(world.docs["overdue"].id)
    ]

    # The unit's name opens the per-person page; the specialist's figure lists theirs.
    persons = client.get(
        "/reports/incoming", query_string={**FEB, "unit": office.unit.id}
    ).get_data(as_text=True)
    assert "Người chủ trì" in persons and "Đỗ Minh Tuấn" in persons
    assert table_figures(persons, "incoming-report")[str(office.specialist.id)] == (
        figures(4, 1, 1, 0, 1, 1)
    )
    link = re.search(
        rf'<tr data-key="{office.specialist.id}".*?data-measure="received"><a href="([^"]+)"',
        persons,
        re.S,
    ).group(1)
    listed = client.get(unescape(link)).get_data(as_text=True)
    expected = {
        world.docs[k].id for k in ("on_time", "late", "overdue", "done_no_deadline")
    }
    assert {int(i) for i in re.findall(r'data-document="(\d+)"', listed)} == expected


# ---------------------------------------------------------------- who sees what
def test_a_department_head_sees_only_their_unit(app, world) -> None:
    office = world.office
    report = incoming_report.by_unit(office.head, FEBRUARY)
    assert [r.key for r in report.rows] == [str(office.unit.id)]
    assert report.total.figures == figures(6, 1, 1, 1, 1, 2)
    assert report.waiting is None  # the agency's queue is not theirs

    client = client_for(app, office.head)
    html = client.get("/reports/incoming", query_string=FEB).get_data(as_text=True)
    assert set(table_figures(html, "incoming-report")) == {str(office.unit.id), "total"}
    assert "Phòng Văn hóa - Xã hội" not in html and "data-waiting" not in html
    for unit in (world.other_unit.id, "none"):
        assert (
            client.get(
                "/reports/incoming", query_string={**FEB, "unit": unit}
            ).status_code
            == 404
        )
        assert (
            client.get(
                "/reports/incoming/documents", query_string={**FEB, "unit": unit}
            ).status_code
            == 404
        )
    # Without a unit, the drill-down still lists only what the head may count.
    listed = client.get(
        "/reports/incoming/documents", query_string={**FEB, "measure": "overdue"}
    ).get_data(as_text=True)
    assert re.findall(r'data-document="(\d+)"', listed) == [
        str(world.docs["overdue"].id)
    ]


def test_specialists_and_administrators_have_no_report(app, world) -> None:
    for user in (world.office.specialist, world.office.admin):
        client = client_for(app, user)
        for url in ("/reports/", "/reports/incoming", "/reports/outgoing"):
            assert client.get(url).status_code == 403, (user.role, url)
        assert client.get("/reports/incoming/documents").status_code == 403
        assert "/reports/" not in client.get("/incoming/").get_data(as_text=True)


def test_the_navigation_links_the_reports_for_those_who_may_open_them(
    app, world
) -> None:
    for user in (world.office.leader, world.office.clerk, world.office.head):
        html = client_for(app, user).get("/incoming/").get_data(as_text=True)
        assert 'href="/reports/"' in html and ">Báo cáo<" in html


def test_another_agency_sees_nothing_of_this_one(app, world) -> None:
    client = client_for(app, world.stranger)
    assert (
        client.get(
            "/reports/incoming", query_string={**FEB, "unit": world.office.unit.id}
        ).status_code
        == 404
    )
    assert (
        client.get(
            "/reports/incoming/documents",
            query_string={**FEB, "unit": world.office.unit.id},
        ).status_code
        == 404
    )
    # Their own report counts only their own document.
    report = incoming_report.by_unit(world.stranger, FEBRUARY)
    assert report.total.figures == figures(1, 0, 0, 0, 0, 1)


def test_bad_periods_are_refused_with_a_message(app, world) -> None:
    client = client_for(app, world.office.leader)
    cases = [
        ({"from": "2026-13-01"}, "Nhập ngày theo dạng"),
        ({"from": "2026-02-10", "to": "2026-02-01"}, "Ngày kết thúc đứng trước"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "không quá một năm"),
        # Dates whose UTC bounds would overflow.
        ({"from": "0001-01-01", "to": "0001-01-31"}, "từ năm 1900 đến năm 2100"),
        ({"from": "9999-12-01"}, "từ năm 1900 đến năm 2100"),
        ({"to": "31/12/9999"}, "từ năm 1900 đến năm 2100"),
    ]
    for url in (
        "/reports/incoming",
        "/reports/outgoing",
        "/reports/incoming/documents",
    ):
        for args, message in cases:
            for fmt in ({}, {"format": "pdf"}, {"format": "csv"}):
                response = client.get(url, query_string={**args, **fmt})
                assert response.status_code == 400, (url, args, fmt)
                assert message in response.get_data(as_text=True)
    # The registers share the period rules.
    default_register(world.office.agency.id, False)
    db.session.commit()
    response = client.get(
        "/incoming/register-book", query_string={"from": "0001-01-01"}
    )
    assert response.status_code == 400
    assert "từ năm 1900 đến năm 2100" in response.get_data(as_text=True)
    assert (
        client.get("/reports/incoming", query_string={"unit": "x"}).status_code == 404
    )
    assert (
        client.get(
            "/reports/incoming/documents", query_string={"measure": "nope"}
        ).status_code
        == 404
    )


def test_the_default_period_is_this_month(app, world) -> None:
    client = client_for(app, world.office.leader)
    html = client.get("/reports/incoming").get_data(as_text=True)
    month = Period.month_of(today())
    assert f'value="{month.start.isoformat()}"' in html
    assert f'value="{month.end.isoformat()}"' in html


# ---------------------------------------------------------------- outgoing figures
def outgoing(
    office,
    *,
    created: datetime,
    issued: datetime | None = None,
    department=None,
    doc_type: str = "Quyết định",
    secret: bool = False,
    recipients: tuple[tuple[RecipientKind, DeliveryState, str | None], ...] = (),
    agency=None,
) -> OutgoingDocument:
    """A draft, or an issued document with recipients: (kind, delivery, outcome)."""
    doc = OutgoingDocument(
        agency_id=(agency or office.agency).id,
        status=OutgoingStatus.ISSUED if issued else OutgoingStatus.DRAFT,
        doc_type=doc_type,
        subject="Về việc báo cáo",
        department_id=department,
        drafted_by_id=office.specialist.id,
        created_at=created,
        issued_at=issued,
        secrecy=Secrecy.SECRET if secret else Secrecy.NONE,
    )
    db.session.add(doc)
    db.session.flush()
    for n, (kind, delivery, outcome) in enumerate(recipients):
        recipient = Recipient(
            document_id=doc.id, kind=kind, name=f"Nơi nhận {n}", delivery=delivery
        )
        db.session.add(recipient)
        db.session.flush()
        if outcome == "returned":
            db.session.add(RecipientStatus(recipient_id=recipient.id, code="02"))
        if outcome in ("failed", "pending"):
            db.session.add(
                OutboxMessage(
                    kind="document",
                    sender_code=office.agency.code,
                    receiver_code=f"000.00.{n:02d}.H99",
                    edxml_document_id=f"{doc.id},{n}",
                    recipient_id=recipient.id,
                    outgoing_id=doc.id,
                    payload=b"<edXML/>",
                    state=outcome,
                )
            )
    db.session.commit()
    return doc


@pytest.fixture
def sent(world) -> World:
    office, kt, vx = world.office, world.office.unit.id, world.other_unit.id
    agency, unit, place = (
        RecipientKind.AGENCY,
        RecipientKind.DEPARTMENT,
        RecipientKind.PLACE,
    )
    D = DeliveryState
    outgoing(office, created=vn(2026, 2, 1, 0, 5), department=kt, doc_type="Công văn")
    outgoing(
        office,
        created=vn(2026, 2, 2),
        issued=vn(2026, 2, 5),
        department=kt,
        recipients=(
            (agency, D.DELIVERED, None),
            (agency, D.DELIVERED, "returned"),
            (agency, D.QUEUED, "failed"),
            (agency, D.QUEUED, "pending"),
            (place, D.NOT_ELECTRONIC, None),
        ),
    )
    # Secret: drafted in January, issued in February, on paper only.
    outgoing(
        office,
        created=vn(2026, 1, 20),
        issued=vn(2026, 2, 6),
        department=kt,
        secret=True,
        recipients=((agency, D.NOT_ELECTRONIC, None),),
    )
    # To a unit of the agency only: electronic, no recipient agency.
    outgoing(
        office,
        created=vn(2026, 2, 3),
        issued=vn(2026, 2, 28, 23, 59),
        department=vx,
        doc_type="Công văn",
        recipients=((unit, D.DELIVERED, None),),
    )
    # Drafted in February, issued on 1 March (Vietnam time): a draft of the period only.
    outgoing(
        office,
        created=vn(2026, 2, 4),
        issued=vn(2026, 3, 1, 0, 1),
        department=vx,
        recipients=((agency, D.DELIVERED, None),),
    )
    outgoing(office, created=vn(2026, 2, 7), doc_type="Tờ trình")  # no unit
    outgoing(office, created=vn(2026, 1, 31, 23, 59), department=kt)  # January
    outgoing(
        office,
        created=vn(2026, 2, 7),
        issued=vn(2026, 2, 8),
        agency=world.stranger.agency,
        recipients=((agency, D.DELIVERED, None),),
    )
    return world


def out_figures(*values: int) -> dict[str, int]:
    return figures(*values, columns=OUTGOING_COLUMNS)


def test_outgoing_report_per_unit_and_type_for_a_clerk(sent) -> None:
    office = sent.office
    report = outgoing_report.report(office.clerk, FEBRUARY)

    units = {r.key: r.figures for r in report.by_unit}
    #            drafts issued electronic paper recipients delivered waiting failed returned
    assert units == {
        str(office.unit.id): out_figures(2, 2, 1, 1, 4, 1, 1, 1, 1),
        str(sent.other_unit.id): out_figures(2, 1, 1, 0, 0, 0, 0, 0, 0),
        "none": out_figures(1, 0, 0, 0, 0, 0, 0, 0, 0),
    }
    assert [r.key for r in report.by_unit][-1] == "none"
    assert report.unit_total.figures == out_figures(5, 3, 2, 1, 4, 1, 1, 1, 1)
    types = {r.name: r.figures for r in report.by_type}
    assert types == {
        "Công văn": out_figures(2, 1, 1, 0, 0, 0, 0, 0, 0),
        "Quyết định": out_figures(2, 2, 1, 1, 4, 1, 1, 1, 1),
        "Tờ trình": out_figures(1, 0, 0, 0, 0, 0, 0, 0, 0),
    }
    assert report.type_total.figures == report.unit_total.figures


def test_outgoing_report_of_a_department_head_is_their_unit(app, sent) -> None:
    office = sent.office
    report = outgoing_report.report(office.head, FEBRUARY)
    assert [r.key for r in report.by_unit] == [str(office.unit.id)]
    assert {r.name: r.figures for r in report.by_type} == {
        "Công văn": out_figures(1, 0, 0, 0, 0, 0, 0, 0, 0),
        "Quyết định": out_figures(1, 2, 1, 1, 4, 1, 1, 1, 1),
    }
    html = (
        client_for(app, office.head)
        .get("/reports/outgoing", query_string=FEB)
        .get_data(as_text=True)
    )
    assert set(table_figures(html, "outgoing-by-unit")) == {
        str(office.unit.id),
        "total",
    }
    assert table_figures(html, "outgoing-by-unit")["total"] == out_figures(
        2, 2, 1, 1, 4, 1, 1, 1, 1
    )


def test_outgoing_report_page(app, sent) -> None:
    html = (
        client_for(app, sent.office.leader)
        .get("/reports/outgoing", query_string=FEB)
        .get_data(as_text=True)
    )
    assert "Báo cáo giải quyết văn bản đi" in html and "Ban hành điện tử" in html
    assert table_figures(html, "outgoing-by-unit")["total"] == out_figures(
        5, 3, 2, 1, 4, 1, 1, 1, 1
    )
    assert table_figures(html, "outgoing-by-type")["total"] == out_figures(
        5, 3, 2, 1, 4, 1, 1, 1, 1
    )
    # The stranger's agency counts only its own document.
    other = outgoing_report.report(sent.stranger, FEBRUARY)
    assert other.unit_total.figures == out_figures(1, 1, 1, 0, 1, 1, 0, 0, 0)


def listed(client, link: str) -> list[int]:
    html = client.get(unescape(link)).get_data(as_text=True)
    return [int(i) for i in re.findall(r'data-document="(\d+)"', html)]


def cell_link(html: str, table_id: str, key: str, measure: str) -> str:
    table = re.search(rf'<table[^>]*id="{table_id}".*?</table>', html, re.S).group(0)
    return re.search(
        rf'<tr data-key="{re.escape(key)}".*?data-measure="{measure}"><a href="([^"]+)"',
        table,
        re.S,
    ).group(1)


def test_outgoing_figures_link_to_their_documents(app, sent) -> None:
    office = sent.office
    client = client_for(app, office.leader)
    html = client.get("/reports/outgoing", query_string=FEB).get_data(as_text=True)
    kt = str(office.unit.id)
    issued_kt = listed(client, cell_link(html, "outgoing-by-unit", kt, "issued"))
    assert len(issued_kt) == 2
    # One recipient agency per state: each list holds the one recipient of its state.
    seen = set()
    for measure in ("delivered", "waiting", "failed", "returned"):
        link = cell_link(html, "outgoing-by-unit", kt, measure)
        page = client.get(unescape(link)).get_data(as_text=True)
        recipients = re.findall(r'data-recipient="(\d+)"', page)
        assert len(recipients) == 1, measure
        seen.add(recipients[0])
    assert len(seen) == 4
    paper = listed(client, cell_link(html, "outgoing-by-type", "Quyết định", "paper"))
    assert len(paper) == 1 and paper[0] in issued_kt
    drafts = listed(client, cell_link(html, "outgoing-by-unit", "total", "drafts"))
    assert len(drafts) == 5
    none = listed(client, cell_link(html, "outgoing-by-unit", "none", "drafts"))
    assert len(none) == 1 and none[0] in drafts


def test_outgoing_drill_down_follows_the_scope(app, sent) -> None:
    office = sent.office
    head = client_for(app, office.head)
    url = "/reports/outgoing/documents"
    for args in (
        {"group": "unit", "key": sent.other_unit.id},
        {"group": "unit", "key": "none"},
        {"group": "unit"},
        {"group": "type"},
        {"group": "other", "key": "x"},
        {"measure": "nope"},
    ):
        assert head.get(url, query_string={**FEB, **args}).status_code == 404, args
    # By type, a head lists only the documents of their unit.
    html = head.get(
        url, query_string={**FEB, "group": "type", "key": "Quyết định"}
    ).get_data(as_text=True)
    assert len(re.findall(r'data-document="(\d+)"', html)) == 2
    stranger = client_for(app, sent.stranger)
    assert (
        stranger.get(
            url, query_string={**FEB, "group": "unit", "key": office.unit.id}
        ).status_code
        == 404
    )
    assert client_for(app, office.specialist).get(url).status_code == 403


# ---------------------------------------------------------------- exports
def exports(kind: str) -> int:
    action = f"reports.{kind}.export"
    return db.session.query(AuditEntry).filter_by(action=action).count()


def test_incoming_pdf_and_csv(app, world, tmp_path) -> None:
    office = world.office
    client = client_for(app, office.leader)

    response = client.get("/reports/incoming", query_string={**FEB, "format": "pdf"})
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "application/pdf"
    assert (
        "bao-cao-van-ban-den-20260201-20260228.pdf"
        in response.headers["Content-Disposition"]
    )
    text = pdftotext(response.data, tmp_path)
    rows = pdftotext(response.data, tmp_path, layout=True)
    for heading in (
        "BÁO CÁO TÌNH HÌNH GIẢI QUYẾT VĂN BẢN ĐẾN".lower(),
        "đơn vị chủ trì",
        "phòng kinh tế",
        "phòng văn hóa - xã hội",
        "tổng cộng",
        "từ ngày 01/02/2026 đến ngày 28/02/2026",
    ):
        assert heading in text.lower(), heading
    assert re.search(r"Phòng Kinh tế\s+6\s+1\s+1\s+1\s+1\s+2\n", rows)
    assert re.search(r"Tổng cộng\s+7\s+1\s+1\s+1\s+2\s+2\n", rows)

    response = client.get(
        "/reports/incoming",
        query_string={**FEB, "format": "csv", "unit": office.unit.id},
    )
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert response.data.startswith("\ufeff".encode())
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert rows[0] == [
        "Người chủ trì",
        "Số văn bản nhận",
        "Đã giải quyết đúng hạn",
        "Đã giải quyết quá hạn",
        "Đang giải quyết trong hạn",
        "Quá hạn chưa giải quyết",
        "Không có thời hạn",
    ]
    assert rows[1:] == [
        ["Giao cho đơn vị, chưa giao cá nhân", "1", "0", "0", "1", "0", "0"],
        ["Phạm Thị Hằng", "1", "0", "0", "0", "0", "1"],
        ["Đỗ Minh Tuấn", "4", "1", "1", "0", "1", "1"],
        ["Tổng cộng", "6", "1", "1", "1", "1", "2"],
    ]
    assert exports("incoming") == 2
    entry = db.session.scalars(
        select(AuditEntry)
        .where(AuditEntry.action == "reports.incoming.export")
        .order_by(AuditEntry.seq)
    ).all()[-1]
    assert entry.actor_id == office.leader.id and '"format": "csv"' in entry.details


def test_outgoing_pdf_and_csv(app, sent, tmp_path) -> None:
    client = client_for(app, sent.office.clerk)
    response = client.get("/reports/outgoing", query_string={**FEB, "format": "pdf"})
    assert response.status_code == 200
    text = pdftotext(response.data, tmp_path)
    for heading in (
        "báo cáo giải quyết văn bản đi",
        "dự thảo tạo mới",
        "ban hành điện tử",
        "theo đơn vị soạn thảo",
        "theo loại văn bản",
        "quyết định",
    ):
        assert heading in text.lower(), heading
    laid_out = pdftotext(response.data, tmp_path, layout=True)
    assert re.search(r"Phòng Kinh tế\s+2\s+2\s+1\s+1\s+4\s+1\s+1\s+1\s+1\n", laid_out)

    response = client.get("/reports/outgoing", query_string={**FEB, "format": "csv"})
    rows = list(csv.reader(io.StringIO(response.data.decode("utf-8-sig"))))
    assert response.data.startswith("\ufeff".encode())
    assert rows[0] == [
        "Nhóm",
        "Tên",
        "Dự thảo tạo mới",
        "Đã ban hành",
        "Ban hành điện tử",
        "Chỉ ban hành giấy",
        "Nơi nhận liên thông",
        "Đã chuyển đến",
        "Đang chờ gửi",
        "Gửi lỗi",
        "Bị trả lại",
    ]
    assert [
        "Theo đơn vị soạn thảo",
        "Phòng Kinh tế",
        "2",
        "2",
        "1",
        "1",
        "4",
        "1",
        "1",
        "1",
        "1",
    ] in rows
    assert [
        "Theo đơn vị soạn thảo",
        "Không thuộc đơn vị nào",
        "1",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
        "0",
    ] in rows
    assert [
        "Theo loại văn bản",
        "Tổng cộng",
        "5",
        "3",
        "2",
        "1",
        "4",
        "1",
        "1",
        "1",
        "1",
    ] in rows
    assert exports("outgoing") == 2


def test_csv_cells_are_never_formulas(app, world) -> None:
    world.office.unit.name = '=HYPERLINK("http://x")'
    db.session.commit()
    client = client_for(app, world.office.leader)
    data = client.get(
        "/reports/incoming", query_string={**FEB, "format": "csv"}
    ).data.decode("utf-8-sig")
    assert "'=HYPERLINK" in data


# ---------------------------------------------------------------- SQL aggregates
def statements(app, run) -> int:
    """How many SQL statements ``run()`` sends."""
    from sqlalchemy import event

    count = 0

    def seen(*args: Any) -> None:
        nonlocal count
        count += 1

    engine = db.engine
    event.listen(engine, "before_cursor_execute", seen)
    try:
        run()
    finally:
        event.remove(engine, "before_cursor_execute", seen)
    return count


def test_figures_are_aggregated_in_sql_whatever_the_number_of_documents(
    app, sent
) -> None:
    """The statements stay the same when the documents double: GROUP BY, no rows loaded."""
    office = sent.office

    def run() -> None:
        db.session.expire_all()
        incoming_report.by_unit(office.leader, FEBRUARY)
        incoming_report.by_person(office.leader, FEBRUARY, str(office.unit.id))
        outgoing_report.report(office.leader, FEBRUARY)

    before = statements(app, run)
    for n in range(10):
        incoming(
            office,
            vn(2026, 2, 10 + n),
            due=date(2026, 2, 20),
            leads=({"user_id": office.specialist.id},),
        )
        outgoing(office, created=vn(2026, 2, 10 + n), department=office.unit.id)
    assert statements(app, run) == before
    assert (
        incoming_report.by_unit(office.leader, FEBRUARY).total.figures["received"] == 17
    )
