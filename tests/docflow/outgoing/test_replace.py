"""A document drafted as replacing an issued one, through the real signing and issue."""

from __future__ import annotations

import io

from sqlalchemy import select

from docflow.documents.models import IncomingDocument, IncomingStatus
from docflow.documents.vocab import Secrecy, Urgency
from docflow.extensions import db
from docflow.outgoing import services as s
from docflow.outgoing.models import RecipientKind
from tests.helpers import login


def _issued(office, receiver, sample_pdf, subject: str, replaces_id=None):
    values = s.DraftValues(
        doc_type="Quyết định",
        subject=subject,
        urgency=Urgency.NORMAL,
        secrecy=Secrecy.NONE,
        department_id=office.unit.id,
        recipients=[
            s.RecipientSpec(RecipientKind.AGENCY, agency_id=receiver.agency.id)
        ],
        replaces_id=replaces_id,
    )
    doc = s.create_draft(
        office.specialist, values, io.BytesIO(sample_pdf()), "Dự thảo.pdf"
    )
    s.submit(office.specialist, doc, [], office.leader.id)
    s.review(office.leader, doc, True)
    s.sign(office.leader, doc)
    s.issue(office.clerk, doc)
    return doc


def test_issuing_a_replacement_links_both_and_tells_the_receiver(
    keyed_office, make_office, sample_pdf, client
) -> None:
    office = keyed_office
    receiver = make_office(code="000.00.51.H56", name="Ủy ban nhân dân xã Nhận")
    old = _issued(office, receiver, sample_pdf, "Về việc ban hành quy chế")
    new = _issued(
        office, receiver, sample_pdf, "Về việc ban hành quy chế (thay thế)", old.id
    )
    assert new.replaces_id == old.id
    assert [e.kind for e in old.events][-1] == "replaced"
    assert old.events[-1].text == new.number_notation
    copies = db.session.scalars(
        select(IncomingDocument)
        .where(IncomingDocument.agency_id == receiver.agency.id)
        .order_by(IncomingDocument.id)
    ).all()
    assert [c.status for c in copies] == [
        IncomingStatus.RETURNED,
        IncomingStatus.PENDING,
    ]
    assert new.number_notation in copies[0].return_reason

    login(client, office.clerk.username)
    old_page = client.get(f"/outgoing/{old.id}").get_data(as_text=True)
    assert 'id="replaced-by"' in old_page and new.number_notation in old_page
    assert 'data-change="replace"' in old_page  # per recipient
    new_page = client.get(f"/outgoing/{new.id}").get_data(as_text=True)
    assert 'id="replaces"' in new_page and old.number_notation in new_page
