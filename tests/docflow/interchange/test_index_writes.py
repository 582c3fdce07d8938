"""An arrival writes each search entry only when it changed (a Whoosh commit is slow)."""

from __future__ import annotations

from sqlalchemy import select

from docflow.documents.models import IncomingDocument
from docflow.dossiers import services as ds
from docflow.extensions import db
from docflow.searching import jobs
from search.whoosh_index import WhooshIndex


def _count_writes(monkeypatch) -> list[str]:
    writes: list[str] = []
    original = WhooshIndex._write

    def counting(self, work, **commit_args):
        writes.append(self.path)
        return original(self, work, **commit_args)

    monkeypatch.setattr(WhooshIndex, "_write", counting)
    return writes


def test_index_jobs_run_again_write_nothing(
    make_office, issue_document, monkeypatch
) -> None:
    sender, receiver = (
        make_office(code="000.00.60.H56"),
        make_office(code="000.00.61.H56", name="UBND xã Nhận"),
    )
    doc = issue_document(sender, [receiver.agency])
    incoming = db.session.scalar(
        select(IncomingDocument).where(IncomingDocument.agency_id == receiver.agency.id)
    )
    dossier = ds.create_dossier(sender.clerk, notation="01.VP", title="Hồ sơ hội nghị")
    ds.add_document(sender.clerk, dossier, "outgoing", doc.id)
    writes = _count_writes(monkeypatch)
    # Everything is indexed already: the jobs run again (as after a change that no
    # entry holds, e.g. a delivery state or a signature report) and write nothing.
    jobs.index_incoming(incoming.id)
    jobs.index_outgoing(doc.id)
    jobs.index_dossier(dossier.id)
    jobs.refresh_dossiers_holding("outgoing", doc.id)
    assert writes == []
    # A change an entry holds is written.
    dossier.title = "Hồ sơ hội nghị tổng kết"
    db.session.commit()
    jobs.index_dossier(dossier.id)
    assert len(writes) >= 1
    written = len(writes)
    jobs.index_dossier(dossier.id)
    assert len(writes) == written
