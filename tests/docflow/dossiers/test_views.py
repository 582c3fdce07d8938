from __future__ import annotations

import io
import json
import zipfile
from datetime import date

from docflow.dossiers import services as ds
from docflow.dossiers.models import Dossier, DossierStatus
from docflow.extensions import db
from tests.helpers import csrf_token, login


def _post(client, page: str, action: str, data: dict):
    return client.post(action, data=dict(data, csrf_token=csrf_token(client, page)))


def test_dossier_pages_flow(app, office, make_incoming) -> None:
    doc = make_incoming(
        office, issued=date(2024, 3, 2), subject="Về việc sắp xếp đơn vị hành chính"
    )
    other = make_incoming(office, issued=date(2024, 2, 1), subject="Kế hoạch năm")
    client = app.test_client()
    login(client, office.clerk.username)
    page = client.get("/dossiers/").get_data(as_text=True)
    assert (
        "Hồ sơ công việc" in page
        and "Danh mục hồ sơ năm" in page
        and "Mở hồ sơ" in page
    )

    year = ds.today().year
    form = {
        "year": year,
        "notation": "05.TH",
        "title": "Hồ sơ sắp xếp đơn vị hành chính",
        "retention": "",
        "rights": "Hạn chế",
        "department": office.unit.id,
        "start_date": ds.today().isoformat(),
        "section": "I. Tổng hợp",
    }
    response = _post(client, "/dossiers/new", "/dossiers/new", form)
    assert response.status_code == 302
    dossier = db.session.query(Dossier).filter_by(notation="05.TH").one()
    url = f"/dossiers/{dossier.id}"
    again = _post(
        client, "/dossiers/new", "/dossiers/new", form
    )  # same number: the error is next to the field
    assert again.status_code == 400 and "đã được dùng trong năm" in again.get_data(
        as_text=True
    )
    assert "Gồm chữ và số" in _post(
        client, "/dossiers/new", "/dossiers/new", dict(form, notation="a b")
    ).get_data(as_text=True)

    # Search by number/notation, add from the dossier page.
    page = client.get(f"{url}?q={doc.code_number}/QĐ").get_data(as_text=True)
    assert (
        f'data-candidate="incoming-{doc.id}"' in page
        and f'data-candidate="incoming-{other.id}"' not in page
    )
    response = _post(
        client, url, f"{url}/documents", {"kind": "incoming", "document_id": doc.id}
    )
    assert response.status_code == 302
    # Add from the document's page: the form lists the open dossier; the page then shows the dossier.
    doc_page = client.get(f"/incoming/{other.id}").get_data(as_text=True)
    assert "Đưa vào hồ sơ" in doc_page and "05.TH" in doc_page
    response = _post(
        client,
        f"/incoming/{other.id}",
        "/dossiers/add-document",
        {"dossier": dossier.id, "kind": "incoming", "document_id": other.id},
    )
    assert response.status_code == 302 and response.headers["Location"].endswith(
        f"/incoming/{other.id}"
    )
    assert f'href="/dossiers/{dossier.id}"' in client.get(
        f"/incoming/{other.id}"
    ).get_data(as_text=True)
    response = _post(
        client, url, f"{url}/documents", {"kind": "incoming", "document_id": doc.id}
    )
    assert "Văn bản đã có trong hồ sơ này." in client.get(
        response.headers["Location"]
    ).get_data(as_text=True)

    page = client.get(url).get_data(as_text=True)
    assert page.index("Kế hoạch năm") < page.index(
        "Về việc sắp xếp đơn vị hành chính"
    )  # chronological
    assert (
        'data-field="maintenance">Vĩnh viễn' in page
        and f"{office.agency.code}.{year}.05.TH" in page
    )
    listing = client.get(f"/dossiers/?year={year}&status=open&q=sắp xếp").get_data(
        as_text=True
    )
    assert f'data-dossier="{dossier.id}"' in listing
    assert f'data-dossier="{dossier.id}"' not in client.get(
        f"/dossiers/?year={year}&status=closed"
    ).get_data(as_text=True)

    response = _post(
        client,
        url,
        f"{url}/close",
        {"end_date": ds.today().isoformat(), "retention": "10"},
    )
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert (
        dossier.status == DossierStatus.CLOSED
        and dossier.archive_due == ds.add_months(dossier.end_date, 12)
    )
    assert dossier.archive_due.strftime("%d/%m/%Y") in client.get(url).get_data(
        as_text=True
    )

    response = client.get(f"{url}/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    meta = json.loads(
        zipfile.ZipFile(io.BytesIO(response.get_data())).read("metadata.json")
    )
    assert [d["Subject"] for d in meta["Documents"]] == [
        "Kế hoạch năm",
        "Về việc sắp xếp đơn vị hành chính",
    ]

    response = _post(client, url, f"{url}/reopen", {"reason": "Bổ sung"})
    assert response.status_code == 302
    db.session.refresh(dossier)
    assert dossier.status == DossierStatus.OPEN


def test_permissions(app, office, make_office, make_incoming) -> None:
    dossier = ds.create_dossier(
        office.specialist, notation="01.KT", title="Hồ sơ của chuyên viên"
    )
    url = f"/dossiers/{dossier.id}"
    outsider = make_office().clerk  # a records officer of another agency
    colleague = (
        office.other_specialist
    )  # same agency, not the keeper, another department
    for user in (outsider, colleague):
        client = app.test_client()
        login(client, user.username)
        token = csrf_token(client, "/dossiers/")
        assert client.get(url).status_code == 404
        assert client.get(f"{url}/export.zip").status_code == 404
        for action, data in (
            ("documents", {"kind": "incoming", "document_id": 1}),
            ("close", {}),
            ("reopen", {"reason": "x"}),
            ("archive", {}),
        ):
            assert (
                client.post(
                    f"{url}/{action}", data=dict(data, csrf_token=token)
                ).status_code
                == 404
            ), action
        assert f'data-dossier="{dossier.id}"' not in client.get("/dossiers/").get_data(
            as_text=True
        )

    # The keeper cannot add a document they cannot see, even by posting its id.
    hidden = make_incoming(office, issued=date(2024, 1, 5))
    keeper = app.test_client()
    login(keeper, office.specialist.username)
    assert f'data-candidate="incoming-{hidden.id}"' not in keeper.get(
        f"{url}?q={hidden.code_number}"
    ).get_data(as_text=True)
    response = _post(
        keeper, url, f"{url}/documents", {"kind": "incoming", "document_id": hidden.id}
    )
    assert "Không tìm thấy văn bản." in keeper.get(
        response.headers["Location"]
    ).get_data(as_text=True)
    assert (
        keeper.post(
            "/dossiers/add-document",
            data={
                "dossier": dossier.id,
                "kind": "incoming",
                "document_id": hidden.id,
                "csrf_token": csrf_token(keeper, url),
            },
        ).status_code
        == 404
    )
    # No CSRF token, no change; admins do not keep dossiers.
    assert keeper.post(f"{url}/close", data={}).status_code == 400
    assert dossier.status == DossierStatus.OPEN and dossier.items == []
    admin = app.test_client()
    login(admin, office.admin.username)
    assert admin.get("/dossiers/new").status_code == 403
    assert admin.get(url).status_code == 404
