"""``docflow demo``: a demo province on the embedded defaults, then serve on 127.0.0.1:5000.

Thanh Hóa's QCVN 102 level-1 code H56 is used for the demo; the lower-level codes are
made up for the demo and are not the province's official catalogue.
"""

from __future__ import annotations

import os
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext
from sqlalchemy import select

DEMO_PASSWORD = "Demo@2026!docflow"

PROVINCE = ("000.00.00.H56", "H56", "Ủy ban nhân dân tỉnh Thanh Hóa", "UBND")
DEPARTMENTS = [  # provincial departments (sở), agencies of their own under the province
    ("000.00.01.H56", "Sở Nội vụ tỉnh Thanh Hóa", "SNV"),
    ("000.00.02.H56", "Sở Tài chính tỉnh Thanh Hóa", "STC"),
    ("000.00.03.H56", "Sở Y tế tỉnh Thanh Hóa", "SYT"),
]
COMMUNES = [
    ("000.00.41.H56", "Ủy ban nhân dân phường Hạc Thành", "UBND"),
    ("000.00.42.H56", "Ủy ban nhân dân xã Quảng Phú", "UBND"),
    ("000.00.43.H56", "Ủy ban nhân dân xã Hoằng Hóa", "UBND"),
]
#: Units (phòng ban) inside the provincial People's Committee office.
UNITS = [
    ("Phòng Tổng hợp", "TH"),
    ("Phòng Kinh tế", "KT"),
    ("Phòng Văn hóa - Xã hội", "VX"),
]
PEOPLE = [  # username, full name, position, role, unit index
    ("quantri", "Nguyễn Văn Quản", "Quản trị hệ thống", "admin", None),
    ("vanthu", "Lê Thị Thư", "Văn thư", "records_officer", 0),
    ("lanhdao", "Trần Đức Hùng", "Phó Chủ tịch", "leader", None),
    ("truongphong", "Phạm Thị Hằng", "Trưởng phòng Kinh tế", "department_head", 1),
    ("chuyenvien", "Đỗ Minh Tuấn", "Chuyên viên", "specialist", 1),
]


def create_demo_data(documents: bool = True) -> list[tuple[str, str, str, str]]:
    """Create (or refresh) the demo province; returns (agency, username, role, password) rows.

    ``documents`` also makes the demo documents once (``docflow.demo_documents``).
    """
    from .agencies.models import Agency, AgencyLevel, Department
    from .audit.services import record
    from .auth.models import Role, User
    from .auth.passwords import hash_password
    from .extensions import db

    def agency(code, name, short, level, parent=None, qd20=None):  # type: ignore[no-untyped-def]
        row = db.session.scalar(select(Agency).where(Agency.code == code))
        if row is None:
            row = Agency(
                code=code,
                name=name,
                short_name=short,
                level=level,
                parent=parent,
                code_qd20=qd20,
                address="Thanh Hóa",
                phone="0237 3852 000",
            )
            db.session.add(row)
            db.session.flush()
            record("agency.create", agency_id=row.id, obj=row, code=code, source="demo")
        return row

    def user(
        agency_row,
        username,
        full_name,
        position,
        role,
        department=None,
        superadmin=False,
    ):  # type: ignore[no-untyped-def]
        row = db.session.scalar(select(User).where(User.username == username))
        if row is None:
            row = User(
                username=username,
                full_name=full_name,
                position=position,
                role=Role(role),
                agency=agency_row,
                department=department,
                is_superadmin=superadmin,
                password_hash=hash_password(DEMO_PASSWORD),
            )
            db.session.add(row)
            db.session.flush()
            record(
                "user.create",
                agency_id=agency_row.id,
                obj=row,
                username=username,
                source="demo",
            )
        else:  # a re-run restores the printed password and unlocks the account
            row.password_hash = hash_password(DEMO_PASSWORD)
            row.locked_until, row.failed_logins, row.active = None, 0, True
        return row

    code, qd20, name, short = PROVINCE
    province = agency(code, name, short, AgencyLevel.PROVINCE, qd20=qd20)
    units = []
    for unit_name, unit_short in UNITS:
        unit = db.session.scalar(
            select(Department).where(
                Department.agency_id == province.id, Department.name == unit_name
            )
        )
        if unit is None:
            unit = Department(
                agency_id=province.id, name=unit_name, short_name=unit_short
            )
            db.session.add(unit)
        units.append(unit)
    db.session.flush()
    rows = []
    for username, full_name, position, role, unit_index in PEOPLE:
        unit = units[unit_index] if unit_index is not None else None
        user(
            province,
            username,
            full_name,
            position,
            role,
            unit,
            superadmin=(role == "admin"),
        )
        rows.append((name, username, role, DEMO_PASSWORD))
    for i, (acode, aname, ashort) in enumerate(DEPARTMENTS + COMMUNES, start=1):
        level = AgencyLevel.PROVINCE if i <= len(DEPARTMENTS) else AgencyLevel.COMMUNE
        other = agency(acode, aname, ashort, level, parent=province)
        prefix = f"a{i}"
        user(
            other, f"{prefix}.vanthu", "Văn thư " + aname, "Văn thư", "records_officer"
        )
        user(
            other,
            f"{prefix}.lanhdao",
            "Lãnh đạo " + aname,
            "Chủ tịch" if level == AgencyLevel.COMMUNE else "Giám đốc",
            "leader",
        )
        rows.append((aname, f"{prefix}.vanthu", "records_officer", DEMO_PASSWORD))
        rows.append((aname, f"{prefix}.lanhdao", "leader", DEMO_PASSWORD))
    _register_demo_keys(province)
    db.session.commit()
    if documents:
        from .demo_documents import create_demo_documents

        create_demo_documents(province)
    return rows


