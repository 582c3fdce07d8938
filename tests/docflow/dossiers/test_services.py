from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from docflow.audit.models import AuditEntry
from docflow.documents.models import IncomingDocument, Notification
from docflow.dossiers import services as ds
from docflow.dossiers.jobs import remind_archive_due
from docflow.dossiers.models import DossierItem, DossierStatus
from docflow.extensions import db
from docflow.files.models import StoredFile


@pytest.mark.parametrize(
    ("end", "retention", "construction", "settled", "due"),
    [
        (
            date(2024, 3, 15),
            10,
            False,
            None,
            date(2025, 3, 15),
        ),  # Art. 30.2.b: 1 year after the work ended
        (
            date(2028, 2, 29),
            None,
            False,
            None,
            date(2029, 2, 28),
        ),  # permanent; no 29 February next year
        (
            date(2024, 3, 15),
            5,
            False,
            None,
            date(2025, 3, 15),
        ),  # 5 years: still transferred
        (
            date(2024, 3, 15),
            3,
            False,
            None,
            None,
        ),  # Art. 31.3.c: under 5 years, never transferred
        (
            date(2024, 3, 15),
            20,
            True,
            date(2024, 11, 30),
            date(2025, 2, 28),
        ),  # Art. 30.2.a: 3 months after settlement
        (date(2024, 3, 15), 20, True, None, None),  # construction, not settled yet
    ],
)
def test_archive_due_follows_decree_30(
    end, retention, construction, settled, due
) -> None:
    assert (
        ds.compute_archive_due(
            end, retention, is_construction=construction, settled_date=settled
        )
        == due
    )


def _audit_actions(dossier_id: int) -> list[str]:
    return list(
        db.session.scalars(
            select(AuditEntry.action)
            .where(
                AuditEntry.object_type == "dossier",
                AuditEntry.object_id == str(dossier_id),
            )
            .order_by(AuditEntry.seq)
        )
    )


