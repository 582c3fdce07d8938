from __future__ import annotations

import io
import json
import threading
from datetime import date, timedelta

import pytest

from docflow.audit.models import AuditEntry
from docflow.audit.services import verify_chain
from docflow.documents import services as s
from docflow.documents.access import can_view, can_view_content, visible_clause
from docflow.documents.jobs import remind_deadlines
from docflow.documents.models import (
    AssignmentRole,
    EventKind,
    IncomingDocument,
    IncomingStatus,
    Notification,
)
from docflow.documents.vocab import Secrecy
from docflow.extensions import db
from tests.docflow.documents.conftest import METADATA, make_pdf

TOMORROW = date.today() + timedelta(days=10)


def receive(office, text="Công văn", **meta):
    return s.receive(office.clerk, io.BytesIO(make_pdf(text)), "van-ban.pdf", meta)


def registered(office, text="Công văn", **meta):
    doc = receive(office, text)
    values = dict(METADATA, **meta)
    return s.register(office.clerk, doc, values, presented_to=office.leader)


def in_progress(office, **meta):
    doc = registered(office, **meta)
    plan = s.AssignmentPlan(
        lead=s.Target(user_id=office.specialist.id),
        coordinate=[s.Target(department_id=office.unit.id)],
        inform=[s.Target(user_id=office.head.id)],
        deadline=TOMORROW,
        instruction="Đề nghị xử lý trước hạn",
    )
    return s.assign(office.leader, doc, plan)


def test_receive_puts_document_in_pending_queue_and_checks_signatures(office) -> None:
    doc = receive(office)
    assert doc.status == IncomingStatus.PENDING and doc.arrival_number is None
    assert doc.main_file.media_type == "application/pdf"
    # The signature check ran (inline queue) and stored a report: this PDF has no signature.
    report = json.loads(db.session.get(IncomingDocument, doc.id).signature_report)
    assert report["signatures"] == [] and report["summary"]["reason"] == "NO_SIGNATURE"
    assert [e.kind for e in doc.events] == [EventKind.RECEIVED]


def test_only_records_officers_receive(office) -> None:
    with pytest.raises(s.ActionRefused):
        s.receive(office.specialist, io.BytesIO(make_pdf()), "x.pdf")


def test_arrival_numbers_count_per_register_and_secret_ones_apart(office) -> None:
    first = registered(office, "một")
    second = registered(office, "hai", code_number="16")
    secret = registered(office, "mật", code_number="17", secrecy=Secrecy.CONFIDENTIAL)
    third = registered(office, "ba", code_number="18")
    assert (first.arrival_number, second.arrival_number, third.arrival_number) == (
        1,
        2,
        3,
    )
    assert secret.arrival_number == 1 and secret.register.is_secret
    assert (
        first.register.name == "Sổ văn bản đến"
        and secret.register.name == "Sổ văn bản đến mật"
    )
    assert first.arrival_year == date.today().year


def test_numbers_restart_each_year(office) -> None:
    from docflow.documents.numbering import next_number

    reg = s.default_register(office.agency.id, secret=False)
    assert [
        next_number(reg.id, 2025),
        next_number(reg.id, 2025),
        next_number(reg.id, 2026),
    ] == [1, 2, 1]
    db.session.rollback()


def test_duplicate_warning_and_confirmation(office) -> None:
    registered(office)
    doc = receive(office, "bản trùng")
    with pytest.raises(s.DuplicateWarning) as info:
        s.register(office.clerk, doc, dict(METADATA))
    assert info.value.duplicates[0].arrival_number == 1
    db.session.rollback()
    doc = db.session.get(IncomingDocument, doc.id)
    assert (
        doc.status == IncomingStatus.PENDING and doc.arrival_number is None
    )  # nothing half-written
    s.register(office.clerk, doc, dict(METADATA), confirm_duplicate=True)
    assert doc.arrival_number == 2


def test_register_requires_issuer_and_subject(office) -> None:
    doc = receive(office)
    with pytest.raises(s.ActionRefused, match="issuing agency and the subject"):
        s.register(office.clerk, doc, {"issuer_name": "", "subject": ""})


def test_return_with_reason(office) -> None:
    doc = receive(office)
    with pytest.raises(s.ActionRefused):
        s.return_document(office.clerk, doc, "  ")
    s.return_document(office.clerk, doc, "Gửi nhầm cơ quan")
    assert (
        doc.status == IncomingStatus.RETURNED
        and doc.return_reason == "Gửi nhầm cơ quan"
    )
    with pytest.raises(s.ActionRefused):
        s.register(office.clerk, doc, dict(METADATA))