def _register_demo_keys(province) -> None:  # type: ignore[no-untyped-def]
    """Demo keys for the province's leader (approval) and the agency seal, so the outgoing
    flow (sign, number and seal) works in the demo. See docflow/demo_keys.py."""
    from .auth.models import User
    from .demo_keys import PASSPHRASE_ENV, ensure_demo_keys
    from .extensions import db
    from .outgoing.models import SigningCredential

    leader = db.session.scalar(select(User).where(User.username == "lanhdao"))
    folder = Path(current_app.instance_path) / "demo-pki"
    _ca, files, passphrase = ensure_demo_keys(
        folder, {"leader": leader.full_name, "seal": province.name}
    )
    os.environ[PASSPHRASE_ENV] = (
        passphrase  # the server process holds the secret, never the database
    )
    # Trust the demo CA so the demo's own signatures are recognised, and give the
    # validator its CRL: the demo CA publishes none online.
    for key, path in (
        ("TRUST_ROOTS", folder / "demo-root.pem"),
        ("REVOCATION_FILES", folder / "demo-root.crl"),
    ):
        if str(path) not in current_app.config[key]:
            current_app.config[key] = [*current_app.config[key], str(path)]
    for label, user in (("leader", leader), ("seal", None)):
        exists = db.session.scalar(
            select(SigningCredential).where(
                SigningCredential.agency_id == province.id,
                SigningCredential.pkcs12_path == str(files[label]),
            )
        )
        if exists is None:
            db.session.add(
                SigningCredential(
                    agency_id=province.id,
                    user_id=user.id if user else None,
                    purpose="approval" if user else "seal",
                    kind="pkcs12",
                    pkcs12_path=str(files[label]),
                    secret_env=PASSPHRASE_ENV,
                )
            )


@click.command("demo")
@click.option(
    "--serve/--no-serve",
    default=True,
    help="Serve on 127.0.0.1 after creating the data.",
)
@click.option("--port", default=5000, show_default=True)
@click.option(
    "--documents/--no-documents",
    default=True,
    help="Also create demo documents at every stage (once).",
)
@with_appcontext
def demo(serve: bool, port: int, documents: bool) -> None:
    """Create a demo province with one user per role, print the credentials and serve."""
    from .cli import upgrade_database

    upgrade_database()
    rows = create_demo_data(documents)
    click.echo("\nDemo data ready. Sign in at http://127.0.0.1:%d/login with:\n" % port)
    click.echo(f"  {'user name':<14} {'role':<16} agency")
    for agency_name, username, role, _password in rows:
        click.echo(f"  {username:<14} {role:<16} {agency_name}")
    click.echo(f"\n  Password for every demo user: {DEMO_PASSWORD}\n")
    if serve:
        app = current_app._get_current_object()  # type: ignore[attr-defined]
        # Plain HTTP on loopback for the demo: a Secure cookie would not be sent back.
        app.config["SESSION_COOKIE_SECURE"] = False
        app.config["REMEMBER_COOKIE_SECURE"] = False
        from werkzeug.serving import run_simple

        run_simple("127.0.0.1", port, app, threaded=True, use_reloader=False)