def test_create_add_close_reopen_rules(app, office, make_incoming, make_office) -> None:
    spec, clerk = office.specialist, office.clerk
    dossier = ds.create_dossier(
        spec,
        notation="05.TH",
        title="Hồ sơ tổ chức bộ máy",
        retention_years=10,
        start_date=date(2024, 1, 5),
        year=2024,
    )
    assert dossier.file_code == f"{office.agency.code}.2024.05.TH"
    assert dossier.maintenance == "10 năm" and dossier.department_id == office.unit.id
    assert (
        dossier.catalog.year == 2024 and dossier.catalog.agency_id == office.agency.id
    )
    with pytest.raises(ds.ActionRefused, match="already used"):
        ds.create_dossier(
            clerk,
            notation="05.TH",
            title="Trùng số",
            year=2024,
            start_date=date(2024, 1, 5),
        )
    other_agency_same_number = ds.create_dossier(
        make_office().clerk,
        notation="05.TH",
        title="Cơ quan khác",
        year=2024,
        start_date=date(2024, 1, 5),
    )
    assert other_agency_same_number.id != dossier.id
    with pytest.raises(ds.ActionRefused, match="letters and digits"):
        ds.create_dossier(spec, notation="05 TH!", title="x")
    with pytest.raises(ds.ActionRefused, match="role"):
        ds.create_dossier(office.admin, notation="06.TH", title="x")

    doc = make_incoming(office, issued=date(2024, 2, 1), lead=spec)
    ds.add_document(spec, dossier, "incoming", doc.id)
    with pytest.raises(ds.ActionRefused, match="already in this dossier"):
        ds.add_document(clerk, dossier, "incoming", doc.id)
    with pytest.raises(
        ds.ActionRefused, match="keeper"
    ):  # not the keeper, not their head, not a records officer
        ds.add_document(office.other_specialist, dossier, "incoming", doc.id)
    with pytest.raises(ds.ActionRefused, match="keeper"):
        ds.close(office.other_specialist, dossier)
    with pytest.raises(ds.ActionRefused, match="end date"):
        ds.close(spec, dossier, end_date=date(2023, 12, 31))

    ds.close(
        office.head, dossier, end_date=ds.today()
    )  # the head of the dossier's department may close it
    assert (
        dossier.status == DossierStatus.CLOSED
        and dossier.closed_by_id == office.head.id
    )
    assert dossier.archive_due == ds.add_months(dossier.end_date, 12)
    doc2 = make_incoming(office, issued=date(2024, 2, 2))
    with pytest.raises(ds.ActionRefused, match="closed"):
        ds.add_document(clerk, dossier, "incoming", doc2.id)
    with pytest.raises(ds.ActionRefused, match="closed"):
        ds.remove_document(spec, dossier, dossier.items[0])
    with pytest.raises(ds.ActionRefused, match="records officers"):
        ds.reopen(spec, dossier)

    ds.reopen(clerk, dossier, "Bổ sung văn bản")
    assert (
        dossier.status == DossierStatus.OPEN
        and dossier.archive_due is None
        and dossier.end_date is None
    )
    ds.add_document(clerk, dossier, "incoming", doc2.id)
    ds.remove_document(spec, dossier, dossier.items[0])
    ds.close(
        spec, dossier, retention_years=3
    )  # reviewed at closing: under 5 years, not transferred
    assert dossier.archive_due is None and dossier.maintenance == "03 năm"
    ds.reopen(clerk, dossier)
    ds.close(spec, dossier, retention_years=None)
    assert dossier.maintenance == "Vĩnh viễn" and dossier.archive_due is not None
    with pytest.raises(ds.ActionRefused, match="records officers"):
        ds.mark_archived(spec, dossier)
    ds.mark_archived(clerk, dossier)
    assert dossier.status == DossierStatus.ARCHIVED
    with pytest.raises(ds.ActionRefused):
        ds.reopen(clerk, dossier)

    assert _audit_actions(dossier.id) == [
        "dossier.create",
        "dossier.add_document",
        "dossier.close",
        "dossier.reopen",
        "dossier.add_document",
        "dossier.remove_document",
        "dossier.close",
        "dossier.reopen",
        "dossier.close",
        "dossier.archive",
    ]


def test_one_document_in_two_dossiers_is_stored_once(
    app, office, make_incoming
) -> None:
    doc = make_incoming(office, issued=date(2024, 3, 1))
    files, documents = (
        db.session.scalar(select(func.count(StoredFile.id))),
        db.session.scalar(select(func.count(IncomingDocument.id))),
    )
    first = ds.create_dossier(office.clerk, notation="01.VP", title="Hồ sơ thứ nhất")
    second = ds.create_dossier(office.leader, notation="02.VP", title="Hồ sơ thứ hai")
    ds.add_document(office.clerk, first, "incoming", doc.id)
    ds.add_document(office.leader, second, "incoming", doc.id)
    assert db.session.scalar(select(func.count(StoredFile.id))) == files
    assert db.session.scalar(select(func.count(IncomingDocument.id))) == documents
    items = db.session.scalars(
        select(DossierItem).where(DossierItem.document_id == doc.id)
    ).all()
    assert {i.dossier_id for i in items} == {first.id, second.id} and {
        i.kind for i in items
    } == {"incoming"}
    assert [d.id for d in ds.dossiers_holding(office.clerk, "incoming", doc.id)] == [
        first.id,
        second.id,
    ]
    # Both dossiers show the same document, with the same file.
    assert (
        ds.item_views(office.clerk, first)[0].info.main_file.id
        == ds.item_views(office.clerk, second)[0].info.main_file.id
    )


