"""Correcting an open dossier and keeping a closed one back (NĐ 30/2020 Art. 29, 31)."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from sqlalchemy import select

from docflow.audit.models import AuditEntry
from docflow.dossiers import services as ds
from docflow.dossiers.models import DossierStatus
from docflow.extensions import db
from tests.helpers import csrf_token, login


def _dossier(office, **kw):
    values = dict(
        notation="07.TH",
        title="Hồ sơ cải cách hành chính",
        retention_years=10,
        start_date=ds.today() - timedelta(days=30),
        year=ds.today().year,
    )
    values.update(kw)
    return ds.create_dossier(office.specialist, **values)


def _audit(dossier_id: int, action: str) -> list[dict]:
    return [
        json.loads(entry.details)
        for entry in db.session.scalars(
            select(AuditEntry)
            .where(
                AuditEntry.object_type == "dossier",
                AuditEntry.object_id == str(dossier_id),
                AuditEntry.action == action,
            )
            .order_by(AuditEntry.seq)
        )
    ]


def test_an_open_dossier_is_corrected_and_audited(app, office) -> None:
    dossier = _dossier(office)
    changed = ds.update(
        office.specialist,
        dossier,
        title="Hồ sơ cải cách thủ tục hành chính",
        retention_years=20,
        rights="Hạn chế",
        section="II. Cải cách",
        description="",
    )
    assert changed == ["retention_years", "rights", "section", "title"]
    assert dossier.title == "Hồ sơ cải cách thủ tục hành chính"
    assert dossier.maintenance == "20 năm" and dossier.notation == "07.TH"
    [details] = _audit(dossier.id, "dossier.update")
    assert details["changes"]["retention_years"] == {"old": 10, "new": 20}
    assert ds.update(office.specialist, dossier, title=dossier.title) == []
    assert len(_audit(dossier.id, "dossier.update")) == 1  # nothing changed: no entry

    with pytest.raises(ds.ActionRefused, match="keeper"):
        ds.update(office.other_specialist, dossier, title="Không được")
    with pytest.raises(ds.ActionRefused, match="title is required"):
        ds.update(office.specialist, dossier, title="  ")
    with pytest.raises(ds.ActionRefused, match="retention"):
        ds.update(office.specialist, dossier, retention_years=0)
    with pytest.raises(ValueError, match="not editable"):
        ds.update(office.specialist, dossier, notation="99.XX")
    db.session.rollback()
    db.session.refresh(dossier)
    assert dossier.title == "Hồ sơ cải cách thủ tục hành chính"

    ds.close(office.specialist, dossier)
    with pytest.raises(ds.ActionRefused, match="Only open dossiers"):
        ds.update(office.specialist, dossier, title="Sau khi kết thúc")


def test_a_closed_dossier_is_kept_back_at_most_two_years(app, office) -> None:
    dossier = _dossier(office)
    ds.close(office.specialist, dossier)
    normal = dossier.archive_due
    assert normal == ds.add_months(ds.today(), 12)
    with pytest.raises(ds.ActionRefused, match="records officers"):
        ds.hold(office.specialist, dossier, normal + timedelta(days=30), "QĐ 12/QĐ")
    with pytest.raises(ds.ActionRefused, match="written approval"):
        ds.hold(office.clerk, dossier, normal + timedelta(days=30), " ")
    with pytest.raises(ds.ActionRefused, match="at most 2 years"):
        ds.hold(office.clerk, dossier, ds.add_months(normal, 24) + timedelta(1), "QĐ")
    with pytest.raises(ds.ActionRefused, match="at most 2 years"):
        ds.hold(office.clerk, dossier, normal, "QĐ")
    db.session.rollback()

    until = ds.add_months(normal, 24)
    ds.hold(office.clerk, dossier, until, "Quyết định số 12/QĐ-UBND ngày 20/11/2026")
    assert dossier.archive_due == dossier.held_until == until
    [details] = _audit(dossier.id, "dossier.hold")
    assert details["normal_due"] == normal.isoformat()
    # A second decision may shorten it; still bounded by the normal deadline + 2 years.
    ds.hold(office.clerk, dossier, normal + timedelta(days=90), "Quyết định số 15/QĐ")
    assert dossier.archive_due == normal + timedelta(days=90)

    # Reopening and closing again computes a fresh deadline: the hold is gone.
    ds.reopen(office.clerk, dossier, "Bổ sung")
    assert dossier.held_until is None and dossier.hold_approval is None
    ds.close(office.specialist, dossier)
    assert dossier.archive_due == normal and dossier.held_until is None


def test_short_retention_dossiers_have_nothing_to_keep_back(app, office) -> None:
    dossier = _dossier(office, notation="08.TH", retention_years=3)
    ds.close(office.specialist, dossier)
    with pytest.raises(ds.ActionRefused, match="no transfer deadline"):
        ds.hold(office.clerk, dossier, ds.today() + timedelta(days=400), "QĐ 1")


def _post(client, url: str, data: dict):
    page = url.rsplit("/", 1)[0]
    return client.post(url, data=dict(data, csrf_token=csrf_token(client, page)))


def test_edit_and_hold_pages(app, office, make_office) -> None:
    dossier = _dossier(office)
    url = f"/dossiers/{dossier.id}"
    client = app.test_client()
    login(client, office.specialist.username)
    page = client.get(url).get_data(as_text=True)
    assert "Sửa thông tin hồ sơ" in page
    bad = _post(
        client, f"{url}/edit", {"title": "", "retention": "10", "rights": "Công khai"}
    )
    assert bad.status_code == 400 and dossier.title == "Hồ sơ cải cách hành chính"
    response = _post(
        client,
        f"{url}/edit",
        {"title": "Hồ sơ mới", "retention": "", "rights": "Công khai", "section": ""},
    )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.title == "Hồ sơ mới" and dossier.retention_years is None
    # CSRF is required.
    assert client.post(f"{url}/edit", data={"title": "x"}).status_code == 400

    ds.close(office.specialist, dossier)
    normal = dossier.archive_due
    page = client.get(url).get_data(as_text=True)
    assert "Sửa thông tin hồ sơ" not in page and 'id="hold"' not in page  # not a clerk

    clerk = app.test_client()
    login(clerk, office.clerk.username)
    assert 'id="hold"' in clerk.get(url).get_data(as_text=True)
    too_late = ds.add_months(normal, 25)
    refused = _post(
        clerk, f"{url}/hold", {"until": too_late.isoformat(), "approval": "QĐ 3"}
    )
    assert refused.status_code == 400
    assert "tối đa 2 năm" in refused.get_data(as_text=True)
    until = ds.add_months(normal, 6)
    ok = _post(
        clerk,
        f"{url}/hold",
        {"until": until.isoformat(), "approval": "Quyết định số 3/QĐ-UBND"},
    )
    assert ok.status_code == 302
    page = clerk.get(url).get_data(as_text=True)
    assert f"Đến ngày {until:%d/%m/%Y}" in page and "Quyết định số 3/QĐ-UBND" in page
    assert dossier.status == DossierStatus.CLOSED

    stranger = app.test_client()
    login(stranger, make_office().clerk.username)
    assert stranger.get(url).status_code == 404
    token = csrf_token(stranger, "/dossiers/")
    for action in ("hold", "edit"):
        answer = stranger.post(
            f"{url}/{action}",
            data={"until": until.isoformat(), "title": "x", "csrf_token": token},
        )
        assert answer.status_code == 404, action