def test_assignment_and_visibility(office) -> None:
    doc = in_progress(office)
    assert doc.status == IncomingStatus.IN_PROGRESS and doc.due_date == TOMORROW
    roles = {(a.role, a.user_id, a.department_id) for a in doc.assignments if a.active}
    assert roles == {
        (AssignmentRole.LEAD, office.specialist.id, None),
        (AssignmentRole.COORDINATE, None, office.unit.id),
        (AssignmentRole.INFORM, office.head.id, None),
    }
    for user in (office.clerk, office.leader, office.specialist, office.head):
        assert can_view(user, doc), user.username
    assert not can_view(office.other_specialist, doc)
    assert not can_view(office.admin, doc)
    # New assignees were notified (inline job after commit).
    notified = set(
        db.session.scalars(
            db.select(Notification.user_id).where(Notification.kind == "assigned")
        )
    )
    assert {office.specialist.id, office.head.id} <= notified


def test_assignment_rules(office, make_office) -> None:
    doc = registered(office)
    stranger = make_office(code="000.00.77.H56").specialist
    with pytest.raises(s.ActionRefused, match="Only the agency's leaders"):
        s.assign(
            office.specialist,
            doc,
            s.AssignmentPlan(lead=s.Target(user_id=office.specialist.id)),
        )
    with pytest.raises(s.ActionRefused, match="people and departments of the agency"):
        s.assign(
            office.leader, doc, s.AssignmentPlan(lead=s.Target(user_id=stranger.id))
        )
    with pytest.raises(s.ActionRefused, match="past"):
        s.assign(
            office.leader,
            doc,
            s.AssignmentPlan(
                lead=s.Target(user_id=office.specialist.id),
                deadline=date.today() - timedelta(days=1),
            ),
        )
    with pytest.raises(s.ActionRefused, match="twice"):
        s.assign(
            office.leader,
            doc,
            s.AssignmentPlan(
                lead=s.Target(user_id=office.specialist.id),
                inform=[s.Target(user_id=office.specialist.id)],
            ),
        )


def test_reassignment_keeps_history(office) -> None:
    doc = in_progress(office)
    s.assign(
        office.leader,
        doc,
        s.AssignmentPlan(lead=s.Target(user_id=office.other_specialist.id)),
    )
    active = [a for a in doc.assignments if a.active]
    assert [(a.role, a.user_id) for a in active] == [
        (AssignmentRole.LEAD, office.other_specialist.id)
    ]
    assert len(doc.assignments) == 4
    assert doc.events[-1].kind == EventKind.REASSIGNED
    assert not can_view(office.specialist, doc)


def test_processing_forward_extension_complete(office) -> None:
    doc = in_progress(office)
    s.comment(office.specialist, doc, "Đã nghiên cứu, đề xuất phương án")
    s.attach(office.specialist, doc, io.BytesIO(make_pdf("dự thảo")), "du-thao.pdf")
    with pytest.raises(s.ActionRefused, match="Only the lead handler can ask"):
        s.request_extension(
            office.head, doc, TOMORROW + timedelta(days=5), "cần thêm thời gian"
        )
    req = s.request_extension(
        office.specialist, doc, TOMORROW + timedelta(days=5), "Chờ ý kiến các sở"
    )
    with pytest.raises(s.ActionRefused, match="already waiting"):
        s.request_extension(
            office.specialist, doc, TOMORROW + timedelta(days=6), "lần hai"
        )
    with pytest.raises(s.ActionRefused):
        s.decide_extension(office.specialist, req, True)
    s.decide_extension(office.leader, req, True)
    assert doc.due_date == TOMORROW + timedelta(days=5)
    # The department head (coordinating unit) forwards their part to a colleague.
    s.forward(office.head, doc, office.other_specialist, "Phối hợp giúp")
    assert can_view(office.other_specialist, doc)
    with pytest.raises(s.ActionRefused, match="lead handler or a leader"):
        s.complete(office.other_specialist, doc, "xong")
    s.complete(office.specialist, doc, "Đã tham mưu văn bản trả lời số 20/UBND-KT")
    assert doc.status == IncomingStatus.COMPLETED and doc.completed_at is not None
    kinds = [e.kind for e in doc.events]
    assert kinds == [
        EventKind.RECEIVED,
        EventKind.REGISTERED,
        EventKind.ASSIGNED,
        EventKind.COMMENTED,
        EventKind.ATTACHED,
        EventKind.EXTENSION_REQUESTED,
        EventKind.EXTENSION_DECIDED,
        EventKind.FORWARDED,
        EventKind.COMPLETED,
    ]
    with pytest.raises(s.ActionRefused, match="not being processed"):
        s.comment(office.specialist, doc, "sau khi xong")