def test_only_documents_the_user_can_see_are_added(
    app, office, make_incoming, make_office
) -> None:
    spec = office.specialist
    dossier = ds.create_dossier(spec, notation="07.KT", title="Hồ sơ kinh tế")
    doc = make_incoming(
        office, issued=date(2024, 3, 1)
    )  # not assigned to the specialist
    with pytest.raises(ds.ActionRefused, match="Document not found"):
        ds.add_document(spec, dossier, "incoming", doc.id)
    with pytest.raises(ds.ActionRefused, match="Document not found"):
        ds.add_document(spec, dossier, "incoming", 999999)
    with pytest.raises(ds.ActionRefused, match="Document not found"):
        ds.add_document(spec, dossier, "unknown-kind", doc.id)
    assert [d.id for d in ds.open_dossiers_for(spec)] == [dossier.id]
    assert ds.open_dossiers_for(office.other_specialist) == []

    # Another agency's document is refused even to a records officer.
    other = make_office()
    foreign = make_incoming(other, issued=date(2024, 3, 1))
    with pytest.raises(ds.ActionRefused, match="Document not found"):
        ds.add_document(office.clerk, dossier, "incoming", foreign.id)

    from docflow.documents import services as s

    s.assign(office.leader, doc, s.AssignmentPlan(lead=s.Target(user_id=spec.id)))
    ds.add_document(spec, dossier, "incoming", doc.id)
    assert len(dossier.items) == 1


def test_items_are_in_chronological_order_and_hidden_ones_stay_hidden(
    app, office, make_incoming
) -> None:
    dossier = ds.create_dossier(
        office.clerk, notation="09.VP", title="Thứ tự thời gian"
    )
    later = make_incoming(office, issued=date(2024, 5, 20), lead=office.specialist)
    earlier = make_incoming(office, issued=date(2024, 1, 2))
    middle = make_incoming(office, issued=date(2024, 3, 9), lead=office.specialist)
    for doc in (later, earlier, middle):
        ds.add_document(office.clerk, dossier, "incoming", doc.id)
    assert [v.info.id for v in ds.item_views(office.clerk, dossier)] == [
        earlier.id,
        middle.id,
        later.id,
    ]
    # The department head sees the dossier of their unit, but not the document nobody of it handles.
    dossier.department_id = office.unit.id
    db.session.commit()
    views = ds.item_views(office.head, dossier)
    assert [v.info.id for v in views if v.info] == [middle.id, later.id]
    assert [v.item.document_id for v in views if v.info is None] == [earlier.id]


def test_archive_due_reminder_is_sent_once(app, office) -> None:
    dossier = ds.create_dossier(
        office.specialist,
        notation="03.KT",
        title="Hồ sơ cần nộp lưu",
        start_date=ds.today() - timedelta(days=10),
        retention_years=10,
    )
    ds.close(office.specialist, dossier, end_date=ds.today() - timedelta(days=1))
    due = dossier.archive_due
    assert due == ds.add_months(dossier.end_date, 12)
    # Long before the due date: nothing. Open dossiers are never reminded.
    ds.create_dossier(office.clerk, notation="04.KT", title="Đang mở")
    assert remind_archive_due((due - timedelta(days=31)).isoformat()) == 0
    # 30 days before: the keeper and the records officer, once.
    day = (due - timedelta(days=30)).isoformat()
    assert remind_archive_due(day) == 2
    assert remind_archive_due(day) == 0
    assert remind_archive_due((due - timedelta(days=5)).isoformat()) == 0
    notes = db.session.scalars(
        select(Notification).where(Notification.text.contains("03.KT"))
    ).all()
    assert sorted(n.user_id for n in notes) == sorted(
        [office.specialist.id, office.clerk.id]
    )
    assert all(due.strftime("%d/%m/%Y") in n.text for n in notes)
    # Reopened and closed again later: a new due date, a new reminder; archived: no more.
    ds.reopen(office.clerk, dossier)
    ds.close(office.specialist, dossier, end_date=ds.today())
    assert (
        remind_archive_due((dossier.archive_due - timedelta(days=1)).isoformat()) == 2
    )
    ds.mark_archived(office.clerk, dossier)
    assert (
        remind_archive_due((dossier.archive_due + timedelta(days=1)).isoformat()) == 0
    )
