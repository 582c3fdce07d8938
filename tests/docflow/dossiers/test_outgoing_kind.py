"""Outgoing documents plug into dossiers through the kinds registry, beside incoming ones."""

from __future__ import annotations

import io
import json
import zipfile
from datetime import date

import pytest

from docflow.dossiers import services as ds
from docflow.dossiers.export import write_export
from docflow.dossiers.kinds import KINDS
from tests.docflow.office import make_pdf


def _draft(office, subject: str):
    from docflow.documents.vocab import Secrecy, Urgency
    from docflow.outgoing import services as out

    values = out.DraftValues(
        doc_type="Công văn",
        subject=subject,
        urgency=Urgency.NORMAL,
        secrecy=Secrecy.NONE,
    )
    return out.create_draft(
        office.specialist, values, io.BytesIO(make_pdf(subject)), "Dự thảo.pdf"
    )


def test_outgoing_documents_sit_in_dossiers_beside_incoming_ones(
    app, office, make_incoming
) -> None:
    assert "outgoing" in KINDS
    draft = _draft(office, "Báo cáo kết quả sắp xếp đơn vị hành chính")
    incoming = make_incoming(office, issued=date(2020, 1, 2), lead=office.specialist)
    dossier = ds.create_dossier(
        office.specialist, notation="08.KT", title="Hồ sơ có văn bản đi"
    )
    ds.add_document(office.specialist, dossier, "outgoing", draft.id)
    ds.add_document(office.specialist, dossier, "incoming", incoming.id)
    with pytest.raises(ds.ActionRefused, match="already in this dossier"):
        ds.add_document(office.specialist, dossier, "outgoing", draft.id)
    # The colleague of another unit sees neither the draft nor, therefore, may add it.
    other = ds.create_dossier(
        office.other_specialist, notation="09.VX", title="Hồ sơ khác"
    )
    with pytest.raises(ds.ActionRefused, match="Document not found"):
        ds.add_document(office.other_specialist, other, "outgoing", draft.id)
    assert [d.id for d in KINDS["outgoing"].search(office.specialist, "sắp xếp")] == [
        draft.id
    ]
    assert KINDS["outgoing"].search(office.other_specialist, "sắp xếp") == []

    views = ds.item_views(office.specialist, dossier)
    assert [v.item.kind for v in views] == [
        "incoming",
        "outgoing",
    ]  # 2020 before the draft of today
    assert (
        views[1].info.organ_name == office.agency.name
        and views[1].info.main_file is not None
    )
    out = io.BytesIO()
    write_export(dossier, office.specialist, out)
    zf = zipfile.ZipFile(out)
    meta = json.loads(zf.read("metadata.json"))
    assert [(d["Kind"], d["ContentIncluded"]) for d in meta["Documents"]] == [
        ("incoming", True),
        ("outgoing", True),
    ]
    assert zf.read(meta["Documents"][1]["File"])[:5] == b"%PDF-"