def test_every_change_is_audited_and_chain_holds(office) -> None:
    doc = in_progress(office)
    s.complete(office.specialist, doc, "Hoàn thành")
    actions = db.session.scalars(
        db.select(AuditEntry.action)
        .where(AuditEntry.object_type == "incoming_document")
        .order_by(AuditEntry.seq)
    ).all()
    assert actions == [
        "incoming.receive",
        "incoming.register",
        "incoming.assigned",
        "incoming.complete",
    ]
    assert verify_chain().ok


def test_secret_document_content_only_for_named_people(office) -> None:
    doc = registered(office, secrecy=Secrecy.SECRET)
    s.assign(
        office.leader,
        doc,
        s.AssignmentPlan(lead=s.Target(user_id=office.specialist.id)),
    )
    assert can_view_content(office.clerk, doc)  # registered it
    assert can_view_content(office.leader, doc)  # presented to
    assert can_view_content(office.specialist, doc)  # named
    other_leader = office.leader.__class__(
        username="lanhdao_khac",
        full_name="Lãnh đạo khác",
        agency_id=office.agency.id,
        role=office.leader.role,
        password_hash="x",
    )
    db.session.add(other_leader)
    db.session.commit()
    assert can_view(other_leader, doc) and not can_view_content(other_leader, doc)


def test_overdue_and_reminders_are_sent_once_a_day(office) -> None:
    doc = in_progress(office)
    doc.due_date = date.today() - timedelta(days=1)
    db.session.commit()
    assert remind_deadlines() >= 1
    remind_deadlines()  # safe to run twice
    rows = db.session.scalars(
        db.select(Notification).where(Notification.kind == "overdue")
    ).all()
    assert sorted(n.user_id for n in rows) == sorted(
        {office.specialist.id, office.head.id}
    )


def test_visible_clause_never_crosses_agencies(office, make_office) -> None:
    mine = in_progress(office)
    other = make_office(code="000.00.78.H56")
    theirs = registered(other)
    for user in (office.clerk, office.leader, office.specialist):
        ids = set(
            db.session.scalars(
                db.select(IncomingDocument.id).where(visible_clause(user))
            )
        )
        assert mine.id in ids and theirs.id not in ids


def test_concurrent_registration_never_shares_a_number(make_office) -> None:
    """Several clerks register at once: every number is given exactly once (SQLite and PostgreSQL)."""
    from flask import current_app

    app = current_app._get_current_object()
    office = make_office(code="000.00.79.H56")
    docs = [
        receive(office, f"song song {i}", code_number=str(100 + i)).id for i in range(8)
    ]
    clerk_id = office.clerk.id
    errors: list[BaseException] = []

    def work(doc_id: int) -> None:
        try:
            with app.app_context():
                from docflow.auth.models import User

                doc = db.session.get(IncomingDocument, doc_id)
                s.register(
                    db.session.get(User, clerk_id),
                    doc,
                    dict(
                        METADATA, code_number=str(doc_id), subject=f"Văn bản {doc_id}"
                    ),
                )
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=work, args=(d,)) for d in docs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert errors == []
    db.session.expire_all()
    numbers = sorted(
        db.session.scalars(
            db.select(IncomingDocument.arrival_number).where(
                IncomingDocument.id.in_(docs)
            )
        )
    )
    assert numbers == list(range(1, 9))


def test_reminders_command_queues_the_daily_jobs(office) -> None:
    from flask import current_app

    doc = in_progress(office)
    doc.due_date = date.today() - timedelta(days=2)
    db.session.commit()
    result = current_app.test_cli_runner().invoke(args=["reminders"])
    assert result.exit_code == 0, result.output
    assert (
        "incoming.remind_deadlines" in result.output
        and "dossiers.remind_archive_due" in result.output
    )
    kinds = db.session.scalars(
        db.select(Notification.kind).where(Notification.user_id == office.specialist.id)
    )
    assert "overdue" in set(kinds)
