from __future__ import annotations

import pytest

from docflow.agencies.models import Agency, Department
from docflow.audit.models import AuditEntry
from docflow.auth.models import Role, User
from docflow.extensions import db
from tests.helpers import login, post_form


@pytest.fixture
def two_agencies(create_agency, create_user):
    a = create_agency(code="000.00.01.H56", name="Sở Nội vụ", short_name="SNV")
    b = create_agency(code="000.00.02.H56", name="Sở Tài chính", short_name="STC")
    for agency in (a, b):
        db.session.add(
            Department(agency_id=agency.id, name=f"Văn phòng {agency.short_name}")
        )
    db.session.commit()
    admin_a = create_user(a, "admin.a", Role.ADMIN)
    admin_b = create_user(b, "admin.b", Role.ADMIN)
    return a, b, admin_a, admin_b


def _admin_urls(app, agency: Agency) -> list[str]:
    """Every admin URL that names an agency, filled with ``agency``'s ids."""
    dept = agency.departments[0]
    user = db.session.scalar(db.select(User).where(User.agency_id == agency.id))
    values = {"agency_id": agency.id, "department_id": dept.id, "user_id": user.id}
    urls = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("admin.") and "agency_id" in rule.arguments:
            urls.append(rule.build({k: values[k] for k in rule.arguments})[1])
    return urls


def test_every_admin_route_hides_other_agencies(app, client, two_agencies) -> None:
    a, b, _admin_a, _admin_b = two_agencies
    urls = _admin_urls(app, b)
    assert len(urls) >= 7  # agency, departments list/new/edit, users list/new/edit
    login(client, "admin.a")
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, data={"name": "hijack"}).status_code in (
            400,
            404,
            405,
        ), url
    before = db.session.scalar(db.select(db.func.count(AuditEntry.id)))
    # A valid form (with CSRF) aimed at the other agency changes nothing either.
    token_page = f"/admin/agencies/{a.id}/departments/new"
    response = post_form(client, token_page, {"name": "x"})  # own agency works...
    assert response.status_code == 302
    from tests.helpers import csrf_token

    token = csrf_token(client, token_page)
    response = client.post(
        f"/admin/agencies/{b.id}/departments/new",
        data={"name": "Lạ", "csrf_token": token},
    )
    assert response.status_code == 404
    assert (
        db.session.scalar(db.select(Department).where(Department.name == "Lạ")) is None
    )
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == before + 1


def test_own_department_and_user_ids_cannot_be_mixed_across_agencies(
    client, two_agencies
) -> None:
    a, b, _admin_a, admin_b = two_agencies
    login(client, "admin.a")
    assert (
        client.get(
            f"/admin/agencies/{a.id}/departments/{b.departments[0].id}"
        ).status_code
        == 404
    )
    assert client.get(f"/admin/agencies/{a.id}/users/{admin_b.id}").status_code == 404


def test_agency_list_shows_only_own_agency(client, two_agencies) -> None:
    login(client, "admin.a")
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert "Sở Nội vụ" in html and "Sở Tài chính" not in html
    assert client.get("/admin/agencies/new").status_code == 403


@pytest.mark.parametrize(
    "role", [Role.SPECIALIST, Role.LEADER, Role.RECORDS_OFFICER, Role.DEPARTMENT_HEAD]
)
def test_non_admins_cannot_open_admin_pages(
    app, client, two_agencies, create_user, role
) -> None:
    a = two_agencies[0]
    create_user(a, "someone", role)
    login(client, "someone")
    for url in _admin_urls(app, a) + [
        "/admin/",
        "/admin/agencies",
        "/admin/agencies/new",
    ]:
        assert client.get(url).status_code == 403, url


def test_anonymous_is_sent_to_login(app, client, two_agencies) -> None:
    response = client.get(f"/admin/agencies/{two_agencies[0].id}/users")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_admin_creates_user_and_audit_records_it(client, two_agencies) -> None:
    a = two_agencies[0]
    login(client, "admin.a")
    url = f"/admin/agencies/{a.id}/users/new"
    form = {
        "username": "Nguyen.An",
        "full_name": "Nguyễn Văn An",
        "role": "specialist",
        "department_id": a.departments[0].id,
        "active": "y",
        "password": "weak",
    }
    bad = post_form(client, url, form)
    assert "ít nhất 10 ký tự" in bad.get_data(as_text=True)
    assert "Nguyễn Văn An" in bad.get_data(as_text=True)  # what the user typed is kept
    form["password"] = "Str0ng-Passw0rd"
    assert post_form(client, url, form).status_code == 302
    user = db.session.scalar(db.select(User).where(User.username == "nguyen.an"))
    assert user.agency_id == a.id and user.department_id == a.departments[0].id
    entry = db.session.scalar(
        db.select(AuditEntry).where(AuditEntry.action == "user.create")
    )
    assert entry.object_id == str(user.id)
    duplicate = post_form(client, url, form)  # the same user name again is refused
    assert (
        duplicate.status_code == 200
        and "Tên đăng nhập này đã được sử dụng" in duplicate.get_data(as_text=True)
    )


def test_agency_admin_cannot_move_agency_in_hierarchy(client, two_agencies) -> None:
    a, b, _admin_a, _admin_b = two_agencies
    login(client, "admin.a")
    form = {
        "code": "000.00.99.H56",
        "name": "Sở Nội vụ tỉnh",
        "short_name": "SNV",
        "level": "commune",
        "parent_id": b.id,
        "active": "y",
    }
    assert post_form(client, f"/admin/agencies/{a.id}", form).status_code == 302
    db.session.expire_all()
    agency = db.session.get(Agency, a.id)
    assert agency.name == "Sở Nội vụ tỉnh"  # contact data may change
    assert (
        agency.code == "000.00.01.H56"
        and agency.parent_id is None
        and agency.level.value == "province"
    )


def test_superadmin_creates_agency_with_validated_code(
    client, two_agencies, create_user
) -> None:
    create_user(two_agencies[0], "root", Role.ADMIN, is_superadmin=True)
    login(client, "root")
    form = {
        "code": "000.00.00.H5",
        "name": "Xã Mới",
        "short_name": "UBND",
        "level": "commune",
        "parent_id": 0,
    }
    bad = post_form(client, "/admin/agencies/new", form).get_data(as_text=True)
    assert "Mã định danh không hợp lệ" in bad and "13 characters" in bad
    form["code"] = "000.00.02.H56"  # taken
    assert "đã được cơ quan khác sử dụng" in post_form(
        client, "/admin/agencies/new", form
    ).get_data(as_text=True)
    form["code"] = " 000.00.44.h56 "  # normalised
    assert post_form(client, "/admin/agencies/new", form).status_code == 302
    assert (
        db.session.scalar(db.select(Agency).where(Agency.code == "000.00.44.H56")).name
        == "Xã Mới"
    )
    html = client.get("/admin/agencies").get_data(as_text=True)
    assert "Sở Tài chính" in html and "Xã Mới" in html
